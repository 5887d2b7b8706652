/**
 * As in Entra, role-assignable groups (which can hold directory roles) and their members are
 * managed only by those who may assign roles: otherwise a User Administrator could add
 * themselves to a group holding Global Administrator.
 *
 * The same holds for any group that confers a role or emergency access in fact, whatever its
 * flag says: a group holding a role assignment, a group nested (transitively) in such a group
 * or in a role-assignable group, and the emergency-access groups and the groups nested in them
 * (their members are excluded from every Conditional Access policy).
 */
import type { GroupRecord, Repositories } from "@gatehouse/store";
import { isAllowed } from "../../auth/role-matrix.js";
import { AccessDeniedError } from "../../errors/access-denied-error.js";
import type { OperationContext } from "../operation-context.js";

const denied = (what: string, kind: string): AccessDeniedError =>
  new AccessDeniedError(
    `Insufficient privileges to ${what} of a ${kind}: it needs Global Administrator or Privileged Role Administrator (or the permission RoleManagement.ReadWrite.Directory).`,
  );

export function guardRoleAssignableGroup(ctx: OperationContext, isAssignableToRole: boolean, what: string): void {
  if (isAssignableToRole && !isAllowed(ctx.caller, "roleAssignments.write")) throw denied(what, "role-assignable group");
}

/** The ids of `principalId`'s groups, directly or through nested groups. */
export async function transitiveGroupIds(tx: Repositories, principalId: string): Promise<string[]> {
  const found: string[] = [];
  const pending = [principalId];
  const seen = new Set<string>([principalId.toLowerCase()]);
  while (pending.length > 0) {
    for (const groupId of await tx.groups.listMemberOf(pending.pop() as string)) {
      const key = groupId.toLowerCase();
      if (seen.has(key)) continue;
      seen.add(key);
      found.push(groupId);
      pending.push(groupId);
    }
  }
  return found;
}

/** Whether membership of `group` confers a directory role or emergency access (see above). */
export async function isPrivilegedGroup(tx: Repositories, group: GroupRecord): Promise<boolean> {
  if (group.isAssignableToRole) return true;
  const settings = await tx.tenant.get();
  const emergency = new Set((settings?.emergencyAccessGroupIds ?? []).map((id) => id.toLowerCase()));
  const groups = [group.id, ...(await transitiveGroupIds(tx, group.id))];
  for (const id of groups) {
    if (emergency.has(id.toLowerCase())) return true;
    if ((await tx.groups.get(id))?.isAssignableToRole) return true;
    const assignments = await tx.roleAssignments.list({ top: 1, filter: { principalId: id } });
    if (assignments.value.length > 0) return true;
  }
  return false;
}

/** Refuses a change to `group` (its members, or the group itself) by a caller who may not assign roles when the group is privileged. */
export async function guardPrivilegedGroup(ctx: OperationContext, tx: Repositories, group: GroupRecord, what: string): Promise<void> {
  if (isAllowed(ctx.caller, "roleAssignments.write")) return;
  if (await isPrivilegedGroup(tx, group)) {
    throw denied(what, group.isAssignableToRole ? "role-assignable group" : "group that confers a directory role or emergency access");
  }
}
