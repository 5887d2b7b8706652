import { GatehouseError, type RoleAssignmentRecord } from "@gatehouse/store";
import type { OperationContext } from "../operation-context.js";

export async function getRoleAssignment(ctx: OperationContext, id: string): Promise<RoleAssignmentRecord> {
  const assignment = await ctx.store.roleAssignments.get(id);
  if (assignment === null) throw new GatehouseError("notFound", `There is no role assignment with the id '${id}'.`);
  return assignment;
}
