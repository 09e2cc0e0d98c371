// The fetch example against a real HTTP server on 127.0.0.1, started here.
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const http = require("node:http");
const fs = require("node:fs");
const path = require("node:path");
const { send, NeedsUser, Reschedule, Failed } = require("../examples/fetch-client.js");

const BODIES = path.resolve(__dirname, "..", "..", "tests", "fixtures", "bodies");

async function serve(replies) {
  const seen = [];
  const server = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      seen.push(req.headers);
      const [status, headers, body] = replies.shift();
      res.writeHead(status, { ...headers, "Content-Length": Buffer.byteLength(body) });
      res.end(body);
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${server.address().port}`;
  return { url, seen, close: () => new Promise((resolve) => server.close(resolve)) };
}

function tokens() {
  const minted = [];
  return {
    minted,
    token: (fresh) => {
      if (fresh || minted.length === 0) minted.push(`token-${minted.length + 1}`);
      return minted[minted.length - 1];
    },
  };
}

test("a 401 is sent once more with a fresh token and the same key", async () => {
  const s = await serve([[401, {}, ""], [201, {}, '{"id":"c-1"}']]);
  const { token, minted } = tokens();
  try {
    const r = await send(`${s.url}/cases`, { method: "POST", body: {}, operation: "create-case", token });
    assert.equal(r.status, 201);
    assert.deepEqual(s.seen.map((h) => h.authorization), ["Bearer token-1", "Bearer token-2"]);
    assert.equal(new Set(s.seen.map((h) => h["idempotency-key"])).size, 1);
    assert.deepEqual(minted, ["token-1", "token-2"]);
  } finally {
    await s.close();
  }
});

test("a second 401 after the refresh is not sent again", async () => {
  const s = await serve([[401, {}, ""], [401, {}, ""]]);
  try {
    await assert.rejects(send(`${s.url}/cases`, { method: "POST", body: {}, operation: "create-case", token: tokens().token }), Failed);
    assert.equal(s.seen.length, 2);
  } finally {
    await s.close();
  }
});

test("a 429 waits the server's delay and keeps the key", async () => {
  const limited = fs.readFileSync(path.join(BODIES, "rate-limit.json"));
  const s = await serve([[429, { "Retry-After": "2" }, limited], [201, {}, "{}"]]);
  const waits = [];
  try {
    const r = await send(`${s.url}/cases`, { method: "POST", body: {}, operation: "create-case", token: tokens().token, sleep: async (w) => { waits.push(w); } });
    assert.equal(r.status, 201);
    assert.equal(s.seen.length, 2);
    assert.ok(waits[0] >= 2, `${waits}`);
    assert.equal(s.seen[0]["idempotency-key"], s.seen[1]["idempotency-key"]);
  } finally {
    await s.close();
  }
});

test("a missing power of attorney stops with the signing URL", async () => {
  const handoff = fs.readFileSync(path.join(BODIES, "signing-handoff-poa.json"));
  const s = await serve([[422, { "Content-Type": "application/json" }, handoff]]);
  try {
    const stop = await send(`${s.url}/cases`, { method: "POST", body: {}, operation: "create-case", token: tokens().token }).catch((e) => e);
    assert.ok(stop instanceof NeedsUser);
    assert.equal(stop.url, JSON.parse(handoff).signingHandoff.combinedSigningUrl);
    assert.equal(stop.answer.rule, "missing-power-of-attorney");
    assert.equal(s.seen.length, 1);
  } finally {
    await s.close();
  }
});

test("a 429 asking for longer than the longest wait stops to reschedule", async () => {
  const limited = JSON.stringify({ error: "rate_limit_exceeded", retryAfter: 1800 });
  const s = await serve([[429, { "Content-Type": "application/json" }, limited], [201, {}, "{}"]]);
  const waits = [];
  try {
    const stop = await send(`${s.url}/cases`, { method: "POST", body: {}, operation: "create-case", token: tokens().token, sleep: async (w) => { waits.push(w); } })
      .then(() => null, (e) => e);
    assert.ok(stop instanceof Reschedule, `${stop}`);
    // No resend, no wait cut short: the delay is handed back whole.
    assert.equal(s.seen.length, 1);
    assert.deepEqual(waits, []);
    assert.equal(stop.delay, 1800);
    assert.equal(stop.answer.rule, "rate-limited");
  } finally {
    await s.close();
  }
});

test("a 503 on a write that takes no key is sent once", async () => {
  const s = await serve([[503, {}, ""], [201, {}, "{}"]]);
  try {
    await assert.rejects(
      send(`${s.url}/cases/c-1/files`, { method: "POST", body: {}, operation: "upload-case-file", token: tokens().token }),
      (e) => e instanceof NeedsUser && e.answer.rule === "outcome-unknown-server-error",
    );
    assert.equal(s.seen.length, 1);
  } finally {
    await s.close();
  }
});
