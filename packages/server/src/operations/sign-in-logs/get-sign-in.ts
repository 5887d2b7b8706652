import type { SignInLogEntry } from "@gatehouse/engine";
import { GatehouseError } from "@gatehouse/store";
import type { OperationContext } from "../operation-context.js";

export async function getSignIn(ctx: OperationContext, id: string): Promise<SignInLogEntry> {
  const entry = await ctx.store.signIns.get(id);
  if (entry === null) throw new GatehouseError("notFound", `There is no sign-in log record with the id '${id}'.`);
  return entry;
}
