/**
 * As in Entra, a user holding a directory role can be changed or deleted only by a Global
 * Administrator or a Privileged Authentication Administrator: a User Administrator cannot take
 * over an administrator's account (reset its password, disable or rename it). Emergency-access
 * accounts are protected the same way, whether or not they hold a role.
 */
import type { Repositories } from "@gatehouse/store";
import { resolveRoleTemplateIds } from "../../auth/authenticate.js";
import { DIRECTORY_ROLE_IDS } from "../../auth/directory-role-ids.js";
import { AccessDeniedError } from "../../errors/access-denied-error.js";
import { transitiveGroupIds } from "../groups/guard-role-assignable-group.js";
import type { OperationContext } from "../operation-context.js";

/** Whether the user is an emergency-access account: listed in the settings or a (transitive) member of an emergency-access group. */
async function isEmergencyAccessAccount(tx: Repositories, userId: string): Promise<boolean> {
  const settings = await tx.tenant.get();
  if (settings === null) return false;
  if (settings.emergencyAccessUserIds.some((id) => id.toLowerCase() === userId.toLowerCase())) return true;
  const emergencyGroups = new Set(settings.emergencyAccessGroupIds.map((id) => id.toLowerCase()));
  return (await transitiveGroupIds(tx, userId)).some((id) => emergencyGroups.has(id.toLowerCase()));
}

export async function guardPrivilegedUser(ctx: OperationContext, tx: Repositories, userId: string): Promise<void> {
  const held = ctx.caller.roleTemplateIds;
  if (held.has(DIRECTORY_ROLE_IDS.globalAdministrator) || held.has(DIRECTORY_ROLE_IDS.privilegedAuthenticationAdministrator)) return;
  const roles = await resolveRoleTemplateIds(tx, userId);
  if (roles.size > 0) {
    throw new AccessDeniedError(
      `Insufficient privileges to change the user '${userId}': the user holds a directory role, so it needs Global Administrator or Privileged Authentication Administrator.`,
    );
  }
  if (await isEmergencyAccessAccount(tx, userId)) {
    throw new AccessDeniedError(
      `Insufficient privileges to change the user '${userId}': it is an emergency-access account, so it needs Global Administrator or Privileged Authentication Administrator.`,
    );
  }
}
