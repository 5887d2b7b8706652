import type { GroupRecord } from "@gatehouse/store";
import { auditRecordOf } from "../audit-change.js";
import type { OperationContext } from "../operation-context.js";
import { groupRepresentation } from "./group-representation.js";
import { guardRoleAssignableGroup } from "./guard-role-assignable-group.js";
import { readGroupInput } from "./read-group-input.js";

export async function createGroup(ctx: OperationContext, body: unknown): Promise<GroupRecord> {
  const patch = readGroupInput(body, true);
  guardRoleAssignableGroup(ctx, patch.isAssignableToRole === true, "create");
  return ctx.store.transaction(async (tx) => {
    const group = await tx.groups.create({
      displayName: patch.displayName as string,
      description: patch.description ?? null,
      isAssignableToRole: patch.isAssignableToRole ?? false,
    });
    await tx.audit.append(
      auditRecordOf(ctx, {
        category: "GroupManagement",
        activityDisplayName: "Add group",
        operationType: "Add",
        target: { id: group.id, displayName: group.displayName, type: "Group" },
        before: null,
        after: groupRepresentation(group),
      }),
    );
    return group;
  });
}
