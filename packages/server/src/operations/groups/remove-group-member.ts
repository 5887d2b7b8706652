import { GatehouseError } from "@gatehouse/store";
import { auditRecordOf } from "../audit-change.js";
import { guardDirectoryChange } from "../guard-directory-change.js";
import type { OperationContext } from "../operation-context.js";
import { guardPrivilegedGroup } from "./guard-role-assignable-group.js";

export async function removeGroupMember(
  ctx: OperationContext,
  input: { groupId: string; memberId: string; acknowledgeUnsafe?: boolean },
): Promise<void> {
  await ctx.store.transaction(async (tx) => {
    const group = await tx.groups.get(input.groupId);
    if (group === null) throw new GatehouseError("notFound", `There is no group with the id '${input.groupId}'.`);
    await guardPrivilegedGroup(ctx, tx, group, "change the members");
    const member = (await tx.groups.listMembers(group.id)).find((m) => m.id.toLowerCase() === input.memberId.toLowerCase());
    if (member === undefined) throw new GatehouseError("notFound", `'${input.memberId}' is not a member of the group '${group.id}'.`);
    const { additionalDetails } = await guardDirectoryChange(tx, input.acknowledgeUnsafe === true, () =>
      tx.groups.removeMember(group.id, member.id),
    );
    await tx.audit.append(
      auditRecordOf(ctx, {
        category: "GroupManagement",
        activityDisplayName: "Remove member from group",
        operationType: "Unassign",
        target: { id: member.id, type: member.type === "user" ? "User" : "Group" },
        before: null,
        after: null,
        modifiedProperties: [
          { displayName: "Group.ObjectID", oldValue: JSON.stringify(group.id), newValue: null },
          { displayName: "Group.DisplayName", oldValue: JSON.stringify(group.displayName), newValue: null },
        ],
        additionalDetails,
      }),
    );
  });
}
