import type { Page, ServicePrincipalFilter, ServicePrincipalRecord } from "@gatehouse/store";
import type { OperationContext } from "../operation-context.js";

export function listServicePrincipals(
  ctx: OperationContext,
  options: { top: number; skip: number; filter: ServicePrincipalFilter },
): Promise<Page<ServicePrincipalRecord>> {
  return ctx.store.servicePrincipals.list(options);
}
