// The whole conformance suite, run through the built package.
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const t = require("..");

const SUITE = path.resolve(__dirname, "..", "..", "conformance");
const load = (name) => JSON.parse(fs.readFileSync(path.join(SUITE, name), "utf8"));
const camel = (key) => key.replace(/_([a-z])/g, (_, c) => c.toUpperCase());

function backoff(b) {
  if (b === null) return null;
  return {
    attempts: b.attempts,
    base_delay_ms: b.baseDelayMs,
    max_delay_ms: b.maxDelayMs,
    jitter_percent: b.jitterPercent,
    honour_retry_after: b.honourRetryAfter,
  };
}

function question(q) {
  const out = {};
  for (const [k, v] of Object.entries(q)) out[camel(k)] = v;
  return out;
}

test("every query case", (t_) => {
  const { cases, count } = load("queries.json");
  assert.equal(cases.length, count);
  assert.ok(cases.length > 10000);
  for (const c of cases) {
    const d = t.diagnose(question(c.query));
    const got = { rule: d.rule, retry: d.retry, backoff: backoff(d.backoff) };
    if (d.several.length) {
      got.several = [...d.several];
      got.or_none = d.orNone;
    }
    assert.deepEqual(got, c.answer, JSON.stringify(c.query));
  }
  t_.diagnostic(`${cases.length} query cases`);
  console.log(`conformance: ${cases.length} query cases`);
});

test("every response case", (t_) => {
  const { cases } = load("responses.json");
  for (const c of cases) {
    const body = "body" in c ? Buffer.from(c.body, "utf8") : Buffer.from(c.body_base64, "base64");
    const context = question(c.context);
    if ("retry_after" in c) {
      context.retryAfter = c.retry_after;
      context.now = c.now;
    }
    const r = t.diagnoseResponse(c.status, body, context);
    const got = {
      rule: r.rule,
      matched: r.diagnosis.matched,
      retry: r.retry,
      backoff: backoff(r.backoff),
      body: r.body,
      errors: r.findings.map((f) => ({
        source: f.source,
        type: f.type,
        message: f.message,
        field: f.field,
        solution_url: f.solutionUrl,
        rule: f.rule,
        retry: f.retry,
        decisive: f.decisive,
      })),
      decided_by: r.decidedBy,
      decision: r.decision,
    };
    if (r.diagnosis.several.length) {
      got.several = [...r.diagnosis.several];
      got.or_none = r.diagnosis.orNone;
    }
    if (r.url !== null) got.url = r.url;
    if (r.retryAfter !== null) got.retry_after_secs = r.retryAfter;
    if (r.bodyNote !== null) got.body_note = r.bodyNote;
    if (r.errorsNotKept) got.errors_not_kept = r.errorsNotKept;
    assert.deepEqual(got, c.answer, c.name);
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
