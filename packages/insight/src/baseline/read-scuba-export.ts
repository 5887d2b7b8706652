/**
 * ScubaGear's `ProviderSettingsExport.json`, read as it is: the Conditional Access policies
 * (`conditional_access_policies`, an array or a single object, PowerShell SDK PascalCase, via
 * the engine's tolerant reader) become a tenant snapshot without a directory, and the
 * exemptions declared in `scuba_config` (`Aad` / `AAD` -> control id -> `CapExclusions`
 * `{ Users, Groups }`) become per-control exemptions.
 */
import { readPolicyDocument, type TenantSnapshot, type ValidationIssue } from "@gatehouse/engine";
import type { EmergencyAccess } from "../internal/probe-directory.js";

export interface ScubaExport {
  tenant: TenantSnapshot;
  controlExemptions: Record<string, EmergencyAccess>;
  issues: ValidationIssue[];
}

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/** True when a parsed document is a ScubaGear provider export. */
export function isScubaExport(document: unknown): boolean {
  return (
    isRecord(document) &&
    "conditional_access_policies" in document &&
    ("baseline_version" in document || "module_version" in document || "scuba_config" in document || "tenant_details" in document)
  );
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);

export function readScubaExport(document: unknown): ScubaExport {
  const { policies, issues } = readPolicyDocument(
    isRecord(document) ? { conditional_access_policies: document.conditional_access_policies } : document,
    {
      validate: false,
    },
  );
  const tenantId = isRecord(document) && typeof document.tenant_id === "string" ? document.tenant_id : "";
  const controlExemptions: Record<string, EmergencyAccess> = {};
  const config = isRecord(document) && isRecord(document.scuba_config) ? document.scuba_config : {};
  for (const [key, value] of Object.entries(config)) {
    if (key.toLowerCase() !== "aad" || !isRecord(value)) continue;
    for (const [control, settings] of Object.entries(value)) {
      if (!isRecord(settings) || !isRecord(settings.CapExclusions)) continue;
      const caps = settings.CapExclusions;
      controlExemptions[control.replace(/v\d+$/, "")] = { userIds: strings(caps.Users), groupIds: strings(caps.Groups) };
    }
  }
  return {
    tenant: {
      tenantId,
      policies,
      namedLocations: [],
      authenticationStrengthPolicies: [],
      users: [],
      groups: [],
      roleAssignments: [],
      servicePrincipals: [],
    },
    controlExemptions,
    issues,
  };
}
