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

/** Assigns a directory role at tenant scope ("/") and audits it, for bootstrap and demo seeding. */
export async function assignRoleAudited(
  tx: Repositories,
  role: { roleTemplateId: string; principalId: string; principalName?: string },
  context: { initiatedBy: AuditInitiator; correlationId: string; now: Date },
): Promise<void> {
  const assignment = await tx.roleAssignments.create({
    roleTemplateId: role.roleTemplateId,
    principalId: role.principalId,
    directoryScopeId: "/",
  });
  await appendOperatorAudit(
    tx,
    {
      category: "RoleManagement",
      activityDisplayName: "Add member to role",
      operationType: "Assign",
      target: {
        id: role.principalId,
        ...(role.principalName === undefined ? {} : { displayName: role.principalName }),
        type: "User",
        modifiedProperties: [
          { displayName: "Role.TemplateId", oldValue: null, newValue: JSON.stringify(role.roleTemplateId) },
          { displayName: "RoleAssignment.Id", oldValue: null, newValue: JSON.stringify(assignment.id) },
        ],
      },
    },
    context,
  );
}

/** Adds a user or group to a group and audits it, for bootstrap and demo seeding. */
export async function addGroupMemberAudited(
  tx: Repositories,
  group: { id: string; displayName: string },
  memberId: string,
  context: { initiatedBy: AuditInitiator; correlationId: string; now: Date },
): Promise<void> {
  await tx.groups.addMember(group.id, memberId);
  await appendOperatorAudit(
    tx,
    {
      category: "GroupManagement",
      activityDisplayName: "Add member to group",
      operationType: "Assign",
      target: {
        id: group.id,
        displayName: group.displayName,
        type: "Group",
        modifiedProperties: [{ displayName: "Group.ObjectID", oldValue: null, newValue: JSON.stringify(memberId) }],
      },
    },
    context,
  );
}
