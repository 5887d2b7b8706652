/**
 * As in Entra, role-assignable groups (which can hold directory roles) and their members are
 * managed only by those who may assign roles: otherwise a User Administrator could add
 * themselves to a group holding Global Administrator.
 */
import { isAllowed } from "../../auth/role-matrix.js";
import { AccessDeniedError } from "../../errors/access-denied-error.js";
import type { OperationContext } from "../operation-context.js";

export function guardRoleAssignableGroup(ctx: OperationContext, isAssignableToRole: boolean, what: string): void {
  if (isAssignableToRole && !isAllowed(ctx.caller, "roleAssignments.write")) {
    throw new AccessDeniedError(
      `Insufficient privileges to ${what} of a role-assignable group: it needs Global Administrator or Privileged Role Administrator (or the permission RoleManagement.ReadWrite.Directory).`,
    );
  }
}
