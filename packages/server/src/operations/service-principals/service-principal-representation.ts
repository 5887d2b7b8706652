import type { ServicePrincipalRecord } from "@gatehouse/store";

export function servicePrincipalRepresentation(sp: ServicePrincipalRecord): Record<string, unknown> {
  return {
    id: sp.id,
    appId: sp.appId,
    displayName: sp.displayName,
    servicePrincipalType: sp.servicePrincipalType,
    appOwnerOrganizationId: sp.appOwnerOrganizationId,
    accountEnabled: sp.accountEnabled,
    customSecurityAttributes: sp.customSecurityAttributes,
    createdDateTime: sp.createdDateTime,
  };
}
