// An axios instance that carries out the core's decisions, as Debitura's
// TypeScript SDK takes it (`new CasesApi(configuration, basePath, instance)`).
//
//   const axios = require("axios");
//   const { install, OAuthTokens } = require("debitura-triage/axios");
//   const http = install(axios.create(), { tokens: new OAuthTokens(apiKey), tenant: "acme-42" });
//
// `install` puts an adapter in front of the instance's own: each request
// runs through the core's call machine (`calls.js`), with the tenant's
// bearer token and, on a write that takes one, an `Idempotency-Key` (the
// same on every copy). The adapter asks for the response as a stream, so
// that a failure's raw body is read (bounded) before axios decodes it; a
// success is read whole and handed on as axios's own adapter would (text,
// or bytes for `responseType: "arraybuffer"`, the stream itself for
// `"stream"`), so the SDK's results do not change. A call the machine stops
// is axios's own `AxiosError` (with `response` when there was one), its
// `triage` the `CallFailed` with the core's answer. The adapter decides
// nothing itself. A request may carry `debitura: { tenant, operation,
// deadline, noResend }` in its config, as `fetch.js` takes them.
"use strict";

const calls = require("./calls.js");

const { BUDGET, CallFailed, MAX_MINT_BODY, drive, monotonic, remaining } = calls;

const TRIAGED = Symbol.for("debitura-triage.axios-adapter");

/** A request's `debitura` options when it gives none. */
const NONE = Object.freeze({});

/** An empty body, as axios hands one on. */
const EMPTY = Buffer.alloc(0);

/** A URL with a scheme, or scheme-relative, as axios tells them. */
const ABSOLUTE = /^([a-z][a-z\d+\-.]*:)?\/\//i;

/**
 * The request's URL as axios joins it (`baseURL` and `url`, as its
 * `buildFullPath` does), without its query: all the core reads of it is
 * the host and the path.
 */
function fullUrl(config) {
  const url = config.url ?? "";
  const base = config.baseURL;
  if (base && (!ABSOLUTE.test(url) || config.allowAbsoluteUrls === false)) {
    return url ? `${base.replace(/\/?\/$/, "")}/${url.replace(/^\/+/, "")}` : base;
  }
  return url;
}

/** Whether request data (after axios's transforms) can be sent again. */
function replayable(data) {
  return !(data !== null && typeof data === "object" && typeof data.pipe === "function");
}

/**
 * Reads at most `limit` bytes of a response stream, stopping at `deadline`
 * (on `clock`), and destroys the rest; `{ data, complete, error }`.
 */
function readStream(stream, limit, deadline, clock) {
  const chunks = stream[Symbol.asyncIterator]();
  const next = () => chunks.next().then(({ done, value }) => (done ? null : value));
  return calls.readBounded(next, () => stream.destroy(), limit, deadline, clock);
}

/** Bytes as axios hands a body on for `config`: text without a BOM, or the bytes. */
function decoded(bytes, config) {
  if (config.responseType === "arraybuffer") return bytes;
  const text = bytes.toString(config.responseEncoding);
  if (config.responseEncoding && config.responseEncoding !== "utf8") return text;
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * Drives every request of the axios `instance` through the core and returns
 * it: `tokens` gives the bearer tokens of `tenant` (an `OAuthTokens`, or a
 * function `(tenant, stale) => token`), `budget` bounds resends across the
 * process (`BUDGET` by default), `deadline` (seconds) bounds each call,
 * every attempt, wait and mint included. `axios` is the axios module the
 * instance came from (`require("axios")` by default).
 */
function install(instance, { tokens = null, tenant = null, budget = BUDGET, deadline = null, clock = monotonic, axios } = {}) {
  const lib = axios ?? require("axios");
  const current = instance.defaults.adapter;
  if (current !== undefined && current !== null && current[TRIAGED]) {
    throw new Error("this axios instance already carries out debitura-triage's decisions");
  }
  const inner = lib.getAdapter(current ?? lib.defaults.adapter);
  const { AxiosError, AxiosHeaders } = lib;

  /** A stopped call as axios's own error, the core's answer as `triage`. */
  function asAxiosError(failed, config) {
    let error;
    if (failed.status !== null) {
      const bytes = Buffer.from(failed.body);
      const data =
        config.responseType === "stream" ? require("node:stream").Readable.from([bytes]) : decoded(bytes, config);
      const response = { data, status: failed.status, statusText: "", headers: failed.headers, config, request: null };
      const code = failed.status < 500 ? AxiosError.ERR_BAD_REQUEST : AxiosError.ERR_BAD_RESPONSE;
      error = new AxiosError(`Request failed with status code ${failed.status}`, code, config, null, response);
    } else {
      const cause = failed.cause;
      const code = (cause && typeof cause.code === "string" && cause.code) || AxiosError.ERR_NETWORK;
      error = new AxiosError(failed.message, code, config, null);
    }
    error.triage = failed;
    error.cause = failed;
    return error;
  }

  /** All of a success's body, gathered as axios's own adapter gathers it. */
  function gather(stream) {
    return new Promise((resolve, reject) => {
      const chunks = [];
      let size = 0;
      stream.on("data", (chunk) => {
        chunks.push(chunk);
        size += chunk.length;
      });
      stream.once("end", () => resolve(Buffer.concat(chunks, size)));
      stream.once("error", reject);
    });
  }

  /** The response handed on with `data`, its status checked as axios checks it. */
  function settled(response, config, data) {
    response.data = data;
    response.config = config;
    const validate = config.validateStatus;
    if (!response.status || !validate || validate(response.status)) return response;
    const status = response.status;
    const code = status >= 400 && status < 500 ? AxiosError.ERR_BAD_REQUEST : AxiosError.ERR_BAD_RESPONSE;
    throw new AxiosError(`Request failed with status code ${status}`, code, config, response.request, response);
  }

  /**
   * A success handed on as axios's own adapter hands it. A message that
   * arrived whole (Node's `complete`) is taken from the stream's buffer at
   * once; any other is gathered as it comes.
   */
  function finish(response, config) {
    const stream = response.data;
    if (config.responseType === "stream") return settled(response, config, stream);
    if (stream.complete === true && !stream.destroyed) {
      return settled(response, config, decoded(stream.read() ?? EMPTY, config));
    }
    return gather(stream).then(
      (bytes) => settled(response, config, decoded(bytes, config)),
      (e) => {
        throw AxiosError.from(e, null, config, response.request, response);
      },
    );
  }

  function run(config) {
    const options = config.debitura ?? NONE;
    const url = fullUrl(config);
    const method = config.method ?? "get"; // the core reads it in any case
    // The request's headers, as axios hands them over: read for what the
    // core reads, copied only when the driver adds to them.
    const base = config.headers;
    const who = options.tenant !== undefined ? options.tenant : tenant;
    const now = clock();
    const at = calls.deadlineAt(now, options.deadline ?? deadline, options.deadlineAt);
    const call = calls.start(method, url, budget, now, base, {
      operation: options.operation,
      tenant: who !== null,
      replayable: replayable(config.data),
      noResend: Boolean(options.noResend),
      deadline: at ?? undefined,
    });

    // What the driver changes on the config while a send is in flight (the
    // headers it adds, the deadline's timeout, a stream to read a failure
    // within bounds, every status handed back), put back before the call
    // ends: the config is this request's own, as axios's own steps change
    // it, and the caller sees it as given.
    const { timeout: givenTimeout, responseType: givenType, validateStatus: givenValidate } = config;
    const had = (Object.hasOwn(config, "timeout") ? 1 : 0) | (Object.hasOwn(config, "responseType") ? 2 : 0) | (Object.hasOwn(config, "validateStatus") ? 4 : 0);
    function restore() {
      config.headers = base;
      if (had & 1) config.timeout = givenTimeout;
      else delete config.timeout;
      if (had & 2) config.responseType = givenType;
      else delete config.responseType;
      if (had & 4) config.validateStatus = givenValidate;
      else delete config.validateStatus;
    }

    function send(extra) {
      let headers = base;
      for (const name in extra) {
        if (headers === base) headers = new AxiosHeaders(base);
        headers.set(name, extra[name]);
      }
      let timeout = givenTimeout;
      if (call.deadline !== null) {
        const left = remaining(call.deadline, clock);
        const own = timeout > 0 ? timeout : Infinity;
        timeout = Math.max(Math.min(own, Math.ceil(left * 1000)), 1);
      }
      config.headers = headers;
      config.timeout = timeout;
      config.responseType = "stream";
      config.validateStatus = null;
      return inner(config);
    }

    /** What a send's error means, on the caller's config (without the token). */
    function lost(error) {
      if (error !== null && typeof error === "object" && "config" in error) {
        // The config the caller gave, not the copy with the bearer token;
        // and no request, whose written head holds the token too.
        error.config = config;
        error.request = undefined;
      }
      if (lib.isCancel(error)) throw error; // the caller's own abort
      const what = calls.lost(error);
      if (what !== null) return what;
      throw error; // not a failure of the API: the request cannot be sent at all
    }

    async function mint(request, mintDeadline) {
      try {
        const r = await instance.request({
          method: request.method,
          url: request.url,
          headers: request.headers,
          data: request.body,
          responseType: "arraybuffer",
          transformResponse: [],
          maxContentLength: MAX_MINT_BODY,
          debitura: { tenant: null, deadlineAt: mintDeadline },
        });
        return { status: r.status, body: new Uint8Array(r.data) };
      } catch (e) {
        throw e?.triage instanceof CallFailed ? e.triage : e;
      }
    }

    return drive(call, {
      tenant: who,
      tokens,
      clock,
      send,
      lost,
      read: (r, limit) => readStream(r.data, limit, call.deadline, clock),
      sleep: (seconds) => calls.sleep(seconds, config.signal ?? null),
      mint,
      done: (response) => {
        restore();
        return finish(response, config);
      },
      fail: (e) => {
        restore();
        return e instanceof CallFailed ? asAxiosError(e, config) : e;
      },
    });
  }

  const adapter = (config) => {
    try {
      return run(config);
    } catch (error) {
      return Promise.reject(error);
    }
  };
  adapter[TRIAGED] = true;
  instance.defaults.adapter = adapter;
  return instance;
}

module.exports = { install, CallFailed, OAuthTokens: calls.OAuthTokens, RetryBudget: calls.RetryBudget, BUDGET };
