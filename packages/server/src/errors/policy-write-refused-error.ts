import type { GuardIssue } from "@gatehouse/admin";

/**
 * `guardPolicyWrite` refused a Conditional Access write: an invalid policy or a name outside the
 * naming standard (400), or an unsafe change not acknowledged (409: emergency access, lockout).
 */
export class PolicyWriteRefusedError extends Error {
  override readonly name = "PolicyWriteRefusedError";
  readonly errors: readonly GuardIssue[];
  readonly warnings: readonly GuardIssue[];

  constructor(errors: readonly GuardIssue[], warnings: readonly GuardIssue[]) {
    super(errors.map((e) => e.message).join(" "));
    this.errors = errors;
    this.warnings = warnings;
  }

  /** 400 when any error is about the request itself, else 409. */
  get kind(): "invalid" | "unsafe" {
    return this.errors.some((e) => e.status === 400) ? "invalid" : "unsafe";
  }
}
