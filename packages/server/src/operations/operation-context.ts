import type { Store } from "@gatehouse/store";
import type { Caller } from "../auth/caller.js";

/** What every operation gets: no HTTP, only the store, who asks, the request's correlation id and the time. */
export interface OperationContext {
  store: Store;
  caller: Caller;
  /** The request id: recorded as the audit record's correlationId. */
  correlationId: string;
  now: Date;
}

/** A warning returned with a successful write (response header and `@gatehouse.warnings`). */
export interface OperationWarning {
  code: string;
  message: string;
  policyId?: string;
}
