/**
 * The guard rail of a change to the emergency-access declaration itself (which users and
 * groups are break-glass accounts). Two changes are unsafe and refused unless acknowledged:
 *
 * - `emergencyAccessMissing`: the declaration would resolve to no account at all (nobody left
 *   to sign in when every other admin is locked out);
 * - `emergencyAccessExposure`: an account that becomes emergency access is in the scope of an
 *   enforced policy that blocks it or requires a control of it (the account could not be
 *   used in an emergency).
 *
 * Unknown ids are the caller's business (the server answers 400 before this runs).
 */
import type { ConditionalAccessPolicy, TenantSnapshot } from "@gatehouse/engine";
import { type Exposure, findEmergencyAccessExposure, resolveEmergencyAccessAccounts } from "./emergency-access.js";
import type { GuardIssue } from "./guard-policy-write.js";
import type { EmergencyAccessSettings } from "./templates.js";

const isEnforced = (policy: ConditionalAccessPolicy): boolean => {
  const state = String(policy.state).toLowerCase();
  return state !== "disabled" && state !== "enabledforreportingbutnotenforced";
};

/** A policy that blocks, or requires a grant control or an authentication strength. */
export function blocksOrRequiresControl(policy: ConditionalAccessPolicy): boolean {
  const grant = policy.grantControls;
  if (!grant) return false;
  return (
    (grant.builtInControls?.length ?? 0) > 0 ||
    (grant.customAuthenticationFactors?.length ?? 0) > 0 ||
    !!grant.termsOfUse?.length ||
    !!grant.authenticationStrength
  );
}

/** Every (policy, account) pair where an enabled or report-only policy applies to an emergency-access account. */
export function findEmergencyAccessExposures(snapshot: TenantSnapshot, emergencyAccess: EmergencyAccessSettings): Exposure[] {
  return (snapshot.policies ?? []).flatMap((p) => findEmergencyAccessExposure(p, snapshot, emergencyAccess));
}

export interface GuardEmergencyAccessChangeInput {
  snapshot: TenantSnapshot;
  current: EmergencyAccessSettings;
  proposed: EmergencyAccessSettings;
  acknowledgeUnsafe: boolean;
}

export interface GuardEmergencyAccessChangeResult {
  /** Non-empty: refuse with 409 (not acknowledged). */
  errors: GuardIssue[];
  /** Acknowledged unsafe findings (to audit and report). */
  warnings: GuardIssue[];
}

export function guardEmergencyAccessChange(input: GuardEmergencyAccessChangeInput): GuardEmergencyAccessChangeResult {
  const issues: GuardIssue[] = [];
  const proposedAccounts = resolveEmergencyAccessAccounts(input.snapshot, input.proposed);
  if (proposedAccounts.length === 0) {
    issues.push({
      code: "emergencyAccessMissing",
      status: 409,
      message:
        "This change leaves no emergency-access account: nobody could sign in if every administrator were locked out. Declare at least one break-glass user (directly or through a group).",
    });
  }
  const before = new Set(resolveEmergencyAccessAccounts(input.snapshot, input.current).map((a) => a.userId.toLowerCase()));
  const added = proposedAccounts.filter((a) => !before.has(a.userId.toLowerCase()));
  if (added.length > 0) {
    const addedOnly: EmergencyAccessSettings = { userIds: added.map((a) => a.userId), groupIds: [] };
    const byPolicy = new Map<string, Exposure[]>();
    for (const policy of input.snapshot.policies ?? []) {
      if (!isEnforced(policy) || !blocksOrRequiresControl(policy)) continue;
      const exposures = findEmergencyAccessExposure(policy, input.snapshot, addedOnly);
      if (exposures.length > 0) byPolicy.set(policy.id, exposures);
    }
    for (const exposures of byPolicy.values()) {
      const first = exposures[0] as Exposure;
      const accounts = exposures.map((e) => e.userPrincipalName ?? e.userId).join(", ");
      issues.push({
        code: "emergencyAccessExposure",
        status: 409,
        message: `The policy "${first.policyDisplayName}" (${first.policyId}) is enforced on the new emergency-access accounts ${accounts}: they would be blocked or asked for a control in an emergency. Exclude them from the policy first, or repeat acknowledging the risk.`,
        policyId: first.policyId,
        details: { exposures },
      });
    }
  }
  return input.acknowledgeUnsafe ? { errors: [], warnings: issues } : { errors: issues, warnings: [] };
}
