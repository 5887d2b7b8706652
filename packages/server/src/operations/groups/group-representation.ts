import type { GroupRecord } from "@gatehouse/store";

/** Graph's `group` (security groups only). */
export function groupRepresentation(group: GroupRecord): Record<string, unknown> {
  return {
    id: group.id,
    displayName: group.displayName,
    description: group.description,
    isAssignableToRole: group.isAssignableToRole,
    securityEnabled: true,
    mailEnabled: false,
    createdDateTime: group.createdDateTime,
  };
}
