import type { Page, RoleAssignmentFilter, RoleAssignmentRecord } from "@gatehouse/store";
import type { OperationContext } from "../operation-context.js";

export function listRoleAssignments(
  ctx: OperationContext,
  options: { top: number; skip: number; filter: RoleAssignmentFilter },
): Promise<Page<RoleAssignmentRecord>> {
  return ctx.store.roleAssignments.list(options);
}
