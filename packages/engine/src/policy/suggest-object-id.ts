/**
 * Hints for values written where an object id belongs: placeholders left by "policy as code"
 * tools (`<EmergencyAccessAccountsGroup>`, `Current administrator will be excluded`) and
 * display names (`Office 365`, `Helpdesk Administrator`, `William Overweg`).
 */
import { DIRECTORY_ROLE_TEMPLATES } from "../well-known/directory-roles.js";

/** What an id list refers to. */
export type ObjectKind =
  | "user"
  | "group"
  | "role"
  | "application"
  | "location"
  | "servicePrincipal"
  | "tenant"
  | "termsOfUse"
  | "authenticationStrength";

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isGuid(value: string): boolean {
  return GUID.test(value);
}

/** The portal's template placeholder (spec §1.15). */
export const TEMPLATE_ADMIN_PLACEHOLDER = "Current administrator will be excluded";

const PLACEHOLDER_PATTERNS: readonly RegExp[] = [
  /<[^<>]+>/, // <EmergencyAccessAccountsGroup>, <RING>
  /^%[^%]+%$/, // %OrganizationId%
  /^\{\{.*\}\}$/, // {{group}}
  /^\$\{.*\}$/, // ${group}
  /^__[A-Z0-9_]+__$/, // __GROUP_ID__
];

/** True for template/"as code" placeholders that a deploy script would replace. */
export function isPlaceholder(value: string): boolean {
  if (value.trim().toLowerCase() === TEMPLATE_ADMIN_PLACEHOLDER.toLowerCase()) return true;
  return PLACEHOLDER_PATTERNS.some((pattern) => pattern.test(value));
}

/**
 * Role display name (lower case) -> role template id: the roles of spec §2.4 plus legacy
 * names still written by older tools ("Company Administrator" = Global Administrator,
 * "User Account Administrator" = User Administrator).
 */
export const ROLE_TEMPLATE_IDS_BY_NAME: ReadonlyMap<string, { id: string; name: string }> = new Map([
  ...Object.entries(DIRECTORY_ROLE_TEMPLATES).map(([id, name]) => [name.toLowerCase(), { id, name }] as const),
  ["company administrator", { id: "62e90394-69f5-4237-9190-012177145e10", name: "Global Administrator" }],
  ["user account administrator", { id: "fe930be7-5e62-47db-91af-98c3a49a38b1", name: "User Administrator" }],
]);

const compact = (value: string): string => value.toLowerCase().replace(/[\s_\-.]+/g, "");

/** Display names (compacted) of keywords and well-known resources (§2.1, §2.2). */
const APPLICATION_NAMES: ReadonlyMap<string, string> = new Map([
  ["office365", "the keyword Office365"],
  ["microsoftadminportals", "the keyword MicrosoftAdminPortals"],
  ["all", "the keyword All"],
  ["allcloudapps", "the keyword All"],
  ["allresources", "the keyword All"],
  ["microsoftazuremanagement", "the appId 797f4846-ba00-4fd7-ba43-dac1f8f63013 (Windows Azure Service Management API)"],
  ["windowsazureservicemanagementapi", "the appId 797f4846-ba00-4fd7-ba43-dac1f8f63013 (Windows Azure Service Management API)"],
  ["office365exchangeonline", "the appId 00000002-0000-0ff1-ce00-000000000000 (Office 365 Exchange Online)"],
  ["exchangeonline", "the appId 00000002-0000-0ff1-ce00-000000000000 (Office 365 Exchange Online)"],
  ["office365sharepointonline", "the appId 00000003-0000-0ff1-ce00-000000000000 (Office 365 SharePoint Online)"],
  ["sharepointonline", "the appId 00000003-0000-0ff1-ce00-000000000000 (Office 365 SharePoint Online)"],
  ["deviceregistrationservice", "the appId 01cb2876-7ebd-4aa4-9cc9-d28bd4d359a9 (Device Registration Service)"],
]);

const USER_NAMES: ReadonlyMap<string, string> = new Map([
  ["allusers", "the keyword All"],
  ["all", "the keyword All"],
  ["none", "the keyword None"],
  ["allguestandexternalusers", "the keyword GuestsOrExternalUsers"],
  ["guests", "the keyword GuestsOrExternalUsers"],
]);

const LOCATION_NAMES: ReadonlyMap<string, string> = new Map([
  ["alltrustedlocations", "the keyword AllTrusted"],
  ["trusted", "the keyword AllTrusted"],
  ["anylocation", "the keyword All"],
  ["alllocations", "the keyword All"],
  ["mfatrustedips", "the id 00000000-0000-0000-0000-000000000000 (MFA Trusted IPs)"],
]);

const DEFAULT_HINTS: Readonly<Record<ObjectKind, string>> = {
  user: "use the user's object id (GUID) or one of the keywords All, None, GuestsOrExternalUsers",
  group: "use the group's object id (GUID)",
  role: "use the directory role template id (GUID) of the role",
  application: "use the application's appId (GUID) or one of the keywords All, None, Office365, MicrosoftAdminPortals",
  location: "use the named location's id (GUID) or one of the keywords All, AllTrusted",
  servicePrincipal: "use the service principal's object id (GUID) or the keyword ServicePrincipalsInMyTenant",
  tenant: "use the tenant id (GUID)",
  termsOfUse: "use the terms of use agreement id (GUID)",
  authenticationStrength: "use the authentication strength id (GUID)",
};

/** Plain-English advice for a non-id value found where an id of `kind` belongs. */
export function suggestObjectId(kind: ObjectKind, value: string): string {
  const key = compact(value);
  const named = (table: ReadonlyMap<string, string>): string | null => {
    const hit = table.get(key);
    return hit === undefined ? null : `did you mean ${hit}?`;
  };
  switch (kind) {
    case "role": {
      const role = ROLE_TEMPLATE_IDS_BY_NAME.get(value.trim().toLowerCase());
      return role ? `use the role template id ${role.id} (${role.name})` : DEFAULT_HINTS.role;
    }
    case "application":
      return named(APPLICATION_NAMES) ?? DEFAULT_HINTS.application;
    case "user":
      if (value.includes("@")) return `it looks like a user principal name; ${DEFAULT_HINTS.user}`;
      return named(USER_NAMES) ?? DEFAULT_HINTS.user;
    case "location":
      return named(LOCATION_NAMES) ?? DEFAULT_HINTS.location;
    default:
      return DEFAULT_HINTS[kind];
  }
}
