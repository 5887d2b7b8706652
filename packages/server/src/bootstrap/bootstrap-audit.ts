import type { AuditInitiator, AuditKeyValue, AuditTargetResource, Repositories } from "@gatehouse/store";

/** Who the audit log names for writes made by the operator's `gatehouse` commands (no signed-in user). */
export function operatorInitiator(command: string): AuditInitiator {
  return { app: { appId: null, displayName: `gatehouse ${command} (operator)`, servicePrincipalId: null, servicePrincipalName: null } };
}

export interface BootstrapAuditEntry {
  category: string;
  activityDisplayName: string;
  operationType: string;
  target: AuditTargetResource;
  additionalDetails?: AuditKeyValue[];
}

/** Appends one audit record for a write made by a bootstrap or operator command. */
export async function appendOperatorAudit(
  repositories: Repositories,
  entry: BootstrapAuditEntry,
  context: { initiatedBy: AuditInitiator; correlationId: string; now: Date },
): Promise<void> {
  await repositories.audit.append({
    activityDateTime: context.now.toISOString(),
    category: entry.category,
    activityDisplayName: entry.activityDisplayName,
    operationType: entry.operationType,
    initiatedBy: context.initiatedBy,
    targetResources: [entry.target],
    correlationId: context.correlationId,
    ...(entry.additionalDetails ? { additionalDetails: entry.additionalDetails } : {}),
  });
}
