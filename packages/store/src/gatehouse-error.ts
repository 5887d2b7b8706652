/**
 * The one error a storage or domain failure raises (architecture: "Naming and errors"). `code` is
 * stable; HTTP status and Graph's error body are chosen only in `server`.
 *
 * - `notFound`: the object (or the parent it hangs off) does not exist.
 * - `conflict`: a unique key is taken (id, userPrincipalName, appId, membership...) or the
 *   object is still referenced (a named location used by a policy).
 * - `preconditionFailed`: `ifMatchVersion` is stale (optimistic concurrency, ETags).
 * - `invalidInput`: the request is well-typed but not allowed (a group inside itself, an
 *   authentication context id outside c1..c99, `$top` out of range).
 * - `unavailable`: the database cannot be reached, is busy, read-only or full.
 */
export type GatehouseErrorCode = "notFound" | "conflict" | "preconditionFailed" | "invalidInput" | "unavailable";

export const GATEHOUSE_ERROR_CODES: readonly GatehouseErrorCode[] = [
  "notFound",
  "conflict",
  "preconditionFailed",
  "invalidInput",
  "unavailable",
];

export class GatehouseError extends Error {
  override readonly name = "GatehouseError";
  readonly code: GatehouseErrorCode;

  constructor(code: GatehouseErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** True when `error` is a {@link GatehouseError}, optionally with the given code. */
export function isGatehouseError(error: unknown, code?: GatehouseErrorCode): error is GatehouseError {
  return error instanceof GatehouseError && (code === undefined || error.code === code);
}
