import type { UserRecord } from "@gatehouse/store";
import { auditRecordOf } from "../audit-change.js";
import type { OperationContext } from "../operation-context.js";
import { readUserInput } from "./read-user-input.js";
import { userRepresentation } from "./user-representation.js";

export async function createUser(ctx: OperationContext, body: unknown): Promise<UserRecord> {
  const { patch, passwordHash } = await readUserInput(body, true);
  return ctx.store.transaction(async (tx) => {
    const user = await tx.users.create({
      userPrincipalName: patch.userPrincipalName as string,
      displayName: patch.displayName as string,
      ...(patch.userType === undefined ? {} : { userType: patch.userType }),
      ...(patch.accountEnabled === undefined ? {} : { accountEnabled: patch.accountEnabled }),
      ...(patch.externalUserType === undefined ? {} : { externalUserType: patch.externalUserType }),
      ...(patch.externalTenantId === undefined ? {} : { externalTenantId: patch.externalTenantId }),
      passwordHash: passwordHash ?? null,
    });
    await tx.audit.append(
      auditRecordOf(ctx, {
        category: "UserManagement",
        activityDisplayName: "Add user",
        operationType: "Add",
        target: { id: user.id, displayName: user.displayName, type: "User", userPrincipalName: user.userPrincipalName },
        before: null,
        after: userRepresentation(user),
      }),
    );
    return user;
  });
}
