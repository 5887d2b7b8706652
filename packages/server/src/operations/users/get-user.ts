import { GatehouseError, type UserRecord } from "@gatehouse/store";
import type { OperationContext } from "../operation-context.js";

export async function getUser(ctx: OperationContext, id: string): Promise<UserRecord> {
  const user = await ctx.store.users.get(id);
  if (user === null) throw new GatehouseError("notFound", `There is no user with the id '${id}'.`);
  return user;
}
