/**
 * CISA SCuBA Entra ID baseline, Conditional Access controls (MS.AAD 1.1, 2.1, 2.3, 3.1, 3.2,
 * 3.6, 3.7, 3.8, 3.9), judged semantically with the engine.
 *
 * A control is met when at least one ENABLED policy, on its own, does what the control
 * requires for EVERY sign-in in the control's scope. "Every sign-in" is the exact sweep of
 * equivalence classes (`probe-directory`, `request-space`): each user profile the policy
 * distinguishes (members of each excluded group, holders of each excluded role, guests of each
 * type, users in none), each resource it names plus "any other app", every client app type,
 * platform class, location class, risk class, device and flow. The policy alone is compiled
 * (state forced to enabled) against the tenant's directory plus synthetic members, and
 * `decide` answers each point. Consequences:
 *
 * - a policy narrowed by any extra condition (a platform, a location, a risk level, an
 *   excluded app, an excluded group...) misses some point and does not count;
 * - exclusions are accepted only for the accounts declared exempt (emergency access, or
 *   ScubaGear's `CapExclusions` for that control), never silently;
 * - what the policy requires is read from outcomes, not from JSON: "MFA" means a session with
 *   only a password (every non-MFA control satisfied, on any device) is never granted.
 */
import { type ConditionalAccessPolicy, compileTenant, decide, type SatisfiedControls, type TenantSnapshot } from "@gatehouse/engine";
import { lightSnapshot } from "../internal/light-snapshot.js";
import {
  grantBlocks,
  hasKeyword,
  lowerAll,
  PHISHING_RESISTANT_COMBINATIONS,
  policyMode,
  strengthCombinations,
} from "../internal/policy-facts.js";
import { buildProbeDirectory, type EmergencyAccess, type ProbeProfile } from "../internal/probe-directory.js";
import { buildRequestSpace, CLIENT_APP_TYPES, DEVICES, type RequestSpace, type SpaceValue } from "../internal/request-space.js";
import { ALL_METHODS, describePoint, NON_PHISHING_RESISTANT_METHODS, type SweepPoint, sweep } from "../internal/sweep.js";

export interface BaselineControl {
  id: string;
  requirementMet: boolean;
  policies: string[];
  details: string;
}

export interface BaselineReport {
  controls: BaselineControl[];
}

/** ScubaGear's default privileged roles (MS.AAD.7.1 / 3.6), by template id. */
export const SCUBA_PRIVILEGED_ROLES: readonly { id: string; name: string }[] = [
  { id: "62e90394-69f5-4237-9190-012177145e10", name: "Global Administrator" },
  { id: "e8611ab8-c189-46e8-94e1-60213ab1f814", name: "Privileged Role Administrator" },
  { id: "fe930be7-5e62-47db-91af-98c3a49a38b1", name: "User Administrator" },
  { id: "f28a1f50-f6e7-4571-818b-6a12f2af6b6c", name: "SharePoint Administrator" },
  { id: "29232cdf-9323-42fd-ade2-1d097af3e4de", name: "Exchange Administrator" },
  { id: "8ac3fc64-6eca-42ea-9e69-59f4c7b60eb2", name: "Hybrid Identity Administrator" },
  { id: "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3", name: "Application Administrator" },
  { id: "158c047a-c907-4556-b7ef-446551a6b5f7", name: "Cloud Application Administrator" },
];

export interface BaselineOptions {
  /** Accounts declared exempt from every control (emergency access). */
  emergencyAccess?: EmergencyAccess;
  /** Per-control exemptions (ScubaGear `CapExclusions`), by control id prefix such as `MS.AAD.3.2`. */
  controlExemptions?: Readonly<Record<string, EmergencyAccess>>;
  /** Privileged roles for 3.6 (template ids); default {@link SCUBA_PRIVILEGED_ROLES}. */
  privilegedRoles?: readonly string[];
}

type Requirement = "block" | "mfa" | "phishingResistant" | "managedDevice";

interface ControlSpec {
  id: string;
  title: string;
  requirement: Requirement;
  /** Restricts the request space to the control's scope. */
  scope: (space: RequestSpace) => RequestSpace;
  /** Privileged-role holders only (3.6). */
  privilegedOnly?: boolean;
  /** The grant must name this kind of control (a block-all policy is not "MFA"). */
  grantShape: (p: ConditionalAccessPolicy, tenant: TenantSnapshot) => boolean;
}

const only = <T>(values: readonly SpaceValue<T>[], keys: readonly string[]): SpaceValue<T>[] => values.filter((v) => keys.includes(v.key));
const REGISTER_SECURITY_INFO: SpaceValue<RequestSpace["targets"][number]["value"]> = {
  key: "action:urn:user:registersecurityinfo",
  label: "registering security information",
  value: { "@odata.type": "#microsoft.graph.userActionContext", userAction: "urn:user:registersecurityinfo" },
};
const risk = (level: string): SpaceValue<string>[] => [{ key: level, label: `${level} risk`, value: level }];

const mfaShape = (p: ConditionalAccessPolicy): boolean =>
  hasKeyword(p.grantControls?.builtInControls, "mfa") || !!p.grantControls?.authenticationStrength;
const phishingResistantShape = (p: ConditionalAccessPolicy, tenant: TenantSnapshot): boolean => {
  const combos = strengthCombinations(p, tenant);
  return combos !== null && combos.length > 0 && combos.every((c) => PHISHING_RESISTANT_COMBINATIONS.has(c));
};
const deviceShape = (p: ConditionalAccessPolicy): boolean =>
  lowerAll(p.grantControls?.builtInControls).some((c) => c === "compliantdevice" || c === "domainjoineddevice");

const CONTROLS: readonly ControlSpec[] = [
  {
    id: "MS.AAD.1.1v1",
    title: "Legacy authentication SHALL be blocked",
    requirement: "block",
    scope: (s) => ({ ...s, clientAppTypes: only(CLIENT_APP_TYPES, ["exchangeActiveSync", "other"]) }),
    grantShape: grantBlocks,
  },
  {
    id: "MS.AAD.2.1v1",
    title: "Users detected as high risk SHALL be blocked",
    requirement: "block",
    scope: (s) => ({ ...s, userRisks: risk("high") }),
    grantShape: grantBlocks,
  },
  {
    id: "MS.AAD.2.3v1",
    title: "Sign-ins detected as high risk SHALL be blocked",
    requirement: "block",
    scope: (s) => ({ ...s, signInRisks: risk("high") }),
    grantShape: grantBlocks,
  },
  {
    id: "MS.AAD.3.1v1",
    title: "Phishing-resistant MFA SHALL be enforced for all users",
    requirement: "phishingResistant",
    scope: (s) => s,
    grantShape: phishingResistantShape,
  },
  {
    id: "MS.AAD.3.2v2",
    title: "If phishing-resistant MFA has not been enforced, an alternative MFA method SHALL be enforced for all users",
    requirement: "mfa",
    scope: (s) => s,
    grantShape: mfaShape,
  },
  {
    id: "MS.AAD.3.6v1",
    title: "Phishing-resistant MFA SHALL be required for highly privileged roles",
    requirement: "phishingResistant",
    scope: (s) => s,
    privilegedOnly: true,
    grantShape: phishingResistantShape,
  },
  {
    id: "MS.AAD.3.7v1",
    title: "Managed devices SHOULD be required for authentication",
    requirement: "managedDevice",
    scope: (s) => ({ ...s, devices: only(DEVICES, ["unregistered", "registered"]) }),
    grantShape: deviceShape,
  },
  {
    id: "MS.AAD.3.8v1",
    title: "Managed devices SHOULD be required to register MFA",
    requirement: "managedDevice",
    scope: (s) => ({ ...s, targets: [REGISTER_SECURITY_INFO], devices: only(DEVICES, ["unregistered", "registered"]) }),
    grantShape: deviceShape,
  },
  {
    id: "MS.AAD.3.9v1",
    title: "Device code authentication SHOULD be blocked",
    requirement: "block",
    scope: (s) => ({ ...s, flows: [{ key: "deviceCodeFlow", label: "the device code flow", value: "deviceCodeFlow" }] }),
    grantShape: grantBlocks,
  },
];

export const CISA_SCUBA_CONTROL_IDS: readonly string[] = CONTROLS.map((c) => c.id);

function satisfiedFor(requirement: Requirement, policies: readonly ConditionalAccessPolicy[]): SatisfiedControls {
  const termsOfUse = [...new Set(policies.flatMap((p) => p.grantControls?.termsOfUse ?? []))];
  const customAuthenticationFactors = [...new Set(policies.flatMap((p) => p.grantControls?.customAuthenticationFactors ?? []))];
  const base = { termsOfUse, customAuthenticationFactors, approvedApplication: true, compliantApplication: true };
  switch (requirement) {
    case "mfa":
      return { ...base, authenticationMethods: ["password"] };
    case "phishingResistant":
      return { ...base, authenticationMethods: NON_PHISHING_RESISTANT_METHODS };
    case "managedDevice":
    case "block":
      return { ...base, authenticationMethods: ALL_METHODS, passwordChange: true };
  }
}

/** The first point where the policy alone fails the requirement, or null when it holds everywhere. */
function firstFailure(
  policy: ConditionalAccessPolicy,
  control: ControlSpec,
  tenant: TenantSnapshot,
  exempt: EmergencyAccess,
  privilegedRoles: readonly string[],
): { text: string; misses: number } | null {
  if (policyMode(policy) !== "enabled") {
    return { text: `"${policy.displayName}" is ${policyMode(policy) === "reportOnly" ? "report-only" : "disabled"}`, misses: 2 };
  }
  if (!control.grantShape(policy, tenant)) return null; // not a candidate; reported separately
  const directory = buildProbeDirectory(lightSnapshot(tenant, [policy], exempt.userIds), [policy], {
    emergencyAccess: exempt,
    realUsers: false,
    ...(control.privilegedOnly ? { roles: privilegedRoles } : {}),
  });
  let profiles: ProbeProfile[] = directory.profiles.filter((p) => !p.exempt);
  if (control.privilegedOnly) {
    const privileged = new Set(privilegedRoles.map((r) => `r:${r.toLowerCase()}`));
    profiles = profiles.filter((p) => p.memberships.length === 1 && privileged.has(p.memberships[0] as string));
  }
  const space = control.scope(buildRequestSpace(directory.snapshot, [policy]));
  const compiled = compileTenant({ ...directory.snapshot, policies: [{ ...policy, state: "enabled" }] });
  const satisfied = satisfiedFor(control.requirement, [policy]);
  let failure: string | null = null;
  let misses = 0;
  const total = sweep(profiles, space, satisfied, (point: SweepPoint, request) => {
    const outcome = decide(compiled, request).outcome;
    const ok = control.requirement === "block" ? outcome === "block" : outcome !== "grant";
    if (ok) return true;
    misses++;
    failure ??= `"${policy.displayName}" lets ${describePoint(point)} reach ${point.target.label} (${outcome === "grant" ? "granted" : outcome})`;
    return true;
  });
  return failure === null ? null : { text: failure, misses: misses / Math.max(1, total) };
}

/** Judges the nine CA controls of the CISA SCuBA baseline (see module comment). */
export function checkCisaScubaBaseline(tenant: TenantSnapshot, options: BaselineOptions = {}): BaselineReport {
  const privilegedRoles = options.privilegedRoles ?? SCUBA_PRIVILEGED_ROLES.map((r) => r.id);
  const controls: BaselineControl[] = [];
  for (const control of CONTROLS) {
    const prefix = control.id.replace(/v\d+$/, "");
    const perControl = options.controlExemptions?.[prefix] ?? options.controlExemptions?.[control.id];
    const exempt: EmergencyAccess = {
      userIds: [...(options.emergencyAccess?.userIds ?? []), ...(perControl?.userIds ?? [])],
      groupIds: [...(options.emergencyAccess?.groupIds ?? []), ...(perControl?.groupIds ?? [])],
    };
    const passing: string[] = [];
    const failures: { text: string; misses: number }[] = [];
    let candidates = 0;
    for (const policy of tenant.policies) {
      if (!control.grantShape(policy, tenant)) continue;
      candidates++;
      const failure = firstFailure(policy, control, tenant, exempt, privilegedRoles);
      if (failure === null) passing.push(policy.displayName);
      else failures.push(failure);
    }
    const met = passing.length > 0;
    let details: string;
    if (met) {
      details = `${passing.length} conditional access policy(s) found that meet(s) all requirements: ${passing.join(", ")}`;
    } else if (candidates === 0) {
      details = `0 conditional access policy(s) found that meet(s) all requirements: no policy ${describeShape(control.requirement)}`;
    } else {
      failures.sort((a, b) => a.misses - b.misses);
      const shown = failures
        .slice(0, 3)
        .map((f) => f.text)
        .join("; ");
      details = `0 conditional access policy(s) found that meet(s) all requirements: ${shown}${failures.length > 3 ? `; and ${failures.length - 3} more` : ""}`;
    }
    controls.push({ id: control.id, requirementMet: met, policies: passing, details });
  }
  return { controls };
}

function describeShape(requirement: Requirement): string {
  switch (requirement) {
    case "block":
      return "blocks access in this scope";
    case "mfa":
      return "requires MFA or an authentication strength";
    case "phishingResistant":
      return "requires a phishing-resistant authentication strength";
    case "managedDevice":
      return "requires a compliant or hybrid-joined device";
  }
}
