// Type declarations for the fetch wrapper.
import type { DriverOptions, RequestOptions } from "./calls";
export { BUDGET, CallFailed, OAuthTokens, RetryBudget } from "./calls";

/** `RequestInit` with what the request says to the driver. */
export interface TriageInit extends RequestInit {
  debitura?: RequestOptions;
}

/** A `fetch` that carries out the core's decisions; a stopped call rejects with `CallFailed`. */
export type TriageFetch = (resource: RequestInfo | URL, init?: TriageInit) => Promise<Response>;

/** Wraps `fetch` (the global one by default). */
export declare function triageFetch(fetch?: typeof globalThis.fetch, options?: DriverOptions): TriageFetch;
