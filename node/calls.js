// Carrying out the core's decisions: one loop that every driver runs.
//
// The core's call machine (`Call`, from the addon) decides everything:
// whether to get a token first, which `Idempotency-Key` to add, and after
// each failed send whether to send again, after how long, with a fresh token
// or not, or why to stop. `drive` walks a call through it; the driver gives
// it the I/O only (`send`, `read`, `sleep`, `mint`) and decides nothing.
// The drivers are `fetch.js` (any `fetch`) and `axios.js` (an axios
// instance, as Debitura's TypeScript SDK takes it).
"use strict";

const native = require("./debitura-triage.node");
const input = require("./input.js");

/** The least status the core hands over as a failure; every one above is one too. */
const FAILED_FROM = native.failedFrom();

/** What a request asks of the machine before its first send: the core's facts, read once. */
const FACTS = native.startFacts();

/** Methods of the routes whose operation takes an `Idempotency-Key` (upper case). */
const KEY_METHODS = new Set(FACTS.keyMethods);

/**
 * One call in progress in the core's machine: the core decides, the driver
 * sends, reads, waits and mints. A request that asks nothing before its
 * first send (no key to add: its method has no route that takes one and it
 * names no operation) is sent before the machine is started; the machine is
 * started, with the time the call began, at its first failure, and a
 * success is counted in the budget as a first attempt (`end`). `end()` lets
 * the machine forget it (`drive` does, however the call ends).
 */
class Call {
  constructor(method, url, budget, now, flags, authorization, operation, deadline) {
    this.method = method;
    this.url = url;
    this.budget = budget;
    this.now = now;
    this.requestFlags = flags;
    this.authorization = authorization;
    this.operationGiven = operation;
    this.deadline = deadline ?? null;
    this.handle = null;
    this.flags = 0;
    if (operation !== undefined || KEY_METHODS.has(method) || KEY_METHODS.has(String(method).toUpperCase())) this.machine();
  }

  /** The call's handle in the addon, starting the machine first when it is not yet. */
  machine() {
    if (this.handle === null) {
      const started = native.callStart(
        this.method,
        this.url,
        this.budget[ID],
        this.now,
        this.requestFlags,
        this.authorization,
        this.operationGiven,
        this.deadline ?? NaN,
        ENDED.length === 0 ? -1 : ENDED.pop(),
      );
      this.handle = Math.floor(started / 4);
      this.flags = started % 4;
    }
    return this.handle;
  }

  /** Whether a status is a failure the driver hands over: the core's word, read once. */
  static failed(status) {
    return status >= FAILED_FROM;
  }

  /** Whether to get the tenant's token before the first send. */
  get needsToken() {
    return this.handle === null ? FACTS.tokenFirst[(this.requestFlags & 1) * 2 + (this.authorization === null ? 0 : 1)] : (this.flags & 1) !== 0;
  }

  /** The `Idempotency-Key` to add to every copy, or null. */
  get keyToAdd() {
    return (this.flags & 2) === 0 ? null : native.callKeyToAdd(this.handle);
  }

  /** The operation's name, from the route or the caller's word. */
  get operation() {
    return native.callOperation(this.machine());
  }

  /** Sends made so far. */
  get attempts() {
    return native.callAttempts(this.machine());
  }

  /** A failed answer: status, body as read, when, its Retry-After, whether the body was read whole. */
  answered(status, body, now, retryAfter, complete) {
    countFirstAttempts(); // the budget decides on every first attempt sent so far
    return native.callAnswered(this.machine(), status, body, now, retryAfter, complete);
  }

  /** A send that never left. */
  notSent(now) {
    countFirstAttempts();
    return native.callNotSent(this.machine(), now);
  }

  /** A send that went out and got no answer. */
  noAnswer(now) {
    countFirstAttempts();
    return native.callNoAnswer(this.machine(), now);
  }

  /** Why the call stops when no token could be had at `now`. */
  tokenFailed(now) {
    return native.callTokenFailed(this.machine(), now);
  }

  /** The answer a call carries when it stops before any failure was read. */
  unanswered() {
    return native.callUnanswered(this.machine());
  }

  /**
   * Lets the machine forget the call. A call never started is counted as a
   * first attempt (with the next failure's start, or within
   * `FIRST_ATTEMPTS_WITHIN` seconds); a started one's handle is handed to
   * the next `callStart`, which ends it first (past `ENDED_KEPT` waiting,
   * each is ended at once): a success crosses into the addon at most once.
   */
  end() {
    if (this.handle === null) {
      FIRST_ATTEMPTS.budgets.push(this.budget);
      FIRST_ATTEMPTS.urls.push(this.url);
      FIRST_ATTEMPTS.times.push(this.now);
      if (FIRST_ATTEMPTS.times.length >= FIRST_ATTEMPTS_KEPT) countFirstAttempts();
      else if (FIRST_ATTEMPTS.timer === null) {
        FIRST_ATTEMPTS.timer = setTimeout(countFirstAttempts, FIRST_ATTEMPTS_WITHIN * 1000);
        FIRST_ATTEMPTS.timer.unref();
      }
      this.handle = -1; // counted: ended
    } else if (this.handle >= 0) {
      if (ENDED.length < ENDED_KEPT) ENDED.push(this.handle);
      else native.callEnd(this.handle);
      this.handle = -1;
    }
  }
}

/**
 * First attempts of calls never started, waiting to be counted in their
 * budgets (held, so that a budget's number is not given to another before
 * they are counted).
 */
const FIRST_ATTEMPTS = { budgets: [], urls: [], times: [], timer: null };

/** The most first attempts kept waiting before they are counted. */
const FIRST_ATTEMPTS_KEPT = 256;

/** Seconds within which a first attempt is counted, at the latest. */
const FIRST_ATTEMPTS_WITHIN = 0.1;

/** Counts the first attempts waiting, in one crossing. */
function countFirstAttempts() {
  const { budgets, urls, times, timer } = FIRST_ATTEMPTS;
  if (timer !== null) clearTimeout(timer);
  FIRST_ATTEMPTS.budgets = [];
  FIRST_ATTEMPTS.urls = [];
  FIRST_ATTEMPTS.times = [];
  FIRST_ATTEMPTS.timer = null;
  if (times.length > 0) native.budgetFirstAttempts(budgets.map((b) => b[ID]), urls, times);
}

/** Handles of calls ended since the last `callStart`, which ends them one at a time. */
const ENDED = [];

/** The most ended calls kept waiting for a `callStart`. */
const ENDED_KEPT = 64;

/** The most bytes of a failed response's body read: what the core reads of a body. */
const MAX_SCAN = native.maxScan();

/** The longest token response read; a real one is a few hundred bytes. */
const MAX_MINT_BODY = 16 * 1024;

/**
 * A token is replaced this long (seconds) before it expires, or after half
 * its life for one that lives under two minutes, so that it does not expire
 * in flight.
 */
const RENEW_MARGIN = 60;

/** Seconds on the process's monotonic clock. */
const monotonic = () => performance.now() / 1000;

/** The number of a budget in the addon, which calls name it by. */
const ID = Symbol("debitura-triage.budget");

/** Forgets a budget in the addon once its `RetryBudget` is collected. */
const DROPPED = new FinalizationRegistry((id) => native.budgetDrop(id));

/**
 * Bounds the resends of every call that shares it, one account per API
 * host: resends may add `ratio` (0.2) of the first attempts of the last
 * `windowSecs` (10), plus `reservePerSecond` (10; this instance's).
 */
class RetryBudget {
  constructor(options = undefined) {
    const made = RetryBudget.#made;
    RetryBudget.#made = null;
    this.#keep(made ?? native.budgetNew(options ?? null));
  }

  /** The default budget for one of `instances` processes sharing an API key: the reserve divided between them. */
  static forInstances(instances) {
    RetryBudget.#made = native.budgetForInstances(instances);
    return new RetryBudget();
  }

  /** A budget `forInstances` made in the addon, for the constructor to take. */
  static #made = null;

  #ratio;
  #reservePerSecond;
  #windowSecs;

  #keep(id) {
    Object.defineProperty(this, ID, { value: id });
    const settings = native.budgetSettings(id);
    this.#ratio = settings.ratio;
    this.#reservePerSecond = settings.reservePerSecond;
    this.#windowSecs = settings.windowSecs;
    DROPPED.register(this, id);
  }

  get ratio() {
    return this.#ratio;
  }

  get reservePerSecond() {
    return this.#reservePerSecond;
  }

  get windowSecs() {
    return this.#windowSecs;
  }
}

/** The budget every driver draws on unless given another: one per process. */
const BUDGET = new RetryBudget();

/**
 * A call the core stopped: what failed, what the catalog says about it, and
 * why nothing more was tried. `answer` is the core's answer to the last
 * failure (the keys of `diagnoseResponse`'s); `rule`, `retry`, `url` (to
 * show a person) and `retryAfter` (the server's delay in seconds, kept to
 * reschedule) come from it. `reason` says why the call stopped (`policy`,
 * `attempts-used-up`, `wait-too-long`, `budget-spent`, `deadline`,
 * `token-unavailable`, …), `attempts` how many sends were made. `status`,
 * `headers` and `body` (as read, at most `MAX_SCAN` bytes) are the last
 * response's, when there was one; `mint` is the token mint's own
 * `CallFailed` when no token could be had. The message holds no text from
 * the response, so it can be logged as it is.
 */
class CallFailed extends Error {
  constructor(step, { operation = null, status = null, headers = null, body = null, mint = null, cause } = {}) {
    const answer = step.answer;
    const what = status === null ? "no response" : String(status);
    super(
      `${operation || "request"}: ${what} ${answer.rule || "(unrecognised)"}: ${answer.solution} [${step.reason}]`,
      cause === undefined ? undefined : { cause },
    );
    this.name = "CallFailed";
    this.answer = answer;
    this.rule = answer.rule;
    this.retry = answer.retry;
    this.url = answer.url;
    this.retryAfter = answer.retryAfterSecs;
    this.reason = step.reason;
    this.attempts = step.attempts;
    this.operation = operation;
    this.status = status;
    this.headers = headers;
    this.body = body ?? new Uint8Array(0);
    this.mint = mint;
  }
}

/**
 * Mints Customer API bearer tokens with `POST /oauth/token` on the Referral
 * Partner API (`XApiKey` header, body `{"externalTenantId": …}`), caches
 * each tenant's token until a minute before its `expiresIn` runs out, and
 * mints at most one at a time per tenant: calls that need a tenant's token
 * at once wait for the same mint. A mint is a call like any other: it goes
 * through the core's machine with the driver's budget, so a 503 is backed
 * off, and a failure is its own `CallFailed`. `environment` is `"test"` or
 * `"production"`; `baseUrl` mints somewhere else (a proxy, a local fake).
 * The key is a secret: it is held in a private field, never shown.
 */
class OAuthTokens {
  #key;
  #clock;
  #cache = new Map();
  #minting = new Map();

  constructor(apiKey, { environment = "test", baseUrl, clock = monotonic } = {}) {
    if (typeof apiKey !== "string" || apiKey === "") {
      throw new TypeError("OAuthTokens takes the API key as a non-empty string");
    }
    const base = baseUrl ?? `https://${native.host("mint-token", environment)}`;
    this.endpoint = `${String(base).replace(/\/+$/, "")}/oauth/token`;
    this.#key = apiKey;
    this.#clock = clock;
  }

  /** The tenant's cached token, unless it is due for renewal or is the one just refused. */
  cached(tenant, stale) {
    const hit = this.#cache.get(tenant);
    if (hit === undefined || hit.token === stale || this.#clock() >= hit.renewAt) return null;
    return hit.token;
  }

  /** The mint's method, URL, headers and body. */
  request(tenant) {
    return {
      method: "POST",
      url: this.endpoint,
      headers: { XApiKey: this.#key, "Content-Type": "application/json" },
      body: JSON.stringify({ externalTenantId: tenant }),
    };
  }

  /** Reads a mint's answer, caches its token and returns it; throws when it has none. */
  store(tenant, status, body) {
    if (status < 200 || status >= 300) throw new Error(`the token mint answered ${status}`);
    let parsed;
    try {
      parsed = JSON.parse(Buffer.from(body).toString("utf8"));
    } catch {
      throw new Error("the token response is not JSON");
    }
    const token = parsed !== null && typeof parsed === "object" ? parsed.accessToken : undefined;
    if (typeof token !== "string" || token === "" || /[\r\n]/.test(token)) {
      throw new Error("the token response has no usable `accessToken`");
    }
    const lifetime = typeof parsed.expiresIn === "number" && Number.isFinite(parsed.expiresIn) ? parsed.expiresIn : 0;
    const margin = Math.min(RENEW_MARGIN, lifetime / 2);
    this.#cache.set(tenant, { token, renewAt: this.#clock() + Math.max(lifetime - margin, 0) });
    return token;
  }

  /**
   * A token for `tenant` other than `stale`: the cached one, or one minted
   * with `mint(request)` (which sends the request through the driver and
   * returns `{ status, body }`), one mint at a time per tenant.
   */
  async token(tenant, stale, mint) {
    const hit = this.cached(tenant, stale);
    if (hit !== null) return hit;
    let pending = this.#minting.get(tenant);
    if (pending === undefined) {
      pending = (async () => {
        try {
          const { status, body } = await mint(this.request(tenant));
          return this.store(tenant, status, body);
        } finally {
          this.#minting.delete(tenant);
        }
      })();
      this.#minting.set(tenant, pending);
    }
    return pending;
  }
}

/** A token from `tokens` (an `OAuthTokens` or a function `(tenant, stale) => token`). */
async function tokenOf(tokens, tenant, stale, mint) {
  if (tokens instanceof OAuthTokens) return tokens.token(tenant, stale, mint);
  if (typeof tokens === "function") {
    const got = await tokens(tenant, stale);
    if (typeof got !== "string" || got === "") throw new TypeError("a token function returns the token as a string");
    return got;
  }
  throw new Error("no token source is configured");
}

/**
 * Carries out `call`. `io` does what each step names and nothing else:
 * `send(headers)` sends the request with these headers added (or replaced)
 * and returns the client's promise of a response (with `status` and
 * `headers`); `lost(error)` says what a send's error means: `{ sent,
 * error }` (`sent`: whether the request left), or throws it on when it is no
 * failure of the API; `read(response, limit)` reads at most `limit` bytes
 * of a failed response's body and returns `{ data, complete, error }`;
 * `sleep(seconds)`; `mint(request, deadline)` sends a token mint through
 * the same driver and returns `{ status, body }`. Returns the response that
 * ended the call, or throws `CallFailed`; with `done(response)` and
 * `fail(error)` (what to throw instead), what they make of them.
 */
function drive(call, { tenant = null, tokens = null, clock = monotonic, send, lost, read, sleep, mint, done = same, fail = same }) {
  const key = call.keyToAdd;
  const extra = key === null ? {} : { "Idempotency-Key": key };
  // The token the first send carries, when the source holds one.
  let token = null;
  const failed = (error) => {
    throw fail(error);
  };
  const rest = (first) =>
    walk(call, tenant, tokens, clock, send, lost, read, sleep, mint, extra, first, token)
      .finally(() => call.end())
      .then(done, failed);
  // A first send that needs nothing from the source or the machine before
  // it is made here, and the steps are walked only after a failure: a
  // success costs no more than the send.
  if (tenant !== null && call.needsToken) {
    token = tokens instanceof OAuthTokens ? tokens.cached(tenant, null) : null;
    if (token === null) return rest(null);
    extra.Authorization = `Bearer ${token}`;
  }
  let first;
  try {
    first = send(extra);
  } catch (error) {
    call.end();
    return Promise.reject(fail(error));
  }
  return first.then(
    (response) => {
      if (!Call.failed(response.status)) {
        call.end();
        return done(response);
      }
      return rest({ status: response.status, headers: response.headers, response });
    },
    (error) => {
      let what;
      try {
        what = lost(error);
      } catch (thrown) {
        call.end();
        throw fail(thrown);
      }
      return rest(what);
    },
  );
}

/** A value as it is. */
const same = (value) => value;

/** What came of a send, as the loop reads it. */
async function outcome(send, lost, extra) {
  try {
    const response = await send(extra);
    return { status: response.status, headers: response.headers, response };
  } catch (error) {
    return lost(error);
  }
}

async function walk(call, tenant, tokens, clock, send, lost, read, sleep, mint, extra, first, held) {
  let token = held; // the token the first send carried, if any
  let last = null; // no failure yet
  const obtain = async () => {
    let got;
    try {
      got = await tokenOf(tokens, tenant, token, (request) => mint(request, call.deadline));
    } catch (e) {
      const reason = call.tokenFailed(clock());
      if (e instanceof CallFailed) {
        // The mint's own answer, carried as the call's.
        const step = { answer: e.answer, reason, attempts: call.attempts };
        throw new CallFailed(step, { operation: e.operation, status: e.status, headers: e.headers, body: e.body, mint: e, cause: e });
      }
      const answer = last === null ? call.unanswered() : last.answer;
      throw new CallFailed({ answer, reason, attempts: call.attempts }, { operation: call.operation, cause: e });
    }
    token = got;
    extra.Authorization = `Bearer ${got}`;
  };
  let sent = first;
  if (sent === null) {
    if (tenant !== null && call.needsToken) await obtain();
    sent = await outcome(send, lost, extra);
  }
  for (;;) {
    const status = sent.status ?? null;
    if (status !== null && !Call.failed(status)) return sent.response;
    let step;
    const failure = { operation: call.operation, cause: sent.error };
    if (status !== null) {
      const body = await read(sent.response, MAX_SCAN);
      if (body.error !== undefined) failure.cause = body.error;
      step = call.answered(status, body.data, clock(), input.header(sent.headers, "retry-after"), body.complete);
      Object.assign(failure, { status, headers: sent.headers, body: body.data });
    } else {
      step = sent.sent ? call.noAnswer(clock()) : call.notSent(clock());
    }
    if (!step.resend) throw new CallFailed(step, failure);
    if (step.after > 0) await sleep(step.after);
    last = step;
    if (step.freshToken && tenant !== null) await obtain();
    sent = await outcome(send, lost, extra);
  }
}

/**
 * Starts a call of `method` to `url` at `now` on `budget`: `headers` are the
 * request's (of any kind `input.header` reads; the core reads
 * `Authorization`, `XApiKey` and `Idempotency-Key`), `operation` names it
 * for a path the core does not know, `tenant` says a token source serves
 * it, `replayable` whether its body can be sent again, `noResend` forbids a
 * second send, `deadline` is when it must be over (on the same clock).
 */
function start(method, url, budget, now, headers, { operation, tenant, replayable, noResend, deadline }) {
  if (budget?.[ID] === undefined) throw new TypeError("budget is a RetryBudget");
  const seen = input.known(headers);
  const flags =
    (tenant ? 1 : 0) |
    (replayable === false ? 2 : 0) |
    (noResend ? 4 : 0) |
    (seen.apiKey === null ? 0 : 8) |
    (seen.idempotencyKey === null ? 0 : 16);
  return new Call(method, url, budget, now, flags, seen.authorization, operation, deadline);
}

/** Seconds left before `deadline` (at least a millisecond), or null. */
function remaining(deadline, clock = monotonic) {
  return deadline === null ? null : Math.max(deadline - clock(), 0.001);
}

/** When a call started at `now` must be over: `seconds` away, or at `at`, whichever comes first. */
function deadlineAt(now, seconds, at) {
  if (seconds === undefined || seconds === null) return at ?? null;
  return at === undefined || at === null ? now + seconds : Math.min(at, now + seconds);
}

/**
 * Waits `seconds` (never less: the timer counts whole milliseconds, so the
 * wait is rounded up), or rejects with the signal's reason when it aborts
 * first.
 */
function sleep(seconds, signal) {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, Math.ceil(seconds * 1000));
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * Codes of a request that never left: no connection could be made (refused,
 * no route, name not resolved, connect timed out) or TLS refused the peer.
 */
const NOT_SENT = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "UND_ERR_CONNECT_TIMEOUT",
  "CERT_HAS_EXPIRED",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);

/** Codes of a request that left and got no answer: the outcome is unknown. */
const NO_ANSWER = new Set([
  "ECONNRESET",
  "ECONNABORTED",
  "ETIMEDOUT",
  "ESOCKETTIMEDOUT",
  "EPIPE",
  "ERR_NETWORK",
  "UND_ERR_SOCKET",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
  "UND_ERR_CLOSED",
]);

/** The code of a network failure, from the error or what caused it. */
function codeOf(error) {
  for (let e = error, depth = 0; e && depth < 4; e = e.cause, depth += 1) {
    if (typeof e.code === "string") return e.code;
  }
  return null;
}

/**
 * What a send's error says of the request, by its code: `{ sent: false }`
 * (it never left), `{ sent: true }` (it left; no answer came), or null when
 * it is no network failure at all (a bad URL or option: the caller's own).
 */
function lost(error) {
  const code = codeOf(error);
  if (code !== null && NOT_SENT.has(code)) return { sent: false, error };
  if (code !== null && NO_ANSWER.has(code)) return { sent: true, error };
  return null;
}

/**
 * Reads a body a chunk at a time with `next()` (a promise of the next chunk,
 * or of null at the end) up to `limit` bytes, stopping at `deadline` (on
 * `clock`): when the body goes on past the bound, or the deadline comes
 * first, `stop()` abandons the rest. Returns `{ data, complete, error }`.
 */
async function readBounded(next, stop, limit, deadline, clock) {
  const chunks = [];
  let size = 0;
  let late = false;
  const left = remaining(deadline, clock);
  const timer =
    left === null
      ? null
      : setTimeout(() => {
          late = true;
          stop();
        }, left * 1000);
  try {
    for (;;) {
      const chunk = await next();
      if (chunk === null) return { data: joined(chunks, size), complete: !late };
      const bytes = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
      const room = limit - size;
      const take = bytes.subarray(0, room);
      chunks.push(take);
      size += take.length;
      if (bytes.length > room) {
        stop();
        return { data: joined(chunks, size), complete: false };
      }
    }
  } catch (error) {
    return { data: joined(chunks, size), complete: false, error };
  } finally {
    if (timer !== null) clearTimeout(timer);
  }
}

/** Chunks as one Uint8Array. */
function joined(chunks, size) {
  return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size);
}

module.exports = {
  BUDGET,
  Call,
  CallFailed,
  MAX_MINT_BODY,
  MAX_SCAN,
  OAuthTokens,
  RetryBudget,
  deadlineAt,
  drive,
  joined,
  lost,
  monotonic,
  readBounded,
  remaining,
  sleep,
  start,
};
