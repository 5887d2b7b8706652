/**
 * Small facts about normalized policies (spec §1), shared by lint, baseline, gaps and diff.
 * Pure functions over the engine's normalized `ConditionalAccessPolicy`.
 */
import { isWorkloadIdentityPolicy } from "@gatehouse/admin";
import {
  type ConditionalAccessPolicy,
  DIRECTORY_ROLE_TEMPLATES,
  MFA_STRENGTH_ID,
  PASSWORDLESS_MFA_STRENGTH_ID,
  PHISHING_RESISTANT_MFA_STRENGTH_ID,
  type TenantSnapshot,
} from "@gatehouse/engine";

export type PolicyMode = "enabled" | "reportOnly" | "disabled";

/** R1: policy state; an unknown future state is enforced (fail closed), like the engine. */
export function policyMode(policy: ConditionalAccessPolicy): PolicyMode {
  const state = String(policy.state ?? "").toLowerCase();
  if (state === "disabled") return "disabled";
  if (state === "enabledforreportingbutnotenforced") return "reportOnly";
  return "enabled";
}

export const lowerAll = (values: readonly unknown[] | null | undefined): string[] =>
  (values ?? []).filter((v): v is string => typeof v === "string").map((v) => v.toLowerCase());

export const hasKeyword = (values: readonly unknown[] | null | undefined, keyword: string): boolean =>
  lowerAll(values).includes(keyword.toLowerCase());

/** R14: a workload-identity policy targets service principals (or agents), never users. */
export const isWorkloadPolicy: (policy: ConditionalAccessPolicy) => boolean = isWorkloadIdentityPolicy;

export function grantBlocks(policy: ConditionalAccessPolicy): boolean {
  return hasKeyword(policy.grantControls?.builtInControls, "block");
}

/** The policy asks something of the user (a grant control of any kind, block included). */
export function grantRequiresSomething(policy: ConditionalAccessPolicy): boolean {
  const g = policy.grantControls;
  if (!g) return false;
  return (
    g.builtInControls.length > 0 || g.termsOfUse.length > 0 || g.customAuthenticationFactors.length > 0 || g.authenticationStrength !== null
  );
}

/** Method combinations that are phishing-resistant (spec §1.13, built-in strength ...0004). */
export const PHISHING_RESISTANT_COMBINATIONS: ReadonlySet<string> = new Set([
  "windowshelloforbusiness",
  "fido2",
  "x509certificatemultifactor",
]);

/** Strength ids by strictness; custom strengths are judged by their combinations. */
export const BUILT_IN_STRENGTH_NAMES: Readonly<Record<string, string>> = {
  [MFA_STRENGTH_ID]: "Multifactor authentication",
  [PASSWORDLESS_MFA_STRENGTH_ID]: "Passwordless MFA",
  [PHISHING_RESISTANT_MFA_STRENGTH_ID]: "Phishing-resistant MFA",
};

/** Allowed combinations of a policy's authentication strength: the tenant's custom ones, the embedded copy, or a built-in's. */
export function strengthCombinations(policy: ConditionalAccessPolicy, tenant: TenantSnapshot | null): string[] | null {
  const ref = policy.grantControls?.authenticationStrength;
  if (!ref) return null;
  const id = String(ref.id ?? "").toLowerCase();
  if (id === PHISHING_RESISTANT_MFA_STRENGTH_ID) return [...PHISHING_RESISTANT_COMBINATIONS];
  const custom = tenant?.authenticationStrengthPolicies?.find((s) => String(s.id).toLowerCase() === id);
  if (custom) return lowerAll(custom.allowedCombinations);
  if (Array.isArray(ref.allowedCombinations) && ref.allowedCombinations.length > 0) return lowerAll(ref.allowedCombinations);
  return null;
}

/** Display name of a directory role template id, or the id. */
export function roleName(id: string): string {
  return DIRECTORY_ROLE_TEMPLATES[id.toLowerCase()] ?? DIRECTORY_ROLE_TEMPLATES[id] ?? id;
}

/** Readable names of directory objects of a snapshot, by lower-cased id. */
export function createNamer(tenant: TenantSnapshot): (id: string) => string {
  const names = new Map<string, string>();
  for (const u of tenant.users ?? []) names.set(String(u.id).toLowerCase(), String(u.userPrincipalName ?? u.displayName ?? u.id));
  for (const g of tenant.groups ?? []) names.set(String(g.id).toLowerCase(), String(g.displayName ?? g.id));
  for (const l of tenant.namedLocations ?? []) names.set(String(l.id).toLowerCase(), String(l.displayName ?? l.id));
  for (const s of tenant.servicePrincipals ?? []) {
    names.set(String(s.appId).toLowerCase(), String(s.displayName ?? s.appId));
    names.set(String(s.id).toLowerCase(), String(s.displayName ?? s.id));
  }
  for (const s of tenant.authenticationStrengthPolicies ?? []) names.set(String(s.id).toLowerCase(), String(s.displayName ?? s.id));
  for (const [id, name] of Object.entries(BUILT_IN_STRENGTH_NAMES)) names.set(id, name);
  for (const [id, name] of Object.entries(DIRECTORY_ROLE_TEMPLATES)) names.set(id.toLowerCase(), name);
  return (id: string) => names.get(String(id).toLowerCase()) ?? id;
}

/** Days between an ISO date and `now`, or null when the date does not parse. */
export function daysSince(iso: string | null | undefined, now: Date): number | null {
  if (typeof iso !== "string" || iso.length === 0) return null;
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return null;
  return (now.getTime() - t) / 86_400_000;
}
