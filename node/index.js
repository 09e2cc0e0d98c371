// debitura-triage for Node: the decisions of debitura-triage's compiled rules.
//
// The addon answers; this file checks option names (a misspelt option is an
// error naming the nearest valid one, not a silently ignored key), gives
// every answer the same keys (null where there is nothing), and freezes it.
"use strict";

const native = require("./debitura-triage.node");

/** The retry policies, by name. */
const Retry = Object.freeze({
  NEVER: "never",
  AFTER_USER_ACTION: "after-user-action",
  TOKEN_REFRESH: "token-refresh",
  BACKOFF: "backoff",
});

const QUESTION = ["status", "type", "message", "operation", "event", "symptom", "afterTokenRefresh", "environment", "auth", "method", "idempotencyKey"];
const RESPONSE = ["operation", "retryAfter", "method", "idempotencyKey", "auth", "afterTokenRefresh", "environment", "now"];
const WEBHOOK = ["now", "tolerance", "computed"];

const DIAGNOSIS = ["rule", "matched", "title", "section", "cause", "solution", "retry", "backoff", "docsUrl", "several", "orNone"];
const FINDING = ["source", "type", "message", "field", "solutionUrl", "rule", "retry", "decisive"];
const RESPONSE_DIAGNOSIS = ["diagnosis", "rule", "retry", "backoff", "url", "retryAfter", "body", "bodyNote", "decision", "decidedBy", "errorsNotKept", "findings"];
const RULE = ["id", "title", "section", "cause", "solution", "retry", "backoff", "notes", "docsUrl", "seeAlso"];
const CHECK = ["valid", "mistake", "rule", "diagnosis"];

function distance(a, b) {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const kept = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = kept;
    }
  }
  return row[b.length];
}

function checkOptions(what, options, known) {
  if (options === undefined || options === null) return undefined;
  if (typeof options !== "object" || Array.isArray(options)) {
    throw new TypeError(`${what} must be an object of options`);
  }
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      const nearest = known.filter((k) => distance(k.toLowerCase(), key.toLowerCase()) <= 2);
      const hint = nearest.length ? `; did you mean \`${nearest[0]}\`?` : `; the options are ${known.join(", ")}`;
      throw new TypeError(`unknown option \`${key}\` for ${what}${hint}`);
    }
  }
  return options;
}

/** Every key present (null where the addon left it out), then frozen. */
function shape(value, keys, nested = {}) {
  if (value === undefined || value === null) return null;
  const out = {};
  for (const key of keys) {
    let v = value[key] === undefined ? null : value[key];
    if (nested[key] && v !== null) v = nested[key](v);
    if (Array.isArray(v)) v = Object.freeze(v);
    out[key] = v;
  }
  return Object.freeze(out);
}

const backoff = (b) => Object.freeze({ ...b });
const diagnosis = (d) => shape(d, DIAGNOSIS, { backoff });
const finding = (f) => shape(f, FINDING);

/** What a failure means and what to do, from what the caller knows of it. */
function diagnose(question) {
  return diagnosis(native.diagnose(checkOptions("diagnose", question, QUESTION)));
}

/** What a response means: its status, its raw body bytes and what the caller knows. */
function diagnoseResponse(status, body, context) {
  if (!(body instanceof Uint8Array)) {
    throw new TypeError("the body must be the raw bytes: a Buffer or Uint8Array");
  }
  const answer = native.diagnoseResponse(status, body, checkOptions("diagnoseResponse", context, RESPONSE));
  return shape(answer, RESPONSE_DIAGNOSIS, {
    diagnosis,
    backoff,
    findings: (list) => list.map(finding),
  });
}

/** Checks a webhook delivery's X-Debitura-Signature header against its raw body. */
function checkWebhook(secret, header, body, options) {
  if (!(body instanceof Uint8Array)) {
    throw new TypeError("the body must be the raw bytes: a Buffer or Uint8Array");
  }
  const check = native.checkWebhook(secret, header, body, checkOptions("checkWebhook", options, WEBHOOK));
  return shape(check, CHECK, { diagnosis });
}

/** Every rule of the catalog, in its order. */
function rules() {
  return Object.freeze(native.rules().map((r) => shape(r, RULE, { backoff })));
}

/**
 * Seconds to wait before resend `resend` (1 for the first) of a call that rule
 * `id` backs off, before jitter; null once its attempts are used up.
 */
function backoffDelay(id, resend) {
  const wait = native.backoffDelay(id, resend);
  return wait === undefined ? null : wait;
}

/** The rule with this id (a retired id gives the rule that replaced it). */
function rule(id) {
  return shape(native.rule(id), RULE, { backoff });
}

module.exports = {
  Retry,
  OPERATIONS: Object.freeze(native.operations()),
  ENVIRONMENTS: Object.freeze(native.environments()),
  diagnose,
  diagnoseResponse,
  checkWebhook,
  rules,
  rule,
  backoffDelay,
};
