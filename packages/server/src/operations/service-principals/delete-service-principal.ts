import { GatehouseError } from "@gatehouse/store";
import { auditRecordOf } from "../audit-change.js";
import type { OperationContext } from "../operation-context.js";
import { servicePrincipalRepresentation } from "./service-principal-representation.js";

export async function deleteServicePrincipal(ctx: OperationContext, id: string): Promise<void> {
  await ctx.store.transaction(async (tx) => {
    const before = await tx.servicePrincipals.get(id);
    if (before === null) throw new GatehouseError("notFound", `There is no service principal with the id '${id}'.`);
    await tx.servicePrincipals.delete(id);
    await tx.audit.append(
      auditRecordOf(ctx, {
        category: "ApplicationManagement",
        activityDisplayName: "Remove service principal",
        operationType: "Delete",
        target: { id, displayName: before.displayName, type: "ServicePrincipal" },
        before: servicePrincipalRepresentation(before),
        after: null,
      }),
    );
  });
}
