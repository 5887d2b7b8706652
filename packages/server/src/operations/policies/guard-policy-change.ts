/**
 * Runs `guardPolicyWrite` (naming standard, engine validation, emergency access, lockout) for a
 * policy write inside the write's transaction, on the tenant as that transaction sees it.
 */
import { GATEHOUSE_MANAGEMENT_API_APP_ID, type GuardIssue, guardPolicyWrite } from "@gatehouse/admin";
import type { ConditionalAccessPolicy } from "@gatehouse/engine";
import { type AuditKeyValue, GatehouseError, type Repositories } from "@gatehouse/store";
import { PolicyWriteRefusedError } from "../../errors/policy-write-refused-error.js";
import type { OperationContext, OperationWarning } from "../operation-context.js";

export interface PolicyChange {
  current: ConditionalAccessPolicy | null;
  proposed: ConditionalAccessPolicy | null;
  /** `Prefer: allow-unsafe-policy`. */
  acknowledgeUnsafe: boolean;
}

export interface GuardOutcome {
  warnings: OperationWarning[];
  /** For the audit record: the acknowledgement and the warnings. */
  additionalDetails: AuditKeyValue[];
}

const toWarning = (issue: GuardIssue): OperationWarning => ({
  code: issue.code,
  message: issue.message,
  ...(issue.policyId === undefined ? {} : { policyId: issue.policyId }),
});

export async function guardPolicyChange(ctx: OperationContext, tx: Repositories, change: PolicyChange): Promise<GuardOutcome> {
  const settings = await tx.tenant.get();
  if (settings === null) throw new GatehouseError("notFound", "the tenant is not set up");
  const snapshot = await tx.loadTenantSnapshot();
  const result = guardPolicyWrite({
    snapshot,
    current: change.current,
    proposed: change.proposed,
    // A service principal signs in with no user: the lockout rule (a user's access to the
    // Management API) does not concern it and its issues are dropped below.
    caller: { userId: ctx.caller.id },
    settings: {
      emergencyAccess: { userIds: settings.emergencyAccessUserIds, groupIds: settings.emergencyAccessGroupIds },
      namingStandard: settings.namingStandardPattern,
      managementApiAppId: GATEHOUSE_MANAGEMENT_API_APP_ID,
    },
    acknowledgeUnsafe: change.acknowledgeUnsafe,
  });
  const relevant = (issue: GuardIssue): boolean => ctx.caller.kind === "user" || issue.code !== "lockout";
  const errors = result.errors.filter(relevant);
  const warnings = result.warnings.filter(relevant);
  if (errors.length > 0) throw new PolicyWriteRefusedError(errors, warnings);
  const additionalDetails: AuditKeyValue[] = [];
  if (change.acknowledgeUnsafe) additionalDetails.push({ key: "Prefer", value: "allow-unsafe-policy" });
  for (const warning of warnings) {
    const acknowledged = change.acknowledgeUnsafe && warning.message.startsWith("Acknowledged");
    additionalDetails.push({ key: acknowledged ? "acknowledgedUnsafeChange" : "warning", value: `${warning.code}: ${warning.message}` });
  }
  return { warnings: warnings.map(toWarning), additionalDetails };
}
