import { GatehouseError } from "@gatehouse/store";
import { auditRecordOf } from "../audit-change.js";
import type { OperationContext } from "../operation-context.js";
import { groupRepresentation } from "./group-representation.js";
import { guardRoleAssignableGroup } from "./guard-role-assignable-group.js";

export async function deleteGroup(ctx: OperationContext, id: string): Promise<void> {
  await ctx.store.transaction(async (tx) => {
    const before = await tx.groups.get(id);
    if (before === null) throw new GatehouseError("notFound", `There is no group with the id '${id}'.`);
    guardRoleAssignableGroup(ctx, before.isAssignableToRole, "delete");
    await tx.groups.delete(id);
    await tx.audit.append(
      auditRecordOf(ctx, {
        category: "GroupManagement",
        activityDisplayName: "Delete group",
        operationType: "Delete",
        target: { id, displayName: before.displayName, type: "Group" },
        before: groupRepresentation(before),
        after: null,
      }),
    );
  });
}
