// debitura-triage for Node: the decisions of debitura-triage's compiled rules.
//
// The addon answers, with the core's field names in camelCase, and checks
// every option name and value (a misspelt option is an error naming the
// nearest valid one). This file checks that bodies are bytes and freezes
// every answer, all the way down.
"use strict";

const native = require("./debitura-triage.node");
const input = require("./input.js");
const calls = require("./calls.js");

/** The retry policies, by name. */
const Retry = Object.freeze({
  NEVER: "never",
  AFTER_USER_ACTION: "after-user-action",
  TOKEN_REFRESH: "token-refresh",
  BACKOFF: "backoff",
});

/** `value` with every object and array in it frozen. */
function frozen(value) {
  if (value !== null && typeof value === "object") {
    for (const inner of Object.values(value)) frozen(inner);
    Object.freeze(value);
  }
  return value;
}

function options(what, value) {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "object" || Array.isArray(value)) {
    throw new TypeError(`${what} takes an object of options`);
  }
  return value;
}

function webhookBody(body) {
  if (!(body instanceof Uint8Array)) {
    throw new TypeError("the body must be the raw bytes: a Buffer or Uint8Array");
  }
  return body;
}

/** The question's fields and the kind of value each takes. */
const FIELDS = {
  status: "number",
  type: "string",
  message: "string",
  operation: "string",
  event: "string",
  symptom: "string",
  afterTokenRefresh: "boolean",
  environment: "string",
  auth: "string",
  method: "string",
  idempotencyKey: "boolean",
};

/** The answers given so far, by the addon's id: each frozen, made once, shared. */
const ANSWERS = [];

/**
 * An answer is a function of the question alone: the ids of the questions
 * asked, kept in a tree of maps (a field's name, then its value, then the
 * next field's name …) so that a question asked again is found without
 * writing it out. At most `MEMO_MAX` questions are kept (the tree starts
 * afresh when full), none with a text longer than `MEMO_TEXT`.
 */
let MEMO = new Map();
let memoSize = 0;
const MEMO_MAX = 4096;
const MEMO_TEXT = 256;
const END = Symbol("answer id");

/** The map under `key` in `map`, made when missing. */
function child(map, key) {
  let next = map.get(key);
  if (next === undefined) map.set(key, (next = new Map()));
  return next;
}

/** What a failure means and what to do, from what the caller knows of it. */
function diagnose(question) {
  const q = options("diagnose", question) ?? {};
  let node = MEMO;
  let keep = true;
  for (const name in q) {
    const value = q[name];
    // Any question but one of known fields and right kinds goes whole, so
    // that the addon names what is wrong with it.
    if (!Object.hasOwn(FIELDS, name)) return frozen(native.diagnose(q));
    if (value === null || value === undefined) continue;
    if (typeof value !== FIELDS[name]) return frozen(native.diagnose(q));
    if (typeof value === "string" && value.length > MEMO_TEXT) keep = false;
    node = node?.get(name)?.get(value);
  }
  const known = keep ? node?.get(END) : undefined;
  if (known !== undefined) return ANSWERS[known];
  const id = native.diagnoseId(
    q.status,
    q.type,
    q.message,
    q.operation,
    q.event,
    q.symptom,
    q.afterTokenRefresh,
    q.environment,
    q.auth,
    q.method,
    q.idempotencyKey,
  );
  const answer = ANSWERS[id] ?? (ANSWERS[id] = frozen(native.answerOf(id)));
  if (keep) {
    if (memoSize >= MEMO_MAX) {
      MEMO = new Map();
      memoSize = 0;
    }
    let at = MEMO;
    for (const name in q) {
      const value = q[name];
      if (value !== null && value !== undefined) at = child(child(at, name), value);
    }
    if (!at.has(END)) memoSize += 1;
    at.set(END, id);
  }
  return answer;
}

/**
 * What a response means: its status, its body (bytes or text, as the client
 * holds it) and what the caller knows: the request's `method` and `url` or
 * its `operation`, the credential (`auth`), and the `Retry-After` as the
 * header gives it (`retryAfter`, or read from `headers`).
 */
function diagnoseResponse(status, body, context) {
  const given = options("diagnoseResponse", context);
  let rest = given;
  if (given !== undefined) {
    const { headers, retryAfter, ...others } = given;
    rest = others;
    const delay = retryAfter === undefined || retryAfter === null ? input.header(headers, "retry-after") : retryAfter;
    if (delay !== null) rest.retryAfter = delay;
  }
  return frozen(native.diagnoseResponse(status, input.bytes(body), rest));
}

/** Checks a webhook delivery's X-Debitura-Signature header against its raw body. */
function checkWebhook(secret, header, body, settings) {
  return frozen(native.checkWebhook(secret, header, webhookBody(body), options("checkWebhook", settings)));
}

/** Every rule of the catalog, in its order. */
function rules() {
  return frozen(native.rules());
}

/** The rule with this id (a retired id gives the rule that replaced it). */
function rule(id) {
  return frozen(native.rule(id));
}

/**
 * Seconds to wait before resend `resend` (1 for the first) of a call that rule
 * `id` backs off, before jitter; null once its attempts are used up.
 */
function backoffDelay(id, resend) {
  const wait = native.backoffDelay(id, resend);
  return wait === undefined ? null : wait;
}

module.exports = {
  Retry,
  BUDGET: calls.BUDGET,
  CallFailed: calls.CallFailed,
  OAuthTokens: calls.OAuthTokens,
  RetryBudget: calls.RetryBudget,
  OPERATIONS: Object.freeze(native.operations()),
  ENVIRONMENTS: Object.freeze(native.environments()),
  diagnose,
  diagnoseResponse,
  checkWebhook,
  rules,
  rule,
  backoffDelay,
};
