import { type AuthenticationContextRecord, GatehouseError } from "@gatehouse/store";
import type { OperationContext } from "../operation-context.js";

export async function getAuthenticationContext(ctx: OperationContext, id: string): Promise<AuthenticationContextRecord> {
  const context = await ctx.store.authenticationContexts.get(id);
  if (context === null) throw new GatehouseError("notFound", `There is no authentication context with the id '${id}'.`);
  return context;
}
