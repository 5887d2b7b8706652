import { GatehouseError, type ServicePrincipalRecord } from "@gatehouse/store";
import type { OperationContext } from "../operation-context.js";

export async function getServicePrincipal(ctx: OperationContext, id: string): Promise<ServicePrincipalRecord> {
  const sp = await ctx.store.servicePrincipals.get(id);
  if (sp === null) throw new GatehouseError("notFound", `There is no service principal with the id '${id}'.`);
  return sp;
}
