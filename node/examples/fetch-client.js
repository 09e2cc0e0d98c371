// Carrying out debitura-triage's decisions with fetch.
//
// send() makes one call to Debitura and does what the answer says, and no
// more: it sends again once after a token refresh, waits the server's delay
// before a resend that is safe, keeps the same Idempotency-Key on every copy
// of a write, and stops with the URL to show when a person must act (a
// signing or approval link). It tells the package what it sent (the method,
// the bearer token, whether a key went with it): nothing it leaves out is
// assumed. A server's delay longer than the rule's longest wait is never cut
// short: the call stops with Reschedule and the delay, to be sent again later.
"use strict";
const { randomUUID } = require("node:crypto");
const triage = require("..");

class NeedsUser extends Error {
  constructor(answer) {
    super(answer.solution);
    this.answer = answer;
    this.url = answer.url;
  }
}

// The server asked to wait longer than the rule's longest wait: send the call
// again after `delay` seconds, from a job queue, not by holding it.
class Reschedule extends Error {
  constructor(answer, delay) {
    super(`${answer.rule}: send again in ${delay} s`);
    this.answer = answer;
    this.delay = delay;
  }
}

class Failed extends Error {
  constructor(answer) {
    super(`${answer.rule || "unrecognised"}: ${answer.cause}`);
    this.answer = answer;
  }
}

const pause = (seconds) => new Promise((resolve) => setTimeout(resolve, seconds * 1000));

/**
 * Sends the call; token(fresh) gives a bearer token, a new one when fresh.
 * @param {string} url
 * @param {{method?: string, body?: unknown, operation: string, token: (fresh: boolean) => Promise<string> | string, sleep?: (s: number) => Promise<void>}} call
 */
async function send(url, call) {
  const method = (call.method || "GET").toUpperCase();
  const sleep = call.sleep || pause;
  const headers = { Authorization: `Bearer ${await call.token(false)}`, "Content-Type": "application/json" };
  if (method === "POST") headers["Idempotency-Key"] = randomUUID(); // one key for every copy
  let refreshed = false;
  let resends = 0;
  for (;;) {
    const response = await fetch(url, { method, headers, body: call.body === undefined ? undefined : JSON.stringify(call.body) });
    if (response.ok && response.status !== 202) return response;
    const body = Buffer.from(await response.arrayBuffer());
    const answer = triage.diagnoseResponse(response.status, body, {
      operation: call.operation,
      method,
      idempotencyKey: "Idempotency-Key" in headers,
      auth: "bearer",
      afterTokenRefresh: refreshed,
      ...(response.headers.get("retry-after") ? { retryAfter: response.headers.get("retry-after") } : {}),
    });
    if (answer.retry === triage.Retry.TOKEN_REFRESH && !refreshed) {
      refreshed = true;
      headers.Authorization = `Bearer ${await call.token(true)}`;
      continue;
    }
    let wait = answer.retry === triage.Retry.BACKOFF && answer.rule ? triage.backoffDelay(answer.rule, resends + 1) : null;
    if (wait !== null) {
      resends += 1;
      if (answer.retryAfterSecs !== null && answer.backoff.honourRetryAfter) wait = Math.max(wait, answer.retryAfterSecs);
      // Shortening the server's delay would only be refused again.
      if (wait > answer.backoff.maxDelayMs / 1000) throw new Reschedule(answer, wait);
      await sleep(wait);
      continue;
    }
    if (answer.retry === triage.Retry.AFTER_USER_ACTION) throw new NeedsUser(answer);
    if (response.ok) return response;
    throw new Failed(answer);
  }
}

module.exports = { send, NeedsUser, Reschedule, Failed };

if (require.main === module) {
  const base = process.argv[2] || "https://sandbox.debitura.com/api";
  send(`${base}/cases`, { method: "POST", body: {}, operation: "create-case", token: () => "token" })
    .then((r) => console.log(`sent: ${r.status}`))
    .catch((e) => console.log(e instanceof NeedsUser ? `ask the user: ${e.message} ${e.url || ""}` : `failed: ${e.message}`));
}
