/**
 * The one check the server runs before every Conditional Access policy create, update, state
 * change or delete. Pure: issues come back as data; the server maps `status` to HTTP.
 *
 * Rules, in order:
 * 1. `invalidPolicy` (400): the engine's validation errors of the proposed policy, each with
 *    its JSON path. Errors the current policy already had (same code and path) are not
 *    reported again, so an imported policy can still be disabled or fixed step by step.
 * 2. `namingStandard` (400): the proposed `displayName` must follow the naming standard when
 *    it is new (create) or changed (rename); existing names are grandfathered, so a policy
 *    can always be switched off. An invalid pattern is reported on every such write.
 *    When 1 or 2 produced an error the write is rejected anyway and rules 3-4 are skipped.
 * 3. `emergencyAccessExposure`: the proposed policy (enabled or report-only) applies to
 *    emergency-access accounts (see `findEmergencyAccessExposure`):
 *    - error 409 when the write makes the policy ENFORCE on an account it did not enforce on
 *      before: turning it on (state -> `enabled`), or widening an enabled policy's scope to a
 *      further account; with `acknowledgeUnsafe` this is a warning saying so;
 *    - otherwise (report-only, or an enabled policy whose exposure did not grow) a warning.
 * 4. `lockout` (409): the caller's access to the Management API, evaluated on the whole
 *    proposed set (see `findLockout` for the exact rule): a certain lockout is an error unless
 *    `acknowledgeUnsafe` (then a warning saying so); a partial one is a warning. Deletes are
 *    checked too (removing a policy cannot add a block, but the check costs little).
 */

import { type ConditionalAccessPolicy, type TenantSnapshot, validatePolicy } from "@gatehouse/engine";
import { type Exposure, findEmergencyAccessExposure } from "./emergency-access.js";
import { type CallerSession, findLockout } from "./lockout.js";
import { checkNamingStandard } from "./naming-standard.js";
import type { EmergencyAccessSettings } from "./templates.js";

export type GuardIssueCode = "namingStandard" | "emergencyAccessExposure" | "emergencyAccessMissing" | "lockout" | "invalidPolicy";

export interface GuardIssue {
  code: GuardIssueCode;
  status: 400 | 409;
  message: string;
  policyId?: string;
  details?: unknown;
}

export interface PolicyAdministrationSettings {
  emergencyAccess: EmergencyAccessSettings;
  /** Regular expression every policy name must match; null = none. */
  namingStandard: string | null;
  /** appId of the Gatehouse Management API (normally `GATEHOUSE_MANAGEMENT_API_APP_ID`). */
  managementApiAppId: string;
}

export interface GuardPolicyWriteInput {
  /** The tenant as it is now; `snapshot.policies` is the current set (including `current`). */
  snapshot: TenantSnapshot;
  /** The stored policy before the write; null for a create. */
  current: ConditionalAccessPolicy | null;
  /** The policy after the write (normalized, with its id); null for a delete. */
  proposed: ConditionalAccessPolicy | null;
  caller: { userId: string };
  settings: PolicyAdministrationSettings;
  /** The caller confirmed the unsafe change (emergency-access enforcement, lockout). */
  acknowledgeUnsafe: boolean;
  /** What the caller's session has satisfied and, if known, its current sign-in (see `findLockout`). */
  callerSession?: CallerSession;
}

export interface GuardPolicyWriteResult {
  errors: GuardIssue[];
  warnings: GuardIssue[];
}

const lower = (value: string): string => value.toLowerCase();

/** Enforced = evaluated and not report-only (an unknown future state is enforced, R1). */
function isEnforced(policy: ConditionalAccessPolicy | null): boolean {
  if (policy === null) return false;
  const state = lower(String(policy.state));
  return state !== "disabled" && state !== "enabledforreportingbutnotenforced";
}

/** The policy set after the write: `current` replaced by `proposed`, removed, or `proposed` added. */
export function proposedPolicySet(
  policies: readonly ConditionalAccessPolicy[],
  current: ConditionalAccessPolicy | null,
  proposed: ConditionalAccessPolicy | null,
): ConditionalAccessPolicy[] {
  const id = lower((current ?? proposed)?.id ?? "");
  const matches = (p: ConditionalAccessPolicy): boolean => (current !== null && p === current) || (id !== "" && lower(p.id) === id);
  const next: ConditionalAccessPolicy[] = [];
  let replaced = false;
  for (const policy of policies) {
    if (!matches(policy)) next.push(policy);
    else if (proposed !== null && !replaced) {
      next.push(proposed);
      replaced = true;
    }
  }
  if (proposed !== null && !replaced) next.push(proposed);
  return next;
}

function accountList(exposures: readonly Exposure[]): string {
  return exposures.map((e) => e.userPrincipalName ?? e.userId).join(", ");
}

function validationIssues(input: GuardPolicyWriteInput, proposed: ConditionalAccessPolicy): GuardIssue[] {
  const before = new Set(
    input.current === null
      ? []
      : validatePolicy(input.current)
          .filter((i) => i.severity === "error")
          .map((i) => `${i.code} ${i.path}`),
  );
  return validatePolicy(proposed)
    .filter((i) => i.severity === "error" && !before.has(`${i.code} ${i.path}`))
    .map((i) => ({
      code: "invalidPolicy",
      status: 400,
      message: `${i.path}: ${i.message}`,
      policyId: proposed.id,
      details: { path: i.path, issueCode: i.code },
    }));
}

function exposureIssue(input: GuardPolicyWriteInput, proposed: ConditionalAccessPolicy, result: GuardPolicyWriteResult): void {
  const exposures = findEmergencyAccessExposure(proposed, input.snapshot, input.settings.emergencyAccess);
  if (exposures.length === 0) return;
  const name = `"${proposed.displayName}" (${proposed.id})`;
  let newlyEnforced: Exposure[] = [];
  if (isEnforced(proposed)) {
    const before = new Set(
      isEnforced(input.current) && input.current !== null
        ? findEmergencyAccessExposure(input.current, input.snapshot, input.settings.emergencyAccess).map((e) => lower(e.userId))
        : [],
    );
    newlyEnforced = exposures.filter((e) => !before.has(lower(e.userId)));
  }
  const details = { exposures };
  if (newlyEnforced.length === 0) {
    result.warnings.push({
      code: "emergencyAccessExposure",
      status: 409,
      message: `Policy ${name} applies to emergency-access accounts: ${accountList(exposures)}. Exclude them so they can always sign in.`,
      policyId: proposed.id,
      details,
    });
  } else if (input.acknowledgeUnsafe) {
    result.warnings.push({
      code: "emergencyAccessExposure",
      status: 409,
      message: `Acknowledged: policy ${name} is enforced on emergency-access accounts: ${accountList(newlyEnforced)}.`,
      policyId: proposed.id,
      details,
    });
  } else {
    result.errors.push({
      code: "emergencyAccessExposure",
      status: 409,
      message: `Policy ${name} would be enforced on emergency-access accounts: ${accountList(newlyEnforced)}. Exclude them, or repeat the request acknowledging the risk.`,
      policyId: proposed.id,
      details,
    });
  }
}

function lockoutIssue(input: GuardPolicyWriteInput, result: GuardPolicyWriteResult): void {
  const proposedPolicies = proposedPolicySet(input.snapshot.policies ?? [], input.current, input.proposed);
  const lockout = findLockout({
    snapshot: input.snapshot,
    proposedPolicies,
    caller: input.caller,
    managementApiAppId: input.settings.managementApiAppId,
    ...(input.callerSession ? { callerSession: input.callerSession } : {}),
  });
  if (lockout === null) return;
  const policyId = lockout.policies[0]?.id ?? input.proposed?.id ?? input.current?.id;
  const details = {
    severity: lockout.severity,
    policies: lockout.policies,
    contexts: lockout.contexts.map((c) => ({
      name: c.name,
      description: c.description,
      currentOutcome: c.currentOutcome,
      proposedOutcome: c.proposedOutcome,
      blockReasons: c.blockReasons,
    })),
  };
  const issue: GuardIssue = { code: "lockout", status: 409, message: lockout.message, details };
  if (policyId !== undefined) issue.policyId = policyId;
  if (lockout.severity === "warning") result.warnings.push(issue);
  else if (input.acknowledgeUnsafe) result.warnings.push({ ...issue, message: `Acknowledged: ${lockout.message}` });
  else result.errors.push(issue);
}

/**
 * Checks one policy write (create: `current` null; delete: `proposed` null). Never throws on
 * data; throws `TypeError` for a caller bug (both null, or ids that differ).
 */
export function guardPolicyWrite(input: GuardPolicyWriteInput): GuardPolicyWriteResult {
  const { current, proposed } = input;
  if (current === null && proposed === null) throw new TypeError("guardPolicyWrite: current and proposed are both null");
  if (current !== null && proposed !== null && lower(current.id) !== lower(proposed.id)) {
    throw new TypeError(`guardPolicyWrite: current (${current.id}) and proposed (${proposed.id}) are different policies`);
  }
  const result: GuardPolicyWriteResult = { errors: [], warnings: [] };

  if (proposed !== null) {
    result.errors.push(...validationIssues(input, proposed));
    if (current === null || current.displayName !== proposed.displayName) {
      const naming = checkNamingStandard(proposed.displayName, input.settings.namingStandard);
      if (!naming.ok) {
        result.errors.push({
          code: "namingStandard",
          status: 400,
          message: naming.message,
          policyId: proposed.id,
          details: { reason: naming.reason, pattern: input.settings.namingStandard },
        });
      }
    }
    if (result.errors.length > 0) return result;
    exposureIssue(input, proposed, result);
  }
  lockoutIssue(input, result);
  return result;
}
