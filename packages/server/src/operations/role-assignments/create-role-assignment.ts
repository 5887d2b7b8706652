import { DIRECTORY_ROLE_TEMPLATES } from "@gatehouse/engine";
import type { RoleAssignmentRecord } from "@gatehouse/store";
import { auditRecordOf } from "../audit-change.js";
import { BodyReader } from "../body-reader.js";
import type { OperationContext } from "../operation-context.js";
import { roleAssignmentRepresentation } from "./role-assignment-representation.js";

export async function createRoleAssignment(ctx: OperationContext, body: unknown): Promise<RoleAssignmentRecord> {
  const r = new BodyReader(body, "a unifiedRoleAssignment");
  const roleDefinitionId = r.string("roleDefinitionId", { required: true, nonEmpty: true });
  const principalId = r.string("principalId", { required: true, nonEmpty: true });
  const directoryScopeId = r.string("directoryScopeId", { nonEmpty: true });
  if (roleDefinitionId !== undefined && DIRECTORY_ROLE_TEMPLATES[roleDefinitionId.toLowerCase()] === undefined) {
    r.issues.push({ path: "$.roleDefinitionId", message: `'${roleDefinitionId}' is not a directory role template id this tenant knows.` });
  }
  if (directoryScopeId !== undefined && directoryScopeId !== "/")
    r.issues.push({ path: "$.directoryScopeId", message: "Only the tenant-wide scope '/' is supported." });
  r.done();
  return ctx.store.transaction(async (tx) => {
    const assignment = await tx.roleAssignments.create({
      roleTemplateId: (roleDefinitionId as string).toLowerCase(),
      principalId: principalId as string,
      directoryScopeId: "/",
    });
    await tx.audit.append(
      auditRecordOf(ctx, {
        category: "RoleManagement",
        activityDisplayName: "Add member to role",
        operationType: "Assign",
        target: { id: assignment.principalId, type: "Principal" },
        before: null,
        after: null,
        modifiedProperties: [
          { displayName: "Role.TemplateId", oldValue: null, newValue: JSON.stringify(assignment.roleTemplateId) },
          {
            displayName: "Role.DisplayName",
            oldValue: null,
            newValue: JSON.stringify(DIRECTORY_ROLE_TEMPLATES[assignment.roleTemplateId] ?? null),
          },
          { displayName: "RoleAssignment", oldValue: null, newValue: JSON.stringify(roleAssignmentRepresentation(assignment)) },
        ],
      }),
    );
    return assignment;
  });
}
