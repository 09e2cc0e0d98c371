// Every scenario of conformance/calls.json through each Node driver of the
// core's call machine: the fetch wrapper (each request naming its tenant)
// and an axios instance with the adapter installed (the tenant the
// install's), each against a fake Debitura on 127.0.0.1 answering as the
// scenario scripts.
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const axios = require("axios");
const { fake, freePort } = require("./scripted.js");
const { triageFetch } = require("../fetch.js");
const triageAxios = require("../axios.js");
const { CallFailed, OAuthTokens, RetryBudget } = require("../calls.js");

const SUITE = JSON.parse(
  fs.readFileSync(path.resolve(__dirname, "..", "..", "conformance", "calls.json"), "utf8"),
);
const SCENARIOS = SUITE.cases;

/**
 * A fake whose first answer is `refused` starts listening this long after
 * the call starts: after the first attempt, before the first wait (at least
 * 900 ms) is over.
 */
const LISTEN_AFTER_MS = 400;

function stopped(failed) {
  if (!(failed instanceof CallFailed)) return { bareError: String(failed) };
  return {
    stopped: {
      rule: failed.rule,
      retry: failed.retry,
      reason: failed.reason,
      url: failed.url,
      retry_after_secs: failed.retryAfter,
    },
  };
}

function matches(got, want) {
  if ("stopped" in want) {
    return "stopped" in got && Object.entries(want.stopped).every(([k, v]) => got.stopped[k] === v);
  }
  return JSON.stringify(got) === JSON.stringify(want);
}

function budgetOf(options) {
  const b = options.budget;
  if (b === undefined) return new RetryBudget();
  return new RetryBudget({ ratio: b.ratio, reservePerSecond: b.reserve_per_second, windowSecs: b.window_secs });
}

const deadlineOf = (options) => ("deadline_ms" in options ? options.deadline_ms / 1000 : null);

async function viaFetch(scenario, base, mint) {
  const { request, options } = scenario;
  const f = triageFetch(globalThis.fetch, {
    tokens: new OAuthTokens("test-key", { baseUrl: mint }),
    budget: budgetOf(options),
    deadline: deadlineOf(options),
  });
  const one = async () => {
    try {
      const r = await f(base + request.path, {
        method: request.method,
        // fetch sends no body with a GET or HEAD.
        body: ["GET", "HEAD"].includes(request.method) ? undefined : request.body,
        headers: request.headers ?? {},
        debitura: "tenant" in request ? { tenant: request.tenant } : {},
      });
      await r.arrayBuffer();
      return { status: r.status };
    } catch (e) {
      return stopped(e);
    }
  };
  return Promise.all(Array.from({ length: options.calls ?? 1 }, one));
}

async function viaAxios(scenario, base, mint) {
  const { request, options } = scenario;
  const http = triageAxios.install(axios.create({ timeout: 10_000 }), {
    tokens: new OAuthTokens("test-key", { baseUrl: mint }),
    tenant: request.tenant ?? null,
    budget: budgetOf(options),
    deadline: deadlineOf(options),
  });
  const one = async () => {
    try {
      const r = await http.request({
        method: request.method,
        url: base + request.path,
        data: request.body,
        headers: { "Content-Type": "application/json", ...(request.headers ?? {}) },
      });
      return { status: r.status };
    } catch (e) {
      return stopped(e.triage ?? e);
    }
  };
  return Promise.all(Array.from({ length: options.calls ?? 1 }, one));
}

const RUN = { fetch: viaFetch, axios: viaAxios };
const RAN = { fetch: 0, axios: 0 };

function check(scenario, received, mints, ended, started) {
  const { expect } = scenario;
  const mine = received.filter((r) => r.path === scenario.request.path);
  if ("requests" in expect) assert.equal(mine.length, expect.requests, "requests");
  else {
    assert.ok(mine.length >= expect.requests_at_least && mine.length <= expect.requests_at_most, `${mine.length} requests`);
  }
  assert.equal(mints, expect.mints, "mints");
  const keys = mine.map((r) => r.key);
  if (expect.key === "none") assert.ok(keys.every((k) => k === null), JSON.stringify(keys));
  else if (expect.key === "added") assert.ok(keys.length > 0 && keys[0] !== null && new Set(keys).size === 1, JSON.stringify(keys));
  else assert.ok(keys.every((k) => k === expect.key), JSON.stringify(keys));
  if (mine.length > 0) {
    const waited = mine[mine.length - 1].at - started;
    assert.ok(waited >= expect.least_wait_ms / 1000, `waited ${waited} s`);
  }
  if ("outcome" in expect) {
    for (const got of ended) assert.ok(matches(got, expect.outcome), JSON.stringify({ got, want: expect.outcome }));
  } else {
    for (const got of ended) assert.ok(expect.outcomes.some((o) => matches(got, o)), JSON.stringify(got));
    assert.ok(ended.some((got) => matches(got, expect.some)), "some");
  }
}

for (const driver of Object.keys(RUN)) {
  for (const scenario of SCENARIOS) {
    test(`${scenario.name} via ${driver}`, async () => {
      const { answers } = scenario;
      const mint = await fake(scenario.mint);
      let refused = 0;
      while (refused < answers.length && answers[refused].connection === "refused") refused += 1;
      const started = performance.now() / 1000;
      let api;
      let ended;
      try {
        if (refused > 0) {
          const port = await freePort();
          const later = new Promise((resolve, reject) => {
            setTimeout(() => fake(answers, { skip: refused, port }).then(resolve, reject), LISTEN_AFTER_MS);
          });
          ended = await RUN[driver](scenario, `http://127.0.0.1:${port}`, mint.base);
          api = await later;
        } else {
          api = await fake(answers);
          ended = await RUN[driver](scenario, api.base, mint.base);
        }
        check(scenario, api.received, mint.received.length, ended, started);
      } finally {
        await api?.close();
        await mint.close();
      }
      RAN[driver] += 1;
    });
  }
}

test("the suite is whole", () => {
  assert.equal(SUITE.count, SCENARIOS.length);
  assert.ok(SCENARIOS.length > 0);
});

test.after(() => {
  console.log(`conformance: calls.json via fetch: ${RAN.fetch}, via axios: ${RAN.axios} (of ${SCENARIOS.length} each)`);
});

test("a budget reads back its settings, divides the reserve across instances and refuses bad ones", async () => {
  const own = new RetryBudget({ ratio: 0.5, reservePerSecond: 4, windowSecs: 30 });
  assert.deepEqual([own.ratio, own.reservePerSecond, own.windowSecs], [0.5, 4, 30]);
  const fleet = RetryBudget.forInstances(4);
  assert.ok(fleet instanceof RetryBudget);
  assert.deepEqual([fleet.ratio.toFixed(3), fleet.reservePerSecond, fleet.windowSecs], ["0.200", 3, 10]);
  assert.equal(new RetryBudget().reservePerSecond, 10, "forInstances leaves the next budget its own settings");
  assert.throws(() => new RetryBudget({ ratio: 2000 }), /ratio must be from 0 to 1000, not 2000/);
  assert.throws(() => new RetryBudget({ windowSecs: 0 }), /window must be from 1 s to 60 s/);
  assert.throws(() => RetryBudget.forInstances(0), /at least one instance/);
  // A budget that is not one of the package's is refused before anything is sent.
  const f = triageFetch(globalThis.fetch, { budget: { ratio: 0.2 } });
  await assert.rejects(f("http://127.0.0.1:1/v1/cases/c-1"), /budget is a RetryBudget/);
});

test("budgets spend apart: one spent leaves the process's own whole", async () => {
  const server = await fake([{ status: 503, body: "" }]);
  try {
    // No reserve and no ratio: this budget lets no resend through, while
    // the process's own still has its reserve.
    const none = new RetryBudget({ ratio: 0, reservePerSecond: 0 });
    const spent = triageFetch(globalThis.fetch, { budget: none });
    const failed = await spent(`${server.base}/v1/cases/c-1`).catch((e) => e);
    assert.ok(failed instanceof CallFailed, String(failed));
    assert.equal(failed.reason, "budget-spent");
    assert.equal(server.received.length, 1);
    const whole = triageFetch(globalThis.fetch, { deadline: 2 });
    const later = await whole(`${server.base}/v1/cases/c-1`).catch((e) => e);
    assert.ok(later instanceof CallFailed, String(later));
    assert.notEqual(later.reason, "budget-spent", later.message);
    assert.ok(server.received.length >= 3, `the default budget resent: ${server.received.length} requests`);
  } finally {
    await server.close();
  }
});
