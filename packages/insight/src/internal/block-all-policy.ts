import type { ConditionalAccessPolicy } from "@gatehouse/engine";

/**
 * An enabled policy that blocks all users on all resources, narrowed by `conditions` (which
 * replace the defaults: no client app type, platform, location, risk, device or flow condition).
 */
export function blockAllPolicy(
  id: string,
  displayName: string,
  conditions: Partial<ConditionalAccessPolicy["conditions"]>,
): ConditionalAccessPolicy {
  return {
    id,
    displayName,
    state: "enabled",
    conditions: {
      users: {
        includeUsers: ["All"],
        excludeUsers: [],
        includeGroups: [],
        excludeGroups: [],
        includeRoles: [],
        excludeRoles: [],
        includeGuestsOrExternalUsers: null,
        excludeGuestsOrExternalUsers: null,
      },
      clientApplications: null,
      applications: {
        includeApplications: ["All"],
        excludeApplications: [],
        includeUserActions: [],
        includeAuthenticationContextClassReferences: [],
        applicationFilter: null,
      },
      clientAppTypes: [],
      platforms: null,
      locations: null,
      devices: null,
      signInRiskLevels: [],
      userRiskLevels: [],
      servicePrincipalRiskLevels: [],
      insiderRiskLevels: [],
      authenticationFlows: null,
      deviceStates: null,
      ...conditions,
    },
    grantControls: blockGrant(),
    sessionControls: null,
  };
}

/** Grant controls that block (a new object each time). */
export function blockGrant(): ConditionalAccessPolicy["grantControls"] {
  return {
    operator: "OR",
    builtInControls: ["block"],
    customAuthenticationFactors: [],
    termsOfUse: [],
    authenticationStrength: null,
  };
}
