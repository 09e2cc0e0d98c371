// A `fetch` that carries out the core's decisions: it wraps the caller's
// `fetch` and runs each request through the core's call machine
// (`calls.js`): it adds the tenant's bearer token and an `Idempotency-Key`
// where the machine says so, sends, and after a failure reads the body
// (bounded, decoded as fetch decodes it) and does what the machine says:
// send again after its wait, with the same key and a fresh token when it
// says so, or throw `CallFailed`. A success is returned untouched. It
// decides nothing itself.
//
//   const { triageFetch, OAuthTokens } = require("debitura-triage/fetch");
//   const fetch = triageFetch(globalThis.fetch, { tokens: new OAuthTokens(apiKey), tenant: "acme-42" });
//
// A request may carry, in `init.debitura`: `tenant` (the tenant it acts
// for, over the wrapper's; `null` for none), `operation` (for a path the
// core does not know), `deadline` (seconds, over the wrapper's) and
// `noResend` (true: never sent twice).
"use strict";

const calls = require("./calls.js");

const { BUDGET, MAX_MINT_BODY, drive, monotonic, remaining } = calls;

/**
 * What a send's error says: the request never left, or left and got no
 * answer; thrown on as it is when it is the caller's own abort, or no
 * failure of the API at all (a bad URL or option).
 */
function lostOr(error, signal, late) {
  if (signal?.aborted) throw error; // the caller's own abort
  if (late) return { sent: true, error };
  const what = calls.lost(error);
  if (what !== null) return what;
  // undici's failure of a request that left, whatever its cause.
  if (error instanceof TypeError && error.message === "fetch failed") return { sent: true, error };
  throw error;
}

/** Whether a body can be sent again as it is. */
function replayable(body) {
  return (
    body === undefined ||
    body === null ||
    typeof body === "string" ||
    body instanceof ArrayBuffer ||
    ArrayBuffer.isView(body) ||
    body instanceof URLSearchParams ||
    (typeof Blob !== "undefined" && body instanceof Blob) ||
    (typeof FormData !== "undefined" && body instanceof FormData)
  );
}

/**
 * Reads at most `limit` bytes of `response`'s body, stopping at `deadline`
 * (on `clock`), and releases the rest; `{ data, complete, error }`.
 */
function readBody(response, limit, deadline, clock) {
  if (response.body === null) return Promise.resolve({ data: new Uint8Array(0), complete: true });
  const reader = response.body.getReader();
  const next = () => reader.read().then(({ done, value }) => (done ? null : value));
  const stop = () => {
    reader.cancel().catch(() => {});
  };
  return calls.readBounded(next, stop, limit, deadline, clock);
}

/**
 * Wraps `fetch` (by default the global one): `tokens` gives the bearer
 * tokens of `tenant` (an `OAuthTokens`, or a function `(tenant, stale) =>
 * token`), `budget` bounds resends across the process (the package's
 * `BUDGET` by default), `deadline` (seconds) bounds each call, every
 * attempt, wait and mint included.
 */
function triageFetch(fetch = globalThis.fetch, { tokens = null, tenant = null, budget = BUDGET, deadline = null, clock = monotonic } = {}) {
  if (typeof fetch !== "function") throw new TypeError("triageFetch wraps a fetch function");

  function run(resource, init, outer) {
    const given = init?.debitura;
    let rest = init;
    if (given !== undefined) {
      rest = { ...init };
      delete rest.debitura;
    }
    const options = given ?? {};
    const request = typeof Request !== "undefined" && resource instanceof Request ? resource : null;
    const url = request === null ? String(resource) : request.url;
    const method = String(rest?.method ?? request?.method ?? "GET").toUpperCase();
    // The caller's headers, as given: read for what the core reads, copied
    // only when the driver adds to them.
    const own = rest?.headers ?? request?.headers;
    const seen = own === undefined || own instanceof Headers ? own : new Headers(own);
    const signal = rest?.signal ?? request?.signal ?? null;
    const who = options.tenant !== undefined ? options.tenant : tenant;
    const now = clock();
    const at = calls.deadlineAt(now, options.deadline ?? deadline, outer);
    const call = calls.start(method, url, budget, now, seen, {
      operation: options.operation,
      tenant: who !== null,
      replayable: request === null ? replayable(rest?.body) : request.body === null,
      noResend: Boolean(options.noResend),
      deadline: at ?? undefined,
    });

    // A deadline's timer and whether it fired, for the send in flight.
    let late = false;

    function send(extra) {
      let headers = seen;
      for (const name in extra) {
        if (headers === seen) headers = new Headers(seen);
        headers.set(name, extra[name]);
      }
      const left = remaining(call.deadline, clock);
      late = false;
      if (left === null) {
        // Nothing to bound: the caller's request, with what the driver adds.
        return fetch(request ?? url, headers === seen ? rest : { ...rest, method, headers });
      }
      const deadline = new AbortController();
      const timer = setTimeout(() => {
        late = true;
        deadline.abort(new Error("the call's deadline passed"));
      }, left * 1000);
      // The caller's signal still aborts, as fetch's own would; neither
      // keeps a listener on the other once the request is gone.
      const bound = signal === null ? deadline.signal : AbortSignal.any([signal, deadline.signal]);
      const sending = fetch(request ?? url, { ...rest, method, headers, signal: bound });
      const done = () => clearTimeout(timer);
      sending.then(done, done);
      return sending;
    }

    return drive(call, {
      tenant: who,
      tokens,
      clock,
      send,
      lost: (error) => lostOr(error, signal, late),
      read: (response, limit) => readBody(response, limit, call.deadline, clock),
      sleep: (seconds) => calls.sleep(seconds, signal),
      mint: async (mint, mintDeadline) => {
        const { url: endpoint, ...init } = mint;
        const response = await run(endpoint, { ...init, debitura: { tenant: null } }, mintDeadline);
        const body = await readBody(response, MAX_MINT_BODY, mintDeadline, clock);
        if (!body.complete) throw new Error("the token response was cut short or is longer than 16 KiB");
        return { status: response.status, body: body.data };
      },
    });
  }

  return function fetchThroughTriage(resource, init) {
    try {
      return run(resource, init, null);
    } catch (error) {
      return Promise.reject(error); // as fetch does: every failure a rejection
    }
  };
}

module.exports = { triageFetch, CallFailed: calls.CallFailed, OAuthTokens: calls.OAuthTokens, RetryBudget: calls.RetryBudget, BUDGET };
