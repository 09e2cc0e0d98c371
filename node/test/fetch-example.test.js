// The examples against real HTTP servers on 127.0.0.1, started here: a fake
// Debitura and a fake token mint. The SDK example runs a client of the SDK
// generator's shape (test/support/debt-collection.js) through axios.
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const http = require("node:http");
const fs = require("node:fs");
const path = require("node:path");
const axios = require("axios");
const { debituraFetch, createCase } = require("../examples/fetch-client.js");
const { casesApi, explain } = require("../examples/sdk-client.js");
const { CasesApi } = require("./support/debt-collection.js");

const BODIES = path.resolve(__dirname, "..", "..", "tests", "fixtures", "bodies");

/** A server answering each request with the next of `replies` (the last repeating). */
async function serve(replies) {
  const seen = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      seen.push({ method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString() });
      const [status, headers, body] = replies[Math.min(seen.length - 1, replies.length - 1)];
      res.writeHead(status, { ...headers, "Content-Length": Buffer.byteLength(body) });
      res.end(body);
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${server.address().port}`;
  return { url, seen, close: () => new Promise((resolve) => server.close(resolve)) };
}

/** A token mint handing out t-1, t-2, … */
async function mint() {
  let n = 0;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      n += 1;
      const body = JSON.stringify({ accessToken: `t-${n}`, tokenType: "Bearer", expiresIn: 1800 });
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end(body);
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${server.address().port}`, count: () => n, close: () => new Promise((r) => server.close(r)) };
}

test("fetch: a 401 is sent once more with a fresh token and the same key", async () => {
  const [api, m] = [await serve([[401, {}, ""], [201, { "Content-Type": "application/json" }, '{"id":"c-1"}']]), await mint()];
  try {
    const got = await createCase(debituraFetch("key", "acme-42", { mintUrl: m.url }), api.url, { creditorReference: "INV-1" });
    assert.deepEqual(got, { outcome: "created", case: { id: "c-1" } });
    assert.deepEqual(api.seen.map((r) => r.headers.authorization), ["Bearer t-1", "Bearer t-2"]);
    const keys = api.seen.map((r) => r.headers["idempotency-key"]);
    assert.ok(keys[0] && keys[0] === keys[1], `${keys}`);
    assert.equal(m.count(), 2);
  } finally {
    await api.close();
    await m.close();
  }
});

test("a cached token goes out with the first send; refused, it is replaced, not sent again, through both drivers", async () => {
  const { triageFetch, OAuthTokens } = require("../fetch.js");
  const { install } = require("../axios.js");
  const ok = [200, { "Content-Type": "application/json" }, '{"id":"c-1"}'];
  for (const via of ["fetch", "axios"]) {
    const [api, m] = [await serve([ok, [401, {}, ""], ok]), await mint()];
    try {
      const tokens = new OAuthTokens("key", { baseUrl: m.url });
      const get =
        via === "fetch"
          ? async () => (await triageFetch(globalThis.fetch, { tokens, tenant: "acme-42" })(`${api.url}/v1/cases/c-1`)).json()
          : async () => (await install(axios.create(), { tokens, tenant: "acme-42" }).get(`${api.url}/v1/cases/c-1`)).data;
      assert.deepEqual(await get(), { id: "c-1" }); // minted t-1
      assert.deepEqual(await get(), { id: "c-1" }); // t-1 from the cache, refused; t-2 minted
      assert.deepEqual(
        api.seen.map((r) => r.headers.authorization),
        ["Bearer t-1", "Bearer t-1", "Bearer t-2"],
        via,
      );
      assert.equal(m.count(), 2, via);
    } finally {
      await api.close();
      await m.close();
    }
  }
});

test("successes sent before the machine is started still pay for resends, through both drivers", async () => {
  const { triageFetch, CallFailed, RetryBudget } = require("../fetch.js");
  const { install } = require("../axios.js");
  const ok = [200, { "Content-Type": "application/json" }, "{}"];
  const down = [503, {}, ""];
  for (const via of ["fetch", "axios"]) {
    // No reserve: only first attempts pay, one resend for five of them.
    const budget = new RetryBudget({ ratio: 0.2, reservePerSecond: 0 });
    const get =
      via === "fetch"
        ? (url) => triageFetch(globalThis.fetch, { budget, deadline: 5 })(url)
        : (url) => install(axios.create(), { budget, deadline: 5 }).get(url);
    const api = await serve([ok, ok, ok, ok, ok, down, ok, down]);
    try {
      for (let i = 0; i < 5; i += 1) await get(`${api.url}/v1/cases/c-${i}`);
      await get(`${api.url}/v1/cases/c-5`); // a 503, resent once: paid by the five
      assert.equal(api.seen.length, 7, via);
      // The next 503 finds the budget spent: its own first attempt pays for no resend.
      const e = await get(`${api.url}/v1/cases/c-6`).catch((x) => x);
      const failed = e instanceof CallFailed ? e : e.triage;
      assert.ok(failed instanceof CallFailed, String(e));
      assert.equal(failed.reason, "budget-spent", via);
      assert.equal(api.seen.length, 8, via);
    } finally {
      await api.close();
    }
  }
});

test("fetch: a 429 waits the server's delay and keeps the key", async () => {
  const limited = JSON.stringify({ error: "rate_limit_exceeded", retryAfter: 1 });
  const [api, m] = [await serve([[429, { "Retry-After": "1" }, limited], [201, {}, "{}"]]), await mint()];
  try {
    const started = Date.now();
    const got = await createCase(debituraFetch("key", "acme-42", { mintUrl: m.url }), api.url, {});
    assert.equal(got.outcome, "created");
    assert.ok(Date.now() - started >= JSON.parse(limited).retryAfter * 1000 * 0.99, `${Date.now() - started} ms`);
    assert.equal(api.seen[0].headers["idempotency-key"], api.seen[1].headers["idempotency-key"]);
  } finally {
    await api.close();
    await m.close();
  }
});

test("fetch: a missing power of attorney stops with the signing URL", async () => {
  const handoff = fs.readFileSync(path.join(BODIES, "signing-handoff-poa.json"), "utf8");
  const [api, m] = [await serve([[422, { "Content-Type": "application/json" }, handoff]]), await mint()];
  try {
    const got = await createCase(debituraFetch("key", "acme-42", { mintUrl: m.url }), api.url, {});
    assert.deepEqual(got, {
      outcome: "needs-user",
      url: JSON.parse(handoff).signingHandoff.combinedSigningUrl,
      rule: "missing-power-of-attorney",
    });
    assert.equal(api.seen.length, 1);
  } finally {
    await api.close();
    await m.close();
  }
});

test("fetch: a 429 asking for half an hour is not cut short: it stops to reschedule", async () => {
  const limited = JSON.stringify({ error: "rate_limit_exceeded", retryAfter: 1800 });
  const [api, m] = [await serve([[429, { "Content-Type": "application/json" }, limited], [201, {}, "{}"]]), await mint()];
  try {
    const started = Date.now();
    const got = await createCase(debituraFetch("key", "acme-42", { mintUrl: m.url }), api.url, {});
    assert.deepEqual(got, { outcome: "reschedule", after: 1800, rule: "rate-limited" });
    assert.equal(api.seen.length, 1);
    assert.ok(Date.now() - started < 5000);
  } finally {
    await api.close();
    await m.close();
  }
});

test("the SDK's results do not change, and its failures carry the answer", async () => {
  const created = JSON.stringify({ id: "c-1", lifecycle: "Active" });
  const handoff = fs.readFileSync(path.join(BODIES, "signing-handoff-poa.json"), "utf8");
  const replies = [
    [201, { "Content-Type": "application/json", "X-Request-Id": "r-1" }, created],
    [422, { "Content-Type": "application/json" }, handoff],
  ];
  const [bare, driven, m] = [await serve(replies), await serve(replies), await mint()];
  try {
    const plain = new CasesApi(undefined, bare.url, axios.create());
    const through = casesApi(CasesApi, "key", "acme-42", { mintUrl: m.url, basePath: driven.url });
    const a = await plain.casesPost({ creditorReference: "INV-1" }, "k-1");
    const b = await through.casesPost({ creditorReference: "INV-1" }, "k-1");
    assert.deepEqual(
      [b.status, b.statusText, b.data, b.headers["content-type"], b.headers["x-request-id"]],
      [a.status, a.statusText, a.data, a.headers["content-type"], a.headers["x-request-id"]],
    );
    assert.deepEqual(b.data, JSON.parse(created));
    assert.equal(driven.seen[0].headers["idempotency-key"], "k-1");
    assert.equal(driven.seen[0].headers.authorization, "Bearer t-1");
    assert.equal(driven.seen[0].body, bare.seen[0].body);
    // A failure: axios's own error, as the SDK throws it, with the answer.
    const [e1, e2] = [
      await plain.casesPost({}, "k-2").catch((e) => e),
      await through.casesPost({}, "k-2").catch((e) => e),
    ];
    assert.ok(axios.isAxiosError(e2));
    assert.deepEqual([e2.response.status, e2.response.data, e2.code], [e1.response.status, e1.response.data, e1.code]);
    assert.deepEqual(explain(e2), {
      rule: "missing-power-of-attorney",
      retry: "after-user-action",
      reason: "policy",
      url: JSON.parse(handoff).signingHandoff.combinedSigningUrl,
      retryAfter: null,
    });
    assert.equal(explain(e1), null);
    assert.equal(driven.seen.length, 2);
  } finally {
    await bare.close();
    await driven.close();
    await m.close();
  }
});

test("axios: install refuses an instance that already has the adapter", () => {
  const { install } = require("../axios.js");
  const instance = install(axios.create(), {});
  assert.throws(() => install(instance, {}), /already carries out/);
});

test("axios: a stopped call's error shows no bearer token", async () => {
  const util = require("node:util");
  const { install, OAuthTokens } = require("../axios.js");
  const { freePort } = require("./scripted.js");
  const m = await mint();
  const port = await freePort(); // nothing listens: refused, then refused again
  try {
    const http = install(axios.create(), { tokens: new OAuthTokens("secret-key", { baseUrl: m.url }), tenant: "acme-42", deadline: 3 });
    const e = await http.get(`http://127.0.0.1:${port}/v1/cases/c-1`).catch((x) => x);
    assert.ok(axios.isAxiosError(e) && e.triage !== undefined, String(e));
    const shown = util.inspect(e, { depth: 8 }) + JSON.stringify(e.toJSON());
    assert.doesNotMatch(shown, /t-1|secret-key/);
  } finally {
    await m.close();
  }
});

test("axios: the config a caller gets back is the one it gave, on a success and on a failure", async () => {
  const { install, OAuthTokens } = require("../axios.js");
  const m = await mint();
  const api = await serve([
    [200, { "Content-Type": "application/json" }, '{"id":"c-1"}'],
    [404, { "Content-Type": "application/json" }, '{"type":"NotFound"}'],
  ]);
  try {
    const http = install(axios.create({ timeout: 4000 }), { tokens: new OAuthTokens("secret-key", { baseUrl: m.url }), tenant: "acme-42", deadline: 3 });
    const ok = await http.post(`${api.url}/v1/cases`, { creditorReference: "INV-1" });
    assert.deepEqual(ok.data, { id: "c-1" });
    assert.ok(api.seen[0].headers["idempotency-key"], "the driver added a key");
    assert.equal(api.seen[0].headers.authorization, "Bearer t-1");
    const failed = await http.get(`${api.url}/v1/cases/c-404`, { responseType: "json" }).catch((e) => e);
    assert.ok(axios.isAxiosError(failed) && failed.triage !== undefined, String(failed));
    for (const [config, responseType] of [[ok.config, undefined], [failed.config, "json"], [failed.response.config, "json"]]) {
      assert.equal(config.responseType, responseType);
      assert.equal(Object.hasOwn(config, "responseType"), responseType !== undefined);
      assert.equal(config.timeout, 4000);
      assert.equal(typeof config.validateStatus, "function");
      assert.equal(config.headers.get("Authorization"), undefined, "no bearer token in the config handed back");
      assert.equal(config.headers.get("Idempotency-Key"), undefined, "the key added is the driver's, not the caller's");
    }
  } finally {
    await m.close();
    await api.close();
  }
});

test("a failure's body is read to the bound and no further, through both drivers", async () => {
  const { triageFetch, CallFailed } = require("../fetch.js");
  const { install } = require("../axios.js");
  const huge = `{"businessErrors":[{"type":"NoPartnerAvailable","message":"${"x".repeat(8 * 1024 * 1024)}"}]}`;
  const api = await serve([[422, { "Content-Type": "application/json" }, huge]]);
  try {
    const f = triageFetch(globalThis.fetch, {});
    const e1 = await f(`${api.url}/v1/cases`, { method: "POST", body: "{}", headers: { XApiKey: "k" } }).catch((e) => e);
    assert.ok(e1 instanceof CallFailed, String(e1));
    assert.ok(e1.body.length <= 64 * 1024, `${e1.body.length}`);
    assert.equal(e1.answer.bodyNote !== null, true);
    const http = install(axios.create(), {});
    const e2 = await http.post(`${api.url}/v1/cases`, "{}", { headers: { XApiKey: "k" } }).catch((e) => e);
    assert.ok(e2.triage instanceof CallFailed, String(e2));
    assert.ok(e2.triage.body.length <= 64 * 1024, `${e2.triage.body.length}`);
    assert.ok(e2.response.data.length <= 64 * 1024);
  } finally {
    await api.close();
  }
});

test("axios: a baseURL and a relative path name the route, as axios joins them", async () => {
  const { install } = require("../axios.js");
  const api = await serve([[503, {}, ""], [201, { "Content-Type": "application/json" }, '{"id":"c-1"}']]);
  try {
    const http = install(axios.create({ baseURL: `${api.url}/v1/` }), {});
    const r = await http.post("/cases", { creditorReference: "INV-1" }, { headers: { XApiKey: "k" } });
    assert.deepEqual([r.status, r.data], [201, { id: "c-1" }]);
    const keys = api.seen.map((s) => s.headers["idempotency-key"]);
    assert.equal(api.seen[0].url, "/v1/cases");
    assert.ok(keys.length === 2 && keys[0] && keys[0] === keys[1], `${keys}`);
  } finally {
    await api.close();
  }
});

test("fetch: a request the wrapper cannot start is a rejection, as fetch's are", async () => {
  const { triageFetch } = require("../fetch.js");
  const f = triageFetch(globalThis.fetch, {});
  const p = f("http://127.0.0.1:1/v1/cases", { method: "POST", debitura: { operation: "create-cse" } });
  assert.ok(p instanceof Promise);
  await assert.rejects(p, /did you mean `create-case`/);
});

test("fetch: a caller's signal still aborts, and many requests leave no listener on it", async () => {
  const { getEventListeners } = require("node:events");
  const { triageFetch } = require("../fetch.js");
  const api = await serve([[200, {}, "{}"]]);
  // A server that never answers, for a request to abort in flight.
  const silent = http.createServer(() => {});
  await new Promise((resolve) => silent.listen(0, "127.0.0.1", resolve));
  try {
    const f = triageFetch(globalThis.fetch, { deadline: 5 });
    const app = new AbortController();
    for (let i = 0; i < 50; i += 1) await (await f(`${api.url}/v1/cases/c-1`, { signal: app.signal })).text();
    assert.equal(getEventListeners(app.signal, "abort").length, 0);
    const inFlight = f(`http://127.0.0.1:${silent.address().port}/v1/cases/c-1`, { signal: app.signal });
    setTimeout(() => app.abort(new Error("the caller gave up")), 100);
    await assert.rejects(inFlight, /the caller gave up/);
  } finally {
    silent.closeAllConnections();
    await new Promise((resolve) => silent.close(resolve));
    await api.close();
  }
});
