/**
 * The members Gatehouse reads on each Graph object of a policy (spec §1.2-§1.11): shared by
 * normalization (what to copy, what to keep as extra) and validation (what is ignored).
 */
const members = (...names: string[]): ReadonlySet<string> => new Set(names);

export const POLICY_MEMBERS = members(
  "id",
  "displayName",
  "description",
  "state",
  "createdDateTime",
  "modifiedDateTime",
  "templateId",
  "conditions",
  "grantControls",
  "sessionControls",
);
export const CONDITION_MEMBERS = members(
  "users",
  "clientApplications",
  "applications",
  "clientAppTypes",
  "platforms",
  "locations",
  "devices",
  "signInRiskLevels",
  "userRiskLevels",
  "servicePrincipalRiskLevels",
  "insiderRiskLevels",
  "authenticationFlows",
  "deviceStates",
);
export const USERS_MEMBERS = members(
  "includeUsers",
  "excludeUsers",
  "includeGroups",
  "excludeGroups",
  "includeRoles",
  "excludeRoles",
  "includeGuestsOrExternalUsers",
  "excludeGuestsOrExternalUsers",
);
export const GUESTS_MEMBERS = members("guestOrExternalUserTypes", "externalTenants");
export const CLIENT_APPLICATIONS_MEMBERS = members("includeServicePrincipals", "excludeServicePrincipals", "servicePrincipalFilter");
export const APPLICATIONS_MEMBERS = members(
  "includeApplications",
  "excludeApplications",
  "includeUserActions",
  "includeAuthenticationContextClassReferences",
  "applicationFilter",
);
export const FILTER_MEMBERS = members("mode", "rule");
export const PLATFORMS_MEMBERS = members("includePlatforms", "excludePlatforms");
export const LOCATIONS_MEMBERS = members("includeLocations", "excludeLocations");
export const DEVICES_MEMBERS = members("deviceFilter", "includeDevices", "excludeDevices");
export const DEVICE_STATES_MEMBERS = members("includeStates", "excludeStates");
export const FLOWS_MEMBERS = members("transferMethods");
export const GRANT_MEMBERS = members("operator", "builtInControls", "customAuthenticationFactors", "termsOfUse", "authenticationStrength");
export const EXTERNAL_TENANTS_MEMBERS = members("membershipKind", "members");
export const SESSION_MEMBERS = members(
  "applicationEnforcedRestrictions",
  "cloudAppSecurity",
  "signInFrequency",
  "persistentBrowser",
  "disableResilienceDefaults",
  "secureSignInSession",
  "continuousAccessEvaluation",
  "globalSecureAccessFilteringProfile",
);
