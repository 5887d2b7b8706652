import { GatehouseError, type GroupRecord } from "@gatehouse/store";
import type { OperationContext } from "../operation-context.js";

export async function getGroup(ctx: OperationContext, id: string): Promise<GroupRecord> {
  const group = await ctx.store.groups.get(id);
  if (group === null) throw new GatehouseError("notFound", `There is no group with the id '${id}'.`);
  return group;
}
