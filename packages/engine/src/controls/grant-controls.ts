import type { SignInFacts } from "../conditions/condition.js";
import type { ConditionalAccessPolicy } from "../policy/types.js";
import type { RequiredControl } from "../whatif/types.js";
import { type CompiledStrength, type StrengthCatalog, satisfiesCombinations } from "./authentication-strength-catalog.js";

/**
 * Grant controls (R34, R35, R37, R38, R40).
 *
 * Each control of an applying policy is, for one sign-in: already satisfied; satisfiable by
 * an interactive step (a prompt); or impossible in this sign-in (legacy client, device
 * state, external user without trust). Impossible requirements end in a block (R38.3).
 */

export type ControlState = "satisfied" | "interactive" | "impossible";

export interface GrantControl {
  /** Graph's control name: `mfa`, `compliantDevice`, ..., `authenticationStrength`, `termsOfUse`. */
  readonly control: string;
  /** Agreement, custom control or strength id. */
  readonly id?: string;
  readonly strength?: CompiledStrength;
  /** Position in Entra's prompt order (R40). */
  readonly rank: number;
  /** Display string as the sign-in log writes it (`enforcedGrantControls`). */
  readonly display: string;
}

export interface CompiledGrant {
  readonly block: boolean;
  readonly operator: "AND" | "OR";
  readonly controls: readonly GrantControl[];
}

export type GrantOutcome =
  | { readonly status: "satisfied" }
  | { readonly status: "block" }
  | { readonly status: "impossible"; readonly unmet: readonly GrantControl[] }
  | { readonly status: "interactive"; readonly needs: readonly GrantControl[] };

/** R40: MFA (with strengths beside it), compliant, hybrid joined, approved app, app protection, password change, terms of use, custom. */
const BUILT_IN: Readonly<Record<string, { rank: number; display: string }>> = {
  mfa: { rank: 10, display: "Require multifactor authentication" },
  riskremediation: { rank: 12, display: "Require risk remediation" },
  compliantdevice: { rank: 20, display: "Require device to be marked as compliant" },
  domainjoineddevice: { rank: 30, display: "Require Microsoft Entra hybrid joined device" },
  approvedapplication: { rank: 40, display: "Require approved client app" },
  compliantapplication: { rank: 50, display: "Require app protection policy" },
  passwordchange: { rank: 60, display: "Require password change" },
  verifiedid: { rank: 85, display: "Require Verified ID" },
};
const CANONICAL: Readonly<Record<string, string>> = {
  mfa: "mfa",
  riskremediation: "riskRemediation",
  compliantdevice: "compliantDevice",
  domainjoineddevice: "domainJoinedDevice",
  approvedapplication: "approvedApplication",
  compliantapplication: "compliantApplication",
  passwordchange: "passwordChange",
  verifiedid: "verifiedID",
};
const STRENGTH_RANK = 11;
const TERMS_RANK = 70;
const CUSTOM_RANK = 80;
const UNKNOWN_RANK = 90;

export function compileGrantControls(policy: ConditionalAccessPolicy, strengths: StrengthCatalog): CompiledGrant {
  const grant = policy.grantControls;
  if (!grant) return { block: false, operator: "AND", controls: [] };
  const controls: GrantControl[] = [];
  let block = false;
  for (const value of grant.builtInControls ?? []) {
    const key = String(value).toLowerCase();
    if (key === "block") {
      block = true;
      continue;
    }
    const known = BUILT_IN[key];
    controls.push(
      known
        ? { control: CANONICAL[key] as string, rank: known.rank, display: known.display }
        : // Unknown future controls cannot be satisfied here: fail closed.
          { control: String(value), rank: UNKNOWN_RANK, display: String(value) },
    );
  }
  for (const id of grant.termsOfUse ?? [])
    controls.push({ control: "termsOfUse", id: String(id), rank: TERMS_RANK, display: "Require terms of use" });
  for (const id of grant.customAuthenticationFactors ?? []) {
    controls.push({ control: "customAuthenticationFactor", id: String(id), rank: CUSTOM_RANK, display: String(id) });
  }
  const strengthId = grant.authenticationStrength?.id;
  if (typeof strengthId === "string" && strengthId.length > 0) {
    const strength = strengths.get(strengthId);
    controls.push(
      strength
        ? { control: "authenticationStrength", id: strength.id, strength, rank: STRENGTH_RANK, display: "Require authentication strength" }
        : // A strength the tenant does not have cannot be satisfied: fail closed.
          { control: "authenticationStrength", id: strengthId, rank: STRENGTH_RANK, display: "Require authentication strength" },
    );
  }
  const operator = String(grant.operator ?? "AND").toUpperCase() === "OR" ? "OR" : "AND";
  return { block, operator, controls };
}

const LEGACY = new Set(["exchangeactivesync", "other"]);
const APP_PLATFORMS = new Set(["ios", "android"]);

/** The state of one control for this sign-in (R24, R36, R37). */
export function controlState(control: GrantControl, facts: SignInFacts, mfa: CompiledStrength): ControlState {
  // Workload identities can only be blocked (R16): nothing else can be satisfied.
  if (facts.kind === "servicePrincipal") return "impossible";
  const client = facts.clientAppType;
  const legacy = client !== null && LEGACY.has(client);
  // R24: for "Other clients" every grant control ends in a block.
  if (client === "other") return "impossible";
  const guest = facts.guestType;
  const directConnect = guest === "b2bDirectConnectUser";
  const deviceCode = facts.transferMethods.includes("devicecodeflow");
  const satisfied = facts.satisfied;
  switch (control.control) {
    case "mfa":
    case "riskRemediation":
      // Legacy clients can't do MFA (R24); direct-connect users do MFA at home, which counts
      // only with inbound MFA trust, else they are blocked (R37).
      if (legacy || (directConnect && facts.inboundTrust?.isMfaAccepted !== true)) return "impossible";
      return satisfiesCombinations(mfa.combinations, facts.authenticationMethods) ? "satisfied" : "interactive";
    case "authenticationStrength": {
      const strength = control.strength;
      if (!strength) return "impossible";
      if (legacy || (directConnect && facts.inboundTrust?.isMfaAccepted !== true)) return "impossible";
      if (satisfiesCombinations(strength.combinations, facts.authenticationMethods)) return "satisfied";
      return strength.combinations.length === 0 ? "impossible" : "interactive";
    }
    case "compliantDevice":
      // R37: device controls aren't supported with device code flow; device state can't be fixed
      // in a prompt; an external user's device claims count only with inbound device trust.
      if (deviceCode || (facts.inboundTrust !== null && facts.inboundTrust.isCompliantDeviceAccepted !== true)) return "impossible";
      return facts.device?.isCompliant === true ? "satisfied" : "impossible";
    case "domainJoinedDevice":
      if (deviceCode || (facts.inboundTrust !== null && facts.inboundTrust.isHybridAzureADJoinedDeviceAccepted !== true))
        return "impossible";
      return String(facts.device?.trustType ?? "").toLowerCase() === "serverad" ? "satisfied" : "impossible";
    case "approvedApplication":
    case "compliantApplication": {
      const flag = control.control === "approvedApplication" ? satisfied.approvedApplication : satisfied.compliantApplication;
      if (flag === true) return "satisfied";
      // R36/R37: iOS and Android only (EAS is redirected to Outlook); not for external users.
      if (guest !== null) return "impossible";
      return facts.platform !== null && APP_PLATFORMS.has(facts.platform) ? "interactive" : "impossible";
    }
    case "passwordChange":
      if (satisfied.passwordChange === true) return "satisfied";
      return guest !== null || legacy ? "impossible" : "interactive";
    case "termsOfUse":
      if ((satisfied.termsOfUse ?? []).some((t) => t.toLowerCase() === control.id?.toLowerCase())) return "satisfied";
      return legacy || directConnect ? "impossible" : "interactive";
    case "customAuthenticationFactor":
      if ((satisfied.customAuthenticationFactors ?? []).some((t) => t.toLowerCase() === control.id?.toLowerCase())) return "satisfied";
      return legacy ? "impossible" : "interactive";
    case "verifiedID":
      return legacy ? "impossible" : "interactive";
    default:
      return "impossible";
  }
}

/** One policy's grant expression for this sign-in (R35). */
export function evaluateGrant(grant: CompiledGrant, facts: SignInFacts, mfa: CompiledStrength): GrantOutcome {
  if (grant.block) return { status: "block" };
  const controls = grant.controls;
  if (controls.length === 0) return { status: "satisfied" };
  if (grant.operator === "AND") {
    let needs: GrantControl[] | null = null;
    let impossible: GrantControl[] | null = null;
    for (const control of controls) {
      const state = controlState(control, facts, mfa);
      if (state === "satisfied") continue;
      if (state === "impossible") (impossible ??= []).push(control);
      else (needs ??= []).push(control);
    }
    if (impossible) return { status: "impossible", unmet: impossible };
    return needs ? { status: "interactive", needs: needs.sort(byRank) } : { status: "satisfied" };
  }
  // OR: one satisfied control is enough; otherwise the first promptable one in R40 order.
  let best: GrantControl | null = null;
  for (const control of controls) {
    const state = controlState(control, facts, mfa);
    if (state === "satisfied") return { status: "satisfied" };
    if (state === "interactive" && (best === null || control.rank < best.rank)) best = control;
  }
  return best ? { status: "interactive", needs: [best] } : { status: "impossible", unmet: controls };
}

function byRank(a: GrantControl, b: GrantControl): number {
  return a.rank - b.rank;
}

export function controlKey(control: GrantControl): string {
  return control.id === undefined ? control.control : `${control.control}:${control.id.toLowerCase()}`;
}

/**
 * Merges the needs of every applying enabled policy into the prompt list (R33, R37, R40):
 * every strength must be satisfied; `mfa` is dropped when a required strength already
 * implies it (one prompt satisfies both).
 */
export function mergeRequiredControls(needs: ReadonlyArray<{ control: GrantControl; policyId: string }>): RequiredControl[] {
  const byKey = new Map<string, { control: GrantControl; policyIds: string[] }>();
  for (const { control, policyId } of needs) {
    const key = controlKey(control);
    const entry = byKey.get(key);
    if (entry) {
      if (!entry.policyIds.includes(policyId)) entry.policyIds.push(policyId);
    } else byKey.set(key, { control, policyIds: [policyId] });
  }
  const strengthImpliesMfa = [...byKey.values()].some((e) => e.control.strength?.impliesMfa === true);
  const mfa = byKey.get("mfa");
  if (mfa && strengthImpliesMfa) {
    byKey.delete("mfa");
    for (const e of byKey.values())
      if (e.control.strength?.impliesMfa) for (const id of mfa.policyIds) if (!e.policyIds.includes(id)) e.policyIds.push(id);
  }
  return [...byKey.values()]
    .sort((a, b) => a.control.rank - b.control.rank || controlKey(a.control).localeCompare(controlKey(b.control)))
    .map(({ control, policyIds }): RequiredControl => {
      if (control.control === "authenticationStrength") {
        return {
          control: "authenticationStrength",
          authenticationStrength: {
            id: control.id ?? "",
            displayName: control.strength?.displayName ?? "",
            allowedCombinations: [...(control.strength?.allowedCombinations ?? [])],
          },
          policyIds,
        };
      }
      if (control.id !== undefined) return { control: control.control, id: control.id, policyIds };
      return { control: control.control, policyIds };
    });
}
