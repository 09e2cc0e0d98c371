// Carrying out debitura-triage's decisions with fetch: the lines a partner
// adds to the fetch it already has, and what it does with a call the core
// stopped.
//
// The wrapped fetch gets the tenant's bearer token (minted with the API key,
// cached, refreshed on a 401), adds an Idempotency-Key to writes that take
// one (the same on every copy), waits the server's delay before a resend
// the core says is safe, and bounds the call by its deadline. It never cuts
// a server's delay short: a call asked to wait longer than the rule allows
// stops with `wait-too-long` and the delay, to be sent again later.
"use strict";
const { triageFetch, OAuthTokens, CallFailed } = require("../fetch.js");

/** A fetch for `tenant`'s calls to Debitura's Customer API. */
function debituraFetch(apiKey, tenant, { mintUrl, fetch = globalThis.fetch } = {}) {
  const tokens = new OAuthTokens(apiKey, { baseUrl: mintUrl }); // production: { environment: "production" }
  return triageFetch(fetch, { tokens, tenant, deadline: 30 });
}

/**
 * Creates a case and says what became of it: `created`, `needs-user` (with
 * the page a person must open), `reschedule` (with the seconds to wait),
 * or `failed` (with the core's answer).
 */
async function createCase(fetch, baseUrl, invoice) {
  try {
    const r = await fetch(`${baseUrl}/cases`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(invoice),
    });
    return { outcome: "created", case: await r.json() };
  } catch (e) {
    if (!(e instanceof CallFailed)) throw e;
    if (e.url !== null) return { outcome: "needs-user", url: e.url, rule: e.rule };
    if (e.reason === "wait-too-long") return { outcome: "reschedule", after: e.retryAfter, rule: e.rule };
    return { outcome: "failed", rule: e.rule, reason: e.reason, retry: e.retry };
  }
}

module.exports = { debituraFetch, createCase };

if (require.main === module) {
  const [apiKey, tenant] = [process.env.DEBITURA_API_KEY, process.argv[2]];
  if (!apiKey || !tenant) {
    console.error("usage: DEBITURA_API_KEY=… node examples/fetch-client.js TENANT");
    process.exit(2);
  }
  createCase(debituraFetch(apiKey, tenant), "https://testcustomer-api.debitura.com/v1", { creditorReference: "INV-1" })
    .then((result) => console.log(result))
    .catch((e) => {
      console.error(e.message);
      process.exit(1);
    });
}
