// The package's own promises: frozen answers with every key, in camelCase,
// clear errors naming the nearest valid names, and hostile input that never
// breaks it.
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const t = require("..");

test("the README question", () => {
  const d = t.diagnose({ status: 422, type: "MissingPowerOfAttorney", operation: "create-case" });
  assert.equal(d.retry, "after-user-action");
  assert.equal(d.retry, t.Retry.AFTER_USER_ACTION);
  assert.equal(d.rule, "missing-power-of-attorney");
  assert.equal(d.backoff, null);
  assert.ok(d.docsUrl.endsWith("#missing-power-of-attorney"));
  assert.ok(d.cause && d.solution && d.matched);
});

test("answers are frozen and have every key", () => {
  const d = t.diagnose({ status: 503, operation: "get-case" });
  assert.ok(Object.isFrozen(d) && Object.isFrozen(d.backoff) && Object.isFrozen(d.several));
  assert.throws(() => { "use strict"; d.rule = "x"; }, TypeError);
  // Every answer has every key, whatever it found.
  const several = t.diagnose({ status: 401, operation: "create-case" });
  assert.deepEqual(Object.keys(t.diagnose()).sort(), Object.keys(several).sort());
  assert.deepEqual(Object.keys(d).sort(), Object.keys(several).sort());
  assert.deepEqual([...several.telling], ["auth"]);
  assert.ok(!several.solution.includes("--"));
  assert.equal(d.retry, "backoff");
  assert.ok(d.backoff.attempts >= 2 && d.backoff.baseDelayMs <= d.backoff.maxDelayMs);
});

test("nothing left out is assumed", () => {
  const unsaid = t.diagnose({ status: 503, operation: "create-case" });
  assert.equal(unsaid.rule, null);
  assert.deepEqual([...unsaid.several].sort(), ["outcome-unknown-server-error", "upstream-unavailable"]);
  assert.equal(unsaid.retry, t.Retry.AFTER_USER_ACTION);
  assert.equal(t.diagnose({ status: 503, operation: "create-case", idempotencyKey: true }).retry, t.Retry.BACKOFF);
  assert.equal(t.diagnose({ status: 401, operation: "create-case" }).retry, t.Retry.NEVER);
  assert.equal(t.diagnose({ status: 401, operation: "create-case", auth: "bearer" }).retry, t.Retry.TOKEN_REFRESH);
  assert.equal(t.diagnoseResponse(401, Buffer.alloc(0), { operation: "create-case", auth: "api-key" }).rule, "customer-api-key-rejected");
  assert.throws(() => t.diagnose({ auth: "bearr" }), /bearer/);
});

test("bad names are errors naming the nearest", () => {
  assert.throws(() => t.diagnose({ operation: "create-cse" }), /did you mean `create-case`/);
  assert.throws(() => t.diagnose({ environment: "prod" }), /production/);
  assert.throws(() => t.diagnose({ operaton: "create-case" }), /unknown option `operaton`.*`operation`/);
  assert.throws(() => t.diagnose({ status: 42 }), /HTTP status/);
  assert.throws(() => t.diagnose({ status: "422" }), /`status` takes a number/);
  assert.throws(() => t.diagnose({ idempotencyKey: "yes" }), /`idempotencyKey` takes true or false/);
  assert.throws(() => t.diagnose({ aftertokenrefresh: true }), /did you mean `afterTokenRefresh`/);
  assert.throws(() => t.checkWebhook("c2VjcmV0", "t=1,v1=00", Buffer.from("{}"), { tolerence: {} }), /unknown option `tolerence`/);
  assert.throws(() => t.diagnoseResponse(422, 12345), /a body is a Buffer/);
  assert.throws(() => t.diagnoseResponse(422, "", { url: 7 }), /`url` takes text/);
  assert.throws(() => t.diagnoseResponse(429, "", { headers: "Retry-After: 5" }), /headers are/);
  assert.throws(() => t.diagnoseResponse(422, Buffer.from(""), { retryafter: 3 }), /`retryAfter`/);
  assert.throws(() => t.rule("missing-power-of-atorney"), /did you mean/);
  assert.throws(() => t.checkWebhook(Array(9).fill("c2VjcmV0"), "t=1,v1=00", Buffer.from("{}")), /at most 8/);
});

test("hostile bodies get an answer", () => {
  const bodies = [
    Buffer.alloc(0),
    Buffer.from([0xff, 0xfe, 0x00]),
    Buffer.from("{".repeat(100000)),
    Buffer.from('{"retryAfter": 1e308}'),
    Buffer.from('{"type": "\\u202e\\u0000\x1b[31m"}'),
    Buffer.alloc(10 * 1024 * 1024, 0x78),
  ];
  for (const body of bodies) {
    const r = t.diagnoseResponse(503, body, { operation: "get-case", retryAfter: "\x1b[2J" });
    assert.ok(Object.values(t.Retry).includes(r.retry));
  }
  const r = t.diagnoseResponse(429, Buffer.from("{}"), { operation: "create-case", retryAfter: 7 });
  assert.equal(r.retryAfterSecs, 7);
  const dated = t.diagnoseResponse(429, Buffer.from("{}"), { operation: "create-case", retryAfter: "Sun, 01 Nov 2026 00:01:30 GMT", now: 1793491200 });
  assert.equal(dated.retryAfterSecs, 90);
});

test("backoff delays come from the rule", () => {
  const b = t.rule("upstream-unavailable").backoff;
  assert.equal(t.backoffDelay("upstream-unavailable", 1), b.baseDelayMs / 1000);
  assert.equal(t.backoffDelay("upstream-unavailable", b.attempts), null);
  assert.equal(t.backoffDelay("missing-power-of-attorney", 1), null);
  assert.throws(() => t.backoffDelay("no-such-rule", 1), /no-such-rule/);
});

test("the catalog", () => {
  const rules = t.rules();
  assert.ok(rules.length > 100 && Object.isFrozen(rules));
  assert.equal(new Set(rules.map((r) => r.rule)).size, rules.length);
  assert.ok(Object.isFrozen(rules[0].when) && "afterTokenRefresh" in rules[0].when);
  assert.equal(t.rule("missing-power-of-attorney").retry, "after-user-action");
  assert.ok(t.OPERATIONS.includes("create-case") && t.ENVIRONMENTS.includes("production"));
});

test("diagnoseResponse takes what clients hold", () => {
  const text = '{"businessErrors":[{"type":"MissingPowerOfAttorney","message":"m"}]}';
  const want = t.diagnoseResponse(422, Buffer.from(text), { operation: "create-case" });
  assert.equal(want.rule, "missing-power-of-attorney");
  const copy = Uint8Array.from(Buffer.from(text));
  for (const body of [text, copy, copy.buffer, new DataView(copy.buffer)]) {
    assert.deepEqual(t.diagnoseResponse(422, body, { operation: "create-case" }), want);
  }
  // The method and URL instead of the operation's name.
  const byUrl = t.diagnoseResponse(422, text, { method: "post", url: "https://testcustomer-api.debitura.com/v1/cases" });
  assert.equal(byUrl.rule, want.rule);
  // The Retry-After as the header gives it, from any headers a client holds.
  const rate = '{"retryAfter":2}';
  const fromHeaders = [
    new Headers({ "Retry-After": "7" }),
    { "retry-after": "7" },
    { "Retry-After": 7 },
    new (require("axios").AxiosHeaders)({ "Retry-After": "7" }),
  ];
  for (const headers of fromHeaders) {
    assert.equal(t.diagnoseResponse(429, rate, { operation: "create-case", headers }).retryAfterSecs, 7);
  }
  // An explicit retryAfter wins over the headers; null is "not given".
  assert.equal(t.diagnoseResponse(429, rate, { operation: "create-case", retryAfter: "9", headers: fromHeaders[0] }).retryAfterSecs, 9);
  assert.equal(t.diagnoseResponse(429, rate, { operation: "create-case", retryAfter: null }).retryAfterSecs, 2);
  assert.equal(t.diagnoseResponse(503, null).body, "empty");
});

test("an answer asked for again is the same frozen answer", () => {
  const q = { status: 503, operation: "create-case" };
  const first = t.diagnose(q);
  assert.equal(t.diagnose({ ...q }), first);
  // The order of the keys does not change the answer.
  assert.deepEqual(t.diagnose({ operation: "create-case", status: 503 }), first);
  // One field more is another question.
  const keyed = t.diagnose({ ...q, idempotencyKey: true });
  assert.notEqual(keyed.retry, first.retry);
  assert.equal(t.diagnose({ ...q, idempotencyKey: true }), keyed);
  // null is "not known", as a field left out.
  assert.equal(t.diagnose({ ...q, idempotencyKey: null }), first);
  // A long message is answered, not kept.
  const long = { status: 422, type: "MissingPowerOfAttorney", message: "x".repeat(10_000) };
  assert.equal(t.diagnose(long).rule, "missing-power-of-attorney");
  // A wrong question is refused each time, never kept.
  for (let i = 0; i < 2; i += 1) assert.throws(() => t.diagnose({ status: 503, operation: "create-cse" }), /did you mean/);
});

test("the drivers' success check is the core's: every status from the least failure on fails", () => {
  const native = require("../debitura-triage.node");
  const from = native.failedFrom();
  for (let status = 100; status <= 999; status += 1) assert.equal(native.callFailed(status), status >= from, String(status));
  assert.equal(from, 400);
});
