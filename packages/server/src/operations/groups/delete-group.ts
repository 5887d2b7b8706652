import { GatehouseError } from "@gatehouse/store";
import { auditRecordOf } from "../audit-change.js";
import { guardDirectoryChange } from "../guard-directory-change.js";
import type { OperationContext } from "../operation-context.js";
import { groupRepresentation } from "./group-representation.js";
import { guardPrivilegedGroup } from "./guard-role-assignable-group.js";

export async function deleteGroup(ctx: OperationContext, id: string, acknowledgeUnsafe = false): Promise<void> {
  await ctx.store.transaction(async (tx) => {
    const before = await tx.groups.get(id);
    if (before === null) throw new GatehouseError("notFound", `There is no group with the id '${id}'.`);
    await guardPrivilegedGroup(ctx, tx, before, "delete");
    const { additionalDetails } = await guardDirectoryChange(tx, acknowledgeUnsafe, () => tx.groups.delete(id));
    await tx.audit.append(
      auditRecordOf(ctx, {
        category: "GroupManagement",
        activityDisplayName: "Delete group",
        operationType: "Delete",
        target: { id, displayName: before.displayName, type: "Group" },
        before: groupRepresentation(before),
        after: null,
        additionalDetails,
      }),
    );
  });
}
