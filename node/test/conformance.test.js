// The whole conformance suite, run through the built package.
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const t = require("..");

const SUITE = path.resolve(__dirname, "..", "..", "conformance");
const load = (name) => JSON.parse(fs.readFileSync(path.join(SUITE, name), "utf8"));
// The suite names fields as the core does; the package names the same
// fields in JavaScript's camelCase.
const camel = (key) => key.replace(/_([a-z])/g, (_, c) => c.toUpperCase());
function inCamelCase(value) {
  if (Array.isArray(value)) return value.map(inCamelCase);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [camel(k), inCamelCase(v)]));
  }
  return value;
}

/** The answer's value of every key the suite gives. */
function same(answer, want) {
  const expected = inCamelCase(want);
  const got = {};
  for (const key of Object.keys(expected)) got[key] = key in answer ? answer[key] : "(missing)";
  assert.deepEqual(got, expected);
}

test("every query case", (t_) => {
  const { cases, count } = load("queries.json");
  assert.equal(cases.length, count);
  assert.ok(cases.length > 10000);
  for (const c of cases) {
    const d = t.diagnose(inCamelCase(c.query));
    assert.doesNotThrow(() => same(d, c.answer), JSON.stringify(c.query));
  }
  t_.diagnostic(`${cases.length} query cases`);
  console.log(`conformance: ${cases.length} query cases`);
});

test("every response case", (t_) => {
  const { cases } = load("responses.json");
  for (const c of cases) {
    const body = "body" in c ? Buffer.from(c.body, "utf8") : Buffer.from(c.body_base64, "base64");
    const context = inCamelCase(c.context);
    if ("retry_after" in c) {
      context.retryAfter = c.retry_after;
      context.now = c.now;
    }
    const r = t.diagnoseResponse(c.status, body, context);
    assert.doesNotThrow(() => same(r, c.answer), c.name);
  }
  t_.diagnostic(`${cases.length} response cases`);
  console.log(`conformance: ${cases.length} response cases`);
});

test("every webhook vector", (t_) => {
  const { cases } = load("webhooks.json");
  for (const c of cases) {
    const v = t.checkWebhook(c.secrets, c.header, Buffer.from(c.body, "utf8"), {
      now: c.now,
      tolerance: c.tolerance,
      computed: c.computed === null ? undefined : c.computed,
    });
    assert.equal(v.valid ? "valid" : v.mistake, c.verdict, c.name);
    assert.equal(v.rule, c.rule, c.name);
  }
  t_.diagnostic(`${cases.length} webhook vectors`);
  console.log(`conformance: ${cases.length} webhook vectors`);
});
