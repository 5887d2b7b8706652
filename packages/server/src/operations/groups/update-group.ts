import { GatehouseError, type GroupRecord } from "@gatehouse/store";
import { auditRecordOf } from "../audit-change.js";
import type { OperationContext } from "../operation-context.js";
import { groupRepresentation } from "./group-representation.js";
import { guardPrivilegedGroup, guardRoleAssignableGroup } from "./guard-role-assignable-group.js";
import { readGroupInput } from "./read-group-input.js";

export async function updateGroup(ctx: OperationContext, input: { id: string; patch: unknown }): Promise<GroupRecord> {
  const patch = readGroupInput(input.patch, false);
  return ctx.store.transaction(async (tx) => {
    const before = await tx.groups.get(input.id);
    if (before === null) throw new GatehouseError("notFound", `There is no group with the id '${input.id}'.`);
    guardRoleAssignableGroup(ctx, patch.isAssignableToRole === true, "change");
    await guardPrivilegedGroup(ctx, tx, before, "change");
    const after = await tx.groups.update(input.id, patch);
    await tx.audit.append(
      auditRecordOf(ctx, {
        category: "GroupManagement",
        activityDisplayName: "Update group",
        operationType: "Update",
        target: { id: after.id, displayName: after.displayName, type: "Group" },
        before: groupRepresentation(before),
        after: groupRepresentation(after),
      }),
    );
    return after;
  });
}
