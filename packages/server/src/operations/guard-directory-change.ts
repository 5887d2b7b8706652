/**
 * The emergency-access guard rail for directory writes (group members, group deletion): a
 * policy write is not the only way to make an enabled policy enforce on an emergency-access
 * account; taking the account out of the group the policy excludes does it too. The change
 * is applied inside the caller's transaction, then every enforced policy's exposure is
 * compared before and after: an account newly enforced on is refused (409, as for a policy
 * write) unless `Prefer: allow-unsafe-policy` acknowledges it (then audited).
 */
import { type Exposure, findEmergencyAccessExposure, type GuardIssue } from "@gatehouse/admin";
import type { TenantSnapshot } from "@gatehouse/engine";
import { type AuditKeyValue, GatehouseError, type Repositories } from "@gatehouse/store";
import { PolicyWriteRefusedError } from "../errors/policy-write-refused-error.js";

const isEnforced = (state: unknown): boolean => {
  const s = String(state).toLowerCase();
  return s !== "disabled" && s !== "enabledforreportingbutnotenforced";
};

function enforcedExposures(snapshot: TenantSnapshot, emergencyAccess: { userIds: string[]; groupIds: string[] }): Exposure[] {
  return (snapshot.policies ?? [])
    .filter((p) => isEnforced(p.state))
    .flatMap((p) => findEmergencyAccessExposure(p, snapshot, emergencyAccess));
}

/** Runs `change` in `tx` and refuses it when it makes an enforced policy apply to a further emergency-access account. */
export async function guardDirectoryChange<T>(
  tx: Repositories,
  acknowledgeUnsafe: boolean,
  change: () => Promise<T>,
): Promise<{ result: T; additionalDetails: AuditKeyValue[] }> {
  const settings = await tx.tenant.get();
  if (settings === null) throw new GatehouseError("notFound", "the tenant is not set up");
  const emergencyAccess = { userIds: settings.emergencyAccessUserIds, groupIds: settings.emergencyAccessGroupIds };
  const key = (e: Exposure): string => `${e.policyId.toLowerCase()} ${e.userId.toLowerCase()}`;
  const before = new Set(enforcedExposures(await tx.loadTenantSnapshot(), emergencyAccess).map(key));
  const result = await change();
  const newly = enforcedExposures(await tx.loadTenantSnapshot(), emergencyAccess).filter((e) => !before.has(key(e)));
  const additionalDetails: AuditKeyValue[] = [];
  if (newly.length === 0) return { result, additionalDetails };
  const byPolicy = new Map<string, Exposure[]>();
  for (const e of newly) byPolicy.set(e.policyId, [...(byPolicy.get(e.policyId) ?? []), e]);
  const issues: GuardIssue[] = [...byPolicy.values()].map((exposures) => {
    const first = exposures[0] as Exposure;
    const accounts = exposures.map((e) => e.userPrincipalName ?? e.userId).join(", ");
    return {
      code: "emergencyAccessExposure",
      status: 409,
      message: `${acknowledgeUnsafe ? "Acknowledged: policy" : "This change would make the policy"} "${first.policyDisplayName}" (${first.policyId}) ${acknowledgeUnsafe ? "is" : "be"} enforced on emergency-access accounts: ${accounts}.${acknowledgeUnsafe ? "" : " Exclude them from the policy first, or repeat the request acknowledging the risk."}`,
      policyId: first.policyId,
      details: { exposures },
    };
  });
  if (!acknowledgeUnsafe) throw new PolicyWriteRefusedError(issues, []);
  additionalDetails.push({ key: "Prefer", value: "allow-unsafe-policy" });
  for (const issue of issues) additionalDetails.push({ key: "acknowledgedUnsafeChange", value: `${issue.code}: ${issue.message}` });
  return { result, additionalDetails };
}
