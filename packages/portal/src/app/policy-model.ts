/**
 * The editor's policy is the engine's normalized `ConditionalAccessPolicy` (every member
 * present, flags enums as arrays); `toGraph` turns it back into Graph's JSON (flags enums
 * comma-joined, unconfigured conditions null) for the API and the JSON view.
 */
import { normalizePolicy, TEMPLATE_ADMIN_PLACEHOLDER, type ValidationIssue } from "@gatehouse/engine";
import type { ConditionalAccessPolicy, Template } from "./types";

export const REPORT_ONLY = "enabledForReportingButNotEnforced";

export function blankPolicy(): ConditionalAccessPolicy {
  return {
    id: "",
    displayName: "",
    state: REPORT_ONLY,
    conditions: {
      users: {
        includeUsers: [],
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
        includeApplications: [],
        excludeApplications: [],
        includeUserActions: [],
        includeAuthenticationContextClassReferences: [],
        applicationFilter: null,
      },
      clientAppTypes: ["all"],
      platforms: null,
      locations: null,
      devices: null,
      signInRiskLevels: [],
      userRiskLevels: [],
      servicePrincipalRiskLevels: [],
      insiderRiskLevels: [],
      authenticationFlows: null,
      deviceStates: null,
    },
    grantControls: null,
    sessionControls: null,
  };
}

/** Fills what a normalized policy may leave null, so the editor can bind every control. */
function complete(policy: ConditionalAccessPolicy): ConditionalAccessPolicy {
  const blank = blankPolicy();
  const conditions = { ...policy.conditions };
  if (conditions.users === null && conditions.clientApplications === null) conditions.users = blank.conditions.users;
  if (conditions.applications === null) conditions.applications = blank.conditions.applications;
  return { ...policy, conditions };
}

/** Reads Graph JSON (an export, a paste, the API's answer) into the editor's form. */
export function fromGraph(raw: unknown): { policy: ConditionalAccessPolicy | null; issues: ValidationIssue[] } {
  const { policy, issues } = normalizePolicy(raw);
  return { policy: policy === null ? null : complete(policy), issues };
}

const joinFlags = (values: string[]): string | null => (values.length === 0 ? null : values.join(","));

function guests(value: { guestOrExternalUserTypes: string[]; externalTenants: unknown } | null) {
  if (value === null || value.guestOrExternalUserTypes.length === 0) return null;
  return {
    guestOrExternalUserTypes: value.guestOrExternalUserTypes.join(","),
    externalTenants: value.externalTenants ?? {
      "@odata.type": "#microsoft.graph.conditionalAccessAllExternalTenants",
      membershipKind: "all",
    },
  };
}

/** Graph JSON of the policy; `forWrite` leaves out the read-only members (id, dates). */
export function toGraph(policy: ConditionalAccessPolicy, forWrite = false): Record<string, unknown> {
  const c = policy.conditions;
  const out: Record<string, unknown> = {};
  if (!forWrite && policy.id) out.id = policy.id;
  out.displayName = policy.displayName;
  if (policy.description) out.description = policy.description;
  out.state = policy.state;
  if (!forWrite) {
    out.createdDateTime = policy.createdDateTime ?? null;
    out.modifiedDateTime = policy.modifiedDateTime ?? null;
  }
  if (policy.templateId) out.templateId = policy.templateId;
  out.conditions = {
    users:
      c.users === null
        ? null
        : {
            ...c.users,
            includeGuestsOrExternalUsers: guests(c.users.includeGuestsOrExternalUsers),
            excludeGuestsOrExternalUsers: guests(c.users.excludeGuestsOrExternalUsers),
          },
    clientApplications: c.clientApplications,
    applications: c.applications,
    clientAppTypes: c.clientAppTypes.length === 0 ? ["all"] : c.clientAppTypes,
    platforms: c.platforms,
    locations: c.locations,
    devices: c.devices,
    signInRiskLevels: c.signInRiskLevels,
    userRiskLevels: c.userRiskLevels,
    servicePrincipalRiskLevels: c.servicePrincipalRiskLevels,
    insiderRiskLevels: joinFlags(c.insiderRiskLevels),
    authenticationFlows:
      c.authenticationFlows === null || c.authenticationFlows.transferMethods.length === 0
        ? null
        : { transferMethods: c.authenticationFlows.transferMethods.join(",") },
  };
  out.grantControls = policy.grantControls;
  out.sessionControls = policy.sessionControls;
  return out;
}

/**
 * A template's policy for the editor: report-only, `templateId` set, Microsoft's "Current
 * administrator will be excluded" placeholder replaced by the signed-in administrator.
 */
export function fromTemplate(template: Template, adminId: string | null): ConditionalAccessPolicy | null {
  const details = JSON.parse(JSON.stringify(template.details)) as Template["details"];
  const users = details.conditions.users as { excludeUsers?: string[] } | null | undefined;
  if (users && Array.isArray(users.excludeUsers)) {
    const placeholder = TEMPLATE_ADMIN_PLACEHOLDER.toLowerCase();
    const rest = users.excludeUsers.filter((u) => u.trim().toLowerCase() !== placeholder);
    if (rest.length !== users.excludeUsers.length && adminId !== null) rest.push(adminId);
    users.excludeUsers = rest;
  }
  const { policy } = fromGraph({
    id: "",
    displayName: template.name,
    description: template.description,
    state: REPORT_ONLY,
    templateId: template.id,
    conditions: details.conditions,
    grantControls: details.grantControls,
    sessionControls: details.sessionControls,
  });
  return policy;
}
