// Carrying out debitura-triage's decisions under Debitura's TypeScript SDK
// (`@debitura/debt-collection`, typescript-axios): the SDK's API classes
// take an axios instance, and `install` puts the core's call machine on it.
// The SDK's results do not change; a call the core stopped is the SDK's own
// `AxiosError`, whose `triage` holds the core's answer.
"use strict";
const axios = require("axios");
const { install, OAuthTokens } = require("../axios.js");

/** `CasesApi` (the SDK's class, or any `XxxApi`) for `tenant`, driven by the core. */
function casesApi(CasesApi, apiKey, tenant, { mintUrl, basePath } = {}) {
  const http = install(axios.create(), { tokens: new OAuthTokens(apiKey, { baseUrl: mintUrl }), tenant, deadline: 30 });
  return new CasesApi(undefined, basePath, http);
}

/** What a failed SDK call means, from the core's answer on the error. */
function explain(error) {
  const t = error?.triage;
  if (t === undefined) return null;
  return { rule: t.rule, retry: t.retry, reason: t.reason, url: t.url, retryAfter: t.retryAfter };
}

module.exports = { casesApi, explain };
