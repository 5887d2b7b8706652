import type { UserRecord } from "@gatehouse/store";

/** Graph's `user` (no password, ever). */
export function userRepresentation(user: UserRecord): Record<string, unknown> {
  return {
    id: user.id,
    userPrincipalName: user.userPrincipalName,
    displayName: user.displayName,
    userType: user.userType,
    accountEnabled: user.accountEnabled,
    externalUserType: user.externalUserType,
    externalTenantId: user.externalTenantId,
    createdDateTime: user.createdDateTime,
  };
}
