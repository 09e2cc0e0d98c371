// What clients hold, taken as it comes: a body as a Buffer, Uint8Array,
// ArrayBuffer, DataView or string; headers as a fetch `Headers`, axios's
// `AxiosHeaders` or a plain object, names compared without regard to case.
"use strict";

const EMPTY = new Uint8Array(0);

/** The bytes of `body`: a string as UTF-8, a view or buffer as it is, none as empty. */
function bytes(body) {
  if (body === undefined || body === null) return EMPTY;
  if (body instanceof Uint8Array) return body;
  if (typeof body === "string") return Buffer.from(body, "utf8");
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  if (ArrayBuffer.isView(body)) return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
  throw new TypeError("a body is a Buffer, Uint8Array, ArrayBuffer, DataView, string or null");
}

/** The value of header `name` (lower case) in `headers`, as text; null when absent. */
function header(headers, name) {
  if (headers === undefined || headers === null) return null;
  let value;
  if (typeof headers.get === "function") {
    value = headers.get(name); // fetch's Headers, axios's AxiosHeaders, a Map
  } else if (typeof headers === "object") {
    value = headers[name];
    if (value === undefined) {
      for (const key of Object.keys(headers)) {
        if (key.toLowerCase() === name) {
          value = headers[key];
          break;
        }
      }
    }
  } else {
    throw new TypeError("headers are a Headers, an AxiosHeaders or a plain object");
  }
  return text(value);
}

/** A header's value as text, null when absent. */
function text(value) {
  if (Array.isArray(value)) value = value[0];
  if (value === undefined || value === null || value === false) return null;
  return String(value);
}

/**
 * The values of the headers the call machine reads of a request
 * (`Authorization`, `XApiKey`, `Idempotency-Key`), each null when absent:
 * one pass over a plain object's or `AxiosHeaders`' names.
 */
function known(headers) {
  if (headers === undefined || headers === null) return NONE_KNOWN;
  if ((typeof Headers !== "undefined" && headers instanceof Headers) || headers instanceof Map) {
    return { authorization: header(headers, "authorization"), apiKey: header(headers, "xapikey"), idempotencyKey: header(headers, "idempotency-key") };
  }
  if (typeof headers !== "object") throw new TypeError("headers are a Headers, an AxiosHeaders or a plain object");
  let authorization = null;
  let apiKey = null;
  let idempotencyKey = null;
  for (const name of Object.keys(headers)) {
    if (name.length !== 7 && name.length !== 13 && name.length !== 15) continue;
    const lower = name.toLowerCase();
    // A name spelt in lower case wins over another spelling, as `header` reads it.
    const first = lower === name;
    if (lower === "authorization") authorization = first || authorization === null ? text(headers[name]) : authorization;
    else if (lower === "xapikey") apiKey = first || apiKey === null ? text(headers[name]) : apiKey;
    else if (lower === "idempotency-key") idempotencyKey = first || idempotencyKey === null ? text(headers[name]) : idempotencyKey;
  }
  return { authorization, apiKey, idempotencyKey };
}

const NONE_KNOWN = Object.freeze({ authorization: null, apiKey: null, idempotencyKey: null });

module.exports = { bytes, header, known };
