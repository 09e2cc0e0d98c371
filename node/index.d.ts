// Type declarations for debitura-triage. Every answer is the core's owned
// answer with its field names in camelCase, frozen, with every key (null or
// empty where there is nothing); test/types.test.js checks that these
// interfaces name exactly the keys the package returns.

/** Whether and how to retry the call that failed. */
export type RetryPolicy = "never" | "after-user-action" | "token-refresh" | "backoff";

/** The retry policies, by name. */
export declare const Retry: Readonly<{
  NEVER: "never";
  AFTER_USER_ACTION: "after-user-action";
  TOKEN_REFRESH: "token-refresh";
  BACKOFF: "backoff";
}>;

/** The valid operation names (`create-case`, …). */
export declare const OPERATIONS: readonly string[];
/** The valid environment names. */
export declare const ENVIRONMENTS: readonly string[];

/** The bounds of a rule that backs off. */
export interface Backoff {
  readonly attempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly jitterPercent: number;
  readonly honourRetryAfter: boolean;
}

/** What a failure means and what to do. */
export interface Diagnosis {
  /** The id of the rule that matched; null when none did or several fit. */
  readonly rule: string | null;
  readonly matched: boolean;
  readonly title: string | null;
  readonly section: string | null;
  readonly cause: string;
  readonly solution: string;
  readonly retry: RetryPolicy;
  readonly backoff: Backoff | null;
  readonly docsUrl: string | null;
  /** The rules that fit when the question says too little to tell them apart. */
  readonly several: readonly string[];
  readonly orNone: boolean;
  /** The question's fields left out that would tell them apart (`auth`, `status`, …). */
  readonly telling: readonly string[];
}

/** What the caller knows of a failure; every field is optional. */
export interface Question {
  status?: number;
  type?: string;
  message?: string;
  operation?: string;
  event?: string;
  symptom?: string;
  afterTokenRefresh?: boolean;
  environment?: string;
  /** The credential sent: "api-key" or "bearer". Not assumed when left out. */
  auth?: string;
  method?: string;
  /** Whether the request carried an Idempotency-Key. Not assumed when left out. */
  idempotencyKey?: boolean;
}

/** One error a response body reported. */
export interface Finding {
  readonly source: string;
  readonly type: string | null;
  readonly message: string | null;
  readonly field: string | null;
  readonly solutionUrl: string | null;
  readonly rule: string | null;
  readonly retry: RetryPolicy;
  readonly decisive: boolean;
}

/** A body as clients hold it: bytes, or text (sent as UTF-8); none is empty. */
export type BodyLike = Uint8Array | ArrayBuffer | DataView | string | null | undefined;

/** Headers as clients hold them: fetch's `Headers`, axios's `AxiosHeaders`, or a plain object. */
export type HeadersLike = { get(name: string): unknown } | Readonly<Record<string, string | number | readonly string[] | undefined>>;

/** What the caller knows of the call a response answered. */
export interface ResponseContext {
  operation?: string;
  /** The Retry-After header: its text, or seconds; null or left out when absent (then read from `headers`). */
  retryAfter?: string | number | null;
  /** The response's headers, read for the Retry-After when `retryAfter` is not given. */
  headers?: HeadersLike;
  /** The request's URL: with `method`, it tells the operation and environment. */
  url?: string;
  method?: string;
  /** Whether the request carried an Idempotency-Key. Not assumed when left out. */
  idempotencyKey?: boolean;
  /** The credential sent: "api-key" or "bearer". Not assumed when left out. */
  auth?: string;
  afterTokenRefresh?: boolean;
  environment?: string;
  /** Now, in Unix seconds, for a Retry-After given as a date. */
  now?: number;
}

/** The answer to a response: the answer for the error that decided, and what the body said. */
export interface ResponseDiagnosis extends Diagnosis {
  /** The URL to show the user (a signing or approval link), if the body has one. */
  readonly url: string | null;
  /** How long the server asked to wait, in seconds, if it said. */
  readonly retryAfterSecs: number | null;
  readonly body: string;
  readonly bodyNote: string | null;
  readonly findings: readonly Finding[];
  readonly findingsNotKept: number;
  readonly decidedBy: number | null;
  readonly decision: string;
}

export interface WebhookOptions {
  /** Now, in Unix seconds; the clock's by default. */
  now?: number;
  /** The window; Debitura's (300 s old, 30 s ahead) by default. */
  tolerance?: { past: number; future: number };
  /** The signature the caller's own code computed, if known. */
  computed?: string;
}

/** The verdict on one webhook delivery. */
export interface WebhookCheck {
  readonly valid: boolean;
  readonly mistake: string | null;
  readonly rule: string | null;
  readonly diagnosis: Diagnosis | null;
}

/** One rule of the catalog, as `debitura-triage rules --json` gives it (in camelCase). */
export interface Rule {
  readonly rule: string;
  readonly section: string;
  readonly title: string;
  readonly cause: string;
  readonly solution: string;
  /** The troubleshooting page's own words, where they differ. */
  readonly asOnPage: { readonly cause: string | null; readonly solution: string | null } | null;
  readonly retry: RetryPolicy;
  readonly backoff: Backoff | null;
  readonly docsUrl: string;
  readonly source: { readonly file: string; readonly line: number };
  readonly notes: string | null;
  readonly seeAlso: readonly string[];
  /** What the rule matches, by the question's field names (null in `type` and `message`: none). */
  readonly when: {
    readonly status: readonly number[];
    readonly type: readonly (string | null)[];
    readonly message: readonly (string | null)[];
    readonly operation: readonly string[];
    readonly event: readonly string[];
    readonly symptom: readonly string[];
    readonly afterTokenRefresh: boolean | null;
    readonly safeToResend: boolean | null;
    readonly environment: readonly string[];
    readonly auth: readonly string[];
  };
  readonly examples: readonly Question[];
  readonly counterExamples: readonly Question[];
}

/** What a failure means and what to do, from what the caller knows of it. */
export declare function diagnose(question?: Question): Diagnosis;
/** What a response means: its status, its body (bytes or text) and what the caller knows. */
export declare function diagnoseResponse(status: number, body: BodyLike, context?: ResponseContext): ResponseDiagnosis;
/** Checks a delivery's X-Debitura-Signature header against its raw body. */
export declare function checkWebhook(secret: string | readonly string[], header: string, body: Uint8Array, options?: WebhookOptions): WebhookCheck;
/** Every rule of the catalog, in its order. */
export declare function rules(): readonly Rule[];
/** The rule with this id (a retired id gives the rule that replaced it). */
export declare function rule(id: string): Rule;
/** Seconds to wait before resend `resend` (1 for the first) of a call rule `id` backs off, before jitter; null once its attempts are used up. */
export declare function backoffDelay(id: string, resend: number): number | null;

export { BUDGET, CallFailed, OAuthTokens, RetryBudget, TokenSource, DriverOptions, RequestOptions } from "./calls";
