import { GatehouseError, type ServicePrincipalRecord } from "@gatehouse/store";
import { auditRecordOf } from "../audit-change.js";
import type { OperationContext } from "../operation-context.js";
import { readServicePrincipalInput } from "./read-service-principal-input.js";
import { servicePrincipalRepresentation } from "./service-principal-representation.js";

export async function updateServicePrincipal(
  ctx: OperationContext,
  input: { id: string; patch: unknown },
): Promise<ServicePrincipalRecord> {
  const { patch } = readServicePrincipalInput(input.patch, false);
  return ctx.store.transaction(async (tx) => {
    const before = await tx.servicePrincipals.get(input.id);
    if (before === null) throw new GatehouseError("notFound", `There is no service principal with the id '${input.id}'.`);
    const after = await tx.servicePrincipals.update(input.id, patch);
    await tx.audit.append(
      auditRecordOf(ctx, {
        category: "ApplicationManagement",
        activityDisplayName: "Update service principal",
        operationType: "Update",
        target: { id: after.id, displayName: after.displayName, type: "ServicePrincipal" },
        before: servicePrincipalRepresentation(before),
        after: servicePrincipalRepresentation(after),
      }),
    );
    return after;
  });
}
