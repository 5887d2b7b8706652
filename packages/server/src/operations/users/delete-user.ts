import { GatehouseError } from "@gatehouse/store";
import { auditRecordOf } from "../audit-change.js";
import type { OperationContext } from "../operation-context.js";
import { guardPrivilegedUser } from "./guard-privileged-user.js";
import { userRepresentation } from "./user-representation.js";

export async function deleteUser(ctx: OperationContext, id: string): Promise<void> {
  await ctx.store.transaction(async (tx) => {
    const before = await tx.users.get(id);
    if (before === null) throw new GatehouseError("notFound", `There is no user with the id '${id}'.`);
    await guardPrivilegedUser(ctx, tx, before.id);
    await tx.users.delete(id);
    await tx.audit.append(
      auditRecordOf(ctx, {
        category: "UserManagement",
        activityDisplayName: "Delete user",
        operationType: "Delete",
        target: { id, displayName: before.displayName, type: "User", userPrincipalName: before.userPrincipalName },
        before: userRepresentation(before),
        after: null,
      }),
    );
  });
}
