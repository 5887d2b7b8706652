import { GatehouseError } from "@gatehouse/store";
import { auditRecordOf } from "../audit-change.js";
import type { OperationContext } from "../operation-context.js";

/** `conflict` (409) while a policy targets the context. */
export async function deleteAuthenticationContext(ctx: OperationContext, id: string): Promise<void> {
  await ctx.store.transaction(async (tx) => {
    const current = await tx.authenticationContexts.get(id);
    if (current === null) throw new GatehouseError("notFound", `There is no authentication context with the id '${id}'.`);
    await tx.authenticationContexts.delete(id);
    await tx.audit.append(
      auditRecordOf(ctx, {
        category: "Policy",
        activityDisplayName: "Delete authentication context",
        operationType: "Delete",
        target: { id, displayName: current.displayName, type: "AuthenticationContextClassReference" },
        before: current,
        after: null,
      }),
    );
  });
}
