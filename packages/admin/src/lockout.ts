/**
 * Lockout self-protection (spec §4.5): would a policy write cut the calling admin off from
 * the Gatehouse Management API?
 *
 * THE RULE (precise):
 *
 * 1. Sign-ins evaluated. The caller (`signInIdentity.userId = caller.userId`) requests a token
 *    for the Management API (`applicationContext` with `managementApiAppId`) from these
 *    representative contexts, all from an unregistered device (no `deviceInfo`):
 *      - `portal`: client `browser` on `windows`, no IP address (unknown location);
 *      - `cli`:    client `mobileAppsAndDesktopClients` on `macOS`, no IP address;
 *      - if the snapshot has a trusted IP named location (the first one, in snapshot order,
 *        with a usable range), `portalTrustedLocation` and `cliTrustedLocation`: the same two
 *        from the first address of that location's first usable range;
 *    plus `currentSession` when `callerSession.signInConditions` describes the sign-in the
 *    caller is using right now (its platform, client, IP, device).
 *    The session has satisfied `callerSession.authenticationMethods` (default `["password"]`)
 *    and `callerSession.termsOfUse`.
 * 2. Only the outcome `block` counts. The caller is assumed able to complete any interactive
 *    step (MFA, an authentication strength, terms of use, password change): `challenge` is
 *    not a lockout. Report-only and disabled policies never block (R1, R44).
 * 3. Each context is evaluated with `decide` against the CURRENT set (`snapshot.policies`)
 *    and the PROPOSED set. A context is *newly blocked* when the proposed outcome is `block`
 *    and the current one is not. No newly blocked context -> no lockout (`null`): a write that
 *    does not turn the caller's outcome from non-block into block is never reported.
 * 4. Severity: `error` (a certain lockout) when the current session context is newly blocked,
 *    or when EVERY evaluated context is blocked under the proposed set; otherwise `warning`
 *    (blocked from some representative sign-ins only).
 * 5. The policies responsible are those named by the proposed decisions' `blockReasons` in
 *    the newly blocked contexts, with their display names from the proposed set.
 */

import {
  type BlockReason,
  type ConditionalAccessPolicy,
  compileTenant,
  decide,
  formatIpAddress,
  type IpNamedLocation,
  type Outcome,
  parseIpRange,
  type SignInConditions,
  type TenantSnapshot,
  type WhatIfRequest,
} from "@gatehouse/engine";

export interface CallerSession {
  /** Graph `authenticationMethodModes` already used in the caller's session; default `["password"]`. */
  authenticationMethods?: string[];
  /** Terms-of-use agreements the caller has accepted. */
  termsOfUse?: string[];
  /** The caller's current sign-in (platform, client app type, IP address, device), when known. */
  signInConditions?: SignInConditions;
}

export interface FindLockoutInput {
  /** The tenant as it is now: `policies` is the CURRENT policy set. */
  snapshot: TenantSnapshot;
  /** The complete policy set as it would be after the write. */
  proposedPolicies: ConditionalAccessPolicy[];
  /**
   * The whole tenant as it would be after the write, for changes to what policies refer to
   * (named locations, strengths): when given, it replaces `proposedPolicies`.
   */
  proposedSnapshot?: TenantSnapshot;
  caller: { userId: string };
  managementApiAppId: string;
  callerSession?: CallerSession;
}

export type LockoutContextName = "portal" | "cli" | "portalTrustedLocation" | "cliTrustedLocation" | "currentSession";

export interface LockoutContext {
  name: LockoutContextName;
  /** Plain words, e.g. "a browser on Windows from an unknown location". */
  description: string;
  request: WhatIfRequest;
  currentOutcome: Outcome;
  proposedOutcome: Outcome;
  /** The proposed decision's reasons when it blocks. */
  blockReasons: BlockReason[];
}

export interface LockoutPolicy {
  id: string;
  displayName: string;
}

export interface Lockout {
  /** `error`: certain lockout (rule 4); `warning`: blocked from some representative sign-ins. */
  severity: "error" | "warning";
  message: string;
  /** The policies that would block the caller (rule 5). */
  policies: LockoutPolicy[];
  /** Every evaluated context, newly blocked or not. */
  contexts: LockoutContext[];
}

interface ContextSpec {
  name: LockoutContextName;
  description: string;
  conditions: SignInConditions;
}

/** The first address of the first usable range of the first trusted IP named location. */
export function trustedLocationAddress(snapshot: TenantSnapshot): { address: string; locationName: string } | null {
  for (const location of snapshot.namedLocations ?? []) {
    const type = String((location as { "@odata.type"?: unknown })["@odata.type"] ?? "").toLowerCase();
    if (!type.endsWith("ipnamedlocation")) continue;
    const ip = location as IpNamedLocation;
    if (ip.isTrusted !== true) continue;
    for (const range of ip.ipRanges ?? []) {
      const parsed = parseIpRange(range);
      if (parsed.ok) return { address: formatIpAddress(parsed.range.first), locationName: ip.displayName || ip.id };
    }
  }
  return null;
}

function contextSpecs(snapshot: TenantSnapshot, session: CallerSession | undefined): ContextSpec[] {
  const specs: ContextSpec[] = [
    {
      name: "portal",
      description: "a browser on Windows from an unknown location",
      conditions: { clientAppType: "browser", devicePlatform: "windows" },
    },
    {
      name: "cli",
      description: "the CLI (a desktop client) on macOS from an unknown location",
      conditions: { clientAppType: "mobileAppsAndDesktopClients", devicePlatform: "macOS" },
    },
  ];
  const trusted = trustedLocationAddress(snapshot);
  if (trusted !== null) {
    specs.push(
      {
        name: "portalTrustedLocation",
        description: `a browser on Windows from the trusted location "${trusted.locationName}"`,
        conditions: { clientAppType: "browser", devicePlatform: "windows", ipAddress: trusted.address },
      },
      {
        name: "cliTrustedLocation",
        description: `the CLI on macOS from the trusted location "${trusted.locationName}"`,
        conditions: { clientAppType: "mobileAppsAndDesktopClients", devicePlatform: "macOS", ipAddress: trusted.address },
      },
    );
  }
  if (session?.signInConditions) {
    specs.push({ name: "currentSession", description: "the sign-in you are using now", conditions: { ...session.signInConditions } });
  }
  return specs;
}

function request(spec: ContextSpec, input: FindLockoutInput): WhatIfRequest {
  return {
    signInIdentity: { "@odata.type": "#microsoft.graph.userSignIn", userId: input.caller.userId },
    signInContext: { "@odata.type": "#microsoft.graph.applicationContext", includeApplications: [input.managementApiAppId] },
    signInConditions: spec.conditions,
    satisfied: {
      authenticationMethods: [...(input.callerSession?.authenticationMethods ?? ["password"])],
      termsOfUse: [...(input.callerSession?.termsOfUse ?? [])],
    },
  };
}

function responsiblePolicies(contexts: readonly LockoutContext[], proposed: readonly ConditionalAccessPolicy[]): LockoutPolicy[] {
  const byId = new Map<string, ConditionalAccessPolicy>();
  for (const policy of proposed) if (!byId.has(policy.id.toLowerCase())) byId.set(policy.id.toLowerCase(), policy);
  const found = new Map<string, LockoutPolicy>();
  for (const context of contexts) {
    const named = context.blockReasons.filter((r) => r.policyId !== "");
    const decisive = named.filter((r) => r.code !== "invalidCondition");
    for (const reason of decisive.length > 0 ? decisive : named) {
      const key = reason.policyId.toLowerCase();
      if (found.has(key)) continue;
      found.set(key, { id: reason.policyId, displayName: byId.get(key)?.displayName ?? reason.policyId });
    }
  }
  return [...found.values()];
}

const quoteList = (policies: readonly LockoutPolicy[]): string => policies.map((p) => `"${p.displayName}" (${p.id})`).join(", ");

/**
 * Whether the proposed policy set would block the caller's next access to the Management API
 * where the current set does not (see the module comment for the exact rule). Pure.
 */
export function findLockout(input: FindLockoutInput): Lockout | null {
  const current = compileTenant(input.snapshot);
  // A change to something policies refer to (a named location...) comes as a whole proposed snapshot.
  const proposedSnapshot = input.proposedSnapshot ?? { ...input.snapshot, policies: input.proposedPolicies };
  const proposed = compileTenant(proposedSnapshot);
  const contexts: LockoutContext[] = contextSpecs(input.snapshot, input.callerSession).map((spec) => {
    const req = request(spec, input);
    const before = decide(current, req);
    const after = decide(proposed, req);
    return {
      name: spec.name,
      description: spec.description,
      request: req,
      currentOutcome: before.outcome,
      proposedOutcome: after.outcome,
      blockReasons: after.outcome === "block" ? [...(after.blockReasons ?? [])] : [],
    };
  });
  const newlyBlocked = contexts.filter((c) => c.proposedOutcome === "block" && c.currentOutcome !== "block");
  if (newlyBlocked.length === 0) return null;

  const policies = responsiblePolicies(newlyBlocked, proposedSnapshot.policies);
  const everywhere = contexts.every((c) => c.proposedOutcome === "block");
  const currentSession = newlyBlocked.some((c) => c.name === "currentSession");
  const severity = everywhere || currentSession ? "error" : "warning";
  const by = policies.length > 0 ? `${policies.length === 1 ? "policy" : "policies"} ${quoteList(policies)}` : "the proposed policies";
  const where = newlyBlocked.map((c) => c.description).join("; ");
  const message =
    severity === "error"
      ? `This change would lock you out of Gatehouse management: ${by} would block your access to the Management API (${input.managementApiAppId}) from ${everywhere ? "every sign-in checked" : "the sign-in you are using now"} (${where}). Exclude yourself or an emergency-access account, or keep the policy in report-only.`
      : `This change would block your access to the Management API (${input.managementApiAppId}) from some sign-ins: ${by} would block ${where}.`;
  return { severity, message, policies, contexts };
}
