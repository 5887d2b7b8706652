import type { NamedLocation } from "@gatehouse/engine";
import { GatehouseError } from "@gatehouse/store";
import type { OperationContext } from "../operation-context.js";

export async function getNamedLocation(ctx: OperationContext, id: string): Promise<NamedLocation> {
  const location = await ctx.store.namedLocations.get(id);
  if (location === null) throw new GatehouseError("notFound", `There is no named location with the id '${id}'.`);
  return location;
}
