// A client in the shape OpenAPI Generator's typescript-axios gives
// Debitura's SDK (`@debitura/debt-collection`, built from its repository,
// not published on npm): each `XxxApi` takes `(configuration, basePath,
// axios)` and sends every request through that axios instance with
// `axios.request({ ...options, url: basePath + path })`. Two operations of
// the Customer API are enough to drive it as the SDK would.
"use strict";
const globalAxios = require("axios");

const BASE_PATH = "https://testcustomer-api.debitura.com/v1";

class BaseAPI {
  constructor(configuration, basePath = BASE_PATH, axios = globalAxios) {
    this.configuration = configuration;
    this.basePath = configuration?.basePath ?? basePath;
    this.axios = axios;
  }
}

function createRequestFunction(axiosArgs, axios, basePath) {
  return (instance = axios, path = basePath) => instance.request({ ...axiosArgs.options, url: path + axiosArgs.url });
}

class CasesApi extends BaseAPI {
  /** `POST /cases`, with the caller's `Idempotency-Key` when given. */
  casesPost(createCaseRequest, idempotencyKey, options = {}) {
    const headers = { "Content-Type": "application/json", ...(options.headers ?? {}) };
    if (idempotencyKey !== undefined && idempotencyKey !== null) headers["Idempotency-Key"] = String(idempotencyKey);
    const args = {
      url: "/cases",
      options: { method: "POST", ...options, headers, data: JSON.stringify(createCaseRequest ?? {}) },
    };
    return createRequestFunction(args, this.axios, this.basePath)();
  }

  /** `GET /cases/{id}`. */
  casesIdGet(id, options = {}) {
    const args = { url: `/cases/${encodeURIComponent(String(id))}`, options: { method: "GET", ...options } };
    return createRequestFunction(args, this.axios, this.basePath)();
  }
}

module.exports = { BASE_PATH, BaseAPI, CasesApi };
