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
