// Type declarations for the drivers' shared parts: the budget, the token
// source and the error of a call the core stopped.
import type { ResponseDiagnosis, RetryPolicy } from "./index";

/** Bounds the resends of every call that shares it, one account per API host. */
export declare class RetryBudget {
  /** `ratio` (0.2) of the last `windowSecs` (10) of first attempts, plus `reservePerSecond` (10, this instance's). */
  constructor(options?: { ratio?: number; reservePerSecond?: number; windowSecs?: number });
  /** The default budget for one of `instances` processes sharing an API key: the reserve divided between them. */
  static forInstances(instances: number): RetryBudget;
  readonly ratio: number;
  readonly reservePerSecond: number;
  readonly windowSecs: number;
}

/** The budget every driver draws on unless given another: one per process. */
export declare const BUDGET: RetryBudget;

/** Why a call stopped. */
export type StopReason =
  | "policy"
  | "attempts-used-up"
  | "wait-too-long"
  | "body-not-cloneable"
  | "no-token-source"
  | "token-unavailable"
  | "budget-spent"
  | "deadline"
  | "no-resend";

/** A call the core stopped, with the core's answer to its last failure. */
export declare class CallFailed extends Error {
  readonly name: "CallFailed";
  readonly answer: ResponseDiagnosis;
  readonly rule: string | null;
  readonly retry: RetryPolicy;
  /** The link to show a person (a signing or approval page), if the body gave one. */
  readonly url: string | null;
  /** The server's delay in seconds, kept to reschedule. */
  readonly retryAfter: number | null;
  readonly reason: StopReason;
  readonly attempts: number;
  readonly operation: string | null;
  /** The last response's status, headers and body (at most 64 KiB), when there was one. */
  readonly status: number | null;
  readonly headers: unknown;
  readonly body: Uint8Array;
  /** The token mint's own failure, when no token could be had. */
  readonly mint: CallFailed | null;
}

/** Mints Customer API bearer tokens with `POST /oauth/token`, cached per tenant, one mint at a time per tenant. */
export declare class OAuthTokens {
  constructor(apiKey: string, options?: { environment?: "test" | "production"; baseUrl?: string; clock?: () => number });
  readonly endpoint: string;
}

/** Where a tenant's bearer token comes from: an `OAuthTokens`, or the caller's function. */
export type TokenSource = OAuthTokens | ((tenant: string, stale: string | null) => string | Promise<string>);

/** How a driver carries out the core's decisions. */
export interface DriverOptions {
  tokens?: TokenSource | null;
  /** The tenant requests act for, when they name none. */
  tenant?: string | null;
  budget?: RetryBudget;
  /** Seconds each call may take, every attempt, wait and mint included. */
  deadline?: number | null;
}

/** What one request may say to the driver. */
export interface RequestOptions {
  /** The tenant it acts for, over the driver's; null for none. */
  tenant?: string | null;
  /** The operation, for a path the core does not know. */
  operation?: string;
  /** Seconds it may take, over the driver's. */
  deadline?: number;
  /** Never send it twice. */
  noResend?: boolean;
}
