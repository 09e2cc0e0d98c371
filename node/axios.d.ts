// Type declarations for the axios adapter.
import type { AxiosInstance, AxiosStatic } from "axios";
import type { CallFailed, DriverOptions, RequestOptions } from "./calls";
export { BUDGET, CallFailed, OAuthTokens, RetryBudget } from "./calls";

declare module "axios" {
  interface AxiosRequestConfig {
    /** What the request says to debitura-triage's driver. */
    debitura?: RequestOptions;
  }
  interface AxiosError {
    /** The core's answer, when debitura-triage's driver stopped the call. */
    triage?: CallFailed;
  }
}

/** Drives every request of `instance` through the core; returns the instance. */
export declare function install<T extends AxiosInstance>(instance: T, options?: DriverOptions & { axios?: AxiosStatic }): T;
