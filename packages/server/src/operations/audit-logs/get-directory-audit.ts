import { type AuditRecord, GatehouseError } from "@gatehouse/store";
import type { OperationContext } from "../operation-context.js";

export async function getDirectoryAudit(ctx: OperationContext, id: string): Promise<AuditRecord> {
  const record = await ctx.store.audit.get(id);
  if (record === null) throw new GatehouseError("notFound", `There is no directory audit record with the id '${id}'.`);
  return record;
}
