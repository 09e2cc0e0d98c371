// The declarations as a TypeScript user meets them: this file must compile.
import { diagnose, diagnoseResponse, checkWebhook, rules, rule, backoffDelay, Retry, RetryPolicy, Diagnosis } from "..";

const d: Diagnosis = diagnose({ status: 422, type: "MissingPowerOfAttorney", operation: "create-case" });
const policy: RetryPolicy = d.retry;
const isUserAction: boolean = policy === Retry.AFTER_USER_ACTION;
const wait: number | null = diagnoseResponse(429, new Uint8Array(0), { retryAfter: "5" }).retryAfterSecs;
const ok: boolean = checkWebhook(["a", "b"], "t=1,v1=00", new Uint8Array(0), { now: 1 }).valid;
const ids: string[] = rules().map((r) => r.rule);
const attempts: number | undefined = rule("upstream-unavailable").backoff?.attempts;
const next: number | null = backoffDelay("upstream-unavailable", 1);
void [isUserAction, wait, ok, ids, attempts, next];

// The drivers, as the README shows them.
import axios from "axios";
import { triageFetch } from "../fetch";
import { install } from "../axios";
import { OAuthTokens, CallFailed, RetryBudget } from "..";

const tokens = new OAuthTokens("key", { environment: "production" });
const fetchThrough = triageFetch(globalThis.fetch, { tokens, tenant: "acme-42", deadline: 20 });
const http = install(axios.create(), { tokens, tenant: "acme-42", budget: RetryBudget.forInstances(4) });
async function use(): Promise<void> {
  const r: Response = await fetchThrough("https://testcustomer-api.debitura.com/v1/cases", {
    method: "POST",
    body: "{}",
    debitura: { operation: "create-case" },
  });
  try {
    await http.post("https://testcustomer-api.debitura.com/v1/cases", {}, { debitura: { deadline: 5 } });
  } catch (e) {
    if (axios.isAxiosError(e) && e.triage !== undefined) {
      const reason: string = e.triage.reason;
      const link: string | null = e.triage.url;
      void [reason, link];
    }
    if (e instanceof CallFailed) void e.retryAfter;
  }
  void r;
}
void use;
const byFunction = triageFetch(undefined, { tokens: async (tenant: string) => `token-for-${tenant}` });
void byFunction;
