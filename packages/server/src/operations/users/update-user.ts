import { GatehouseError, type UserRecord } from "@gatehouse/store";
import { auditRecordOf } from "../audit-change.js";
import type { OperationContext } from "../operation-context.js";
import { guardPrivilegedUser } from "./guard-privileged-user.js";
import { readUserInput } from "./read-user-input.js";
import { userRepresentation } from "./user-representation.js";

export async function updateUser(ctx: OperationContext, input: { id: string; patch: unknown }): Promise<UserRecord> {
  const { patch, passwordHash } = await readUserInput(input.patch, false);
  return ctx.store.transaction(async (tx) => {
    const before = await tx.users.get(input.id);
    if (before === null) throw new GatehouseError("notFound", `There is no user with the id '${input.id}'.`);
    await guardPrivilegedUser(ctx, tx, before.id);
    const after = await tx.users.update(input.id, patch);
    if (passwordHash !== undefined) await tx.users.setPasswordHash(input.id, passwordHash);
    const modified = auditRecordOf(ctx, {
      category: "UserManagement",
      activityDisplayName: "Update user",
      operationType: "Update",
      target: { id: after.id, displayName: after.displayName, type: "User", userPrincipalName: after.userPrincipalName },
      before: userRepresentation(before),
      after: userRepresentation(after),
    });
    if (passwordHash !== undefined) {
      modified.targetResources[0]?.modifiedProperties?.push({
        displayName: "PasswordProfile",
        oldValue: null,
        newValue: JSON.stringify("[changed]"),
      });
      modified.activityDisplayName = "Update user; Reset password";
    }
    await tx.audit.append(modified);
    return after;
  });
}
