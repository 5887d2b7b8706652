import type { RoleAssignmentRecord } from "@gatehouse/store";

/** Graph's `unifiedRoleAssignment`: built-in roles' definition id is their template id. */
export function roleAssignmentRepresentation(assignment: RoleAssignmentRecord): Record<string, unknown> {
  return {
    id: assignment.id,
    roleDefinitionId: assignment.roleTemplateId,
    principalId: assignment.principalId,
    directoryScopeId: assignment.directoryScopeId,
    createdDateTime: assignment.createdDateTime,
  };
}
