/**
 * As in Entra, a user holding a directory role can be changed or deleted only by a Global
 * Administrator or a Privileged Authentication Administrator: a User Administrator cannot take
 * over an administrator's account (reset its password, disable or rename it).
 */
import type { Repositories } from "@gatehouse/store";
import { resolveRoleTemplateIds } from "../../auth/authenticate.js";
import { DIRECTORY_ROLE_IDS } from "../../auth/directory-role-ids.js";
import { AccessDeniedError } from "../../errors/access-denied-error.js";
import type { OperationContext } from "../operation-context.js";

export async function guardPrivilegedUser(ctx: OperationContext, tx: Repositories, userId: string): Promise<void> {
  const held = ctx.caller.roleTemplateIds;
  if (held.has(DIRECTORY_ROLE_IDS.globalAdministrator) || held.has(DIRECTORY_ROLE_IDS.privilegedAuthenticationAdministrator)) return;
  const roles = await resolveRoleTemplateIds(tx, userId);
  if (roles.size > 0) {
    throw new AccessDeniedError(
      `Insufficient privileges to change the user '${userId}': the user holds a directory role, so it needs Global Administrator or Privileged Authentication Administrator.`,
    );
  }
}
