import { GatehouseError, type PolicyRecord } from "@gatehouse/store";
import type { OperationContext } from "../operation-context.js";

export async function getPolicy(ctx: OperationContext, id: string): Promise<PolicyRecord> {
  const record = await ctx.store.policies.get(id);
  if (record === null) throw new GatehouseError("notFound", `There is no conditional access policy with the id '${id}'.`);
  return record;
}
