import { DIRECTORY_ROLE_TEMPLATES } from "@gatehouse/engine";
import { GatehouseError } from "@gatehouse/store";
import { auditRecordOf } from "../audit-change.js";
import type { OperationContext } from "../operation-context.js";
import { roleAssignmentRepresentation } from "./role-assignment-representation.js";

export async function deleteRoleAssignment(ctx: OperationContext, id: string): Promise<void> {
  await ctx.store.transaction(async (tx) => {
    const before = await tx.roleAssignments.get(id);
    if (before === null) throw new GatehouseError("notFound", `There is no role assignment with the id '${id}'.`);
    await tx.roleAssignments.delete(id);
    await tx.audit.append(
      auditRecordOf(ctx, {
        category: "RoleManagement",
        activityDisplayName: "Remove member from role",
        operationType: "Unassign",
        target: { id: before.principalId, type: "Principal" },
        before: null,
        after: null,
        modifiedProperties: [
          { displayName: "Role.TemplateId", oldValue: JSON.stringify(before.roleTemplateId), newValue: null },
          {
            displayName: "Role.DisplayName",
            oldValue: JSON.stringify(DIRECTORY_ROLE_TEMPLATES[before.roleTemplateId] ?? null),
            newValue: null,
          },
          { displayName: "RoleAssignment", oldValue: JSON.stringify(roleAssignmentRepresentation(before)), newValue: null },
        ],
      }),
    );
  });
}
