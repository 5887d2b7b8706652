/**
 * The non-user side of the sign-in space, as equivalence classes.
 *
 * For each dimension (resource, client app type, platform, location, sign-in risk, user
 * risk, device, authentication flow) candidate values are generated from what the policies
 * name. Which policies' condition on that dimension matches a value is asked of the engine
 * itself: every policy is reduced to that one condition (users All, resources All), compiled,
 * and judged for each value. Values matched by exactly the same policies are one class.
 *
 * For dimensions that only decide applicability (platform, location, risks), a class whose
 * policy set strictly contains another's can be dropped when asking "is there a weakest
 * point": applying more enabled policies never makes the outcome weaker (R33, R34, R38).
 */
import {
  type ConditionalAccessPolicy,
  compareIpAddresses,
  compileTenant,
  type DeviceInfo,
  formatIpAddress,
  type IpAddress,
  type IpNamedLocation,
  MICROSOFT_ADMIN_PORTALS_APP_IDS,
  OFFICE_365_APP_IDS,
  parseIpAddress,
  parseIpRange,
  type SignInConditions,
  type TenantSnapshot,
  type WhatIfRequest,
  whatIf,
} from "@gatehouse/engine";
import { blockAllPolicy } from "./block-all-policy.js";
import { OUTSIDE_CANDIDATES, referencedLocations } from "./light-snapshot.js";
import { createNamer, isWorkloadPolicy, lowerAll } from "./policy-facts.js";
import { syntheticUserId } from "./probe-directory.js";

export interface SpaceValue<T> {
  readonly key: string;
  readonly label: string;
  readonly value: T;
}

/** The resource a sign-in asks for. */
export type Target = WhatIfRequest["signInContext"];

export interface RequestSpace {
  targets: SpaceValue<Target>[];
  clientAppTypes: SpaceValue<string>[];
  platforms: SpaceValue<string | null>[];
  locations: SpaceValue<{ ipAddress?: string; country?: string }>[];
  signInRisks: SpaceValue<string>[];
  userRisks: SpaceValue<string>[];
  devices: SpaceValue<DeviceInfo | null>[];
  flows: SpaceValue<string | null>[];
  /** What is approximated rather than exact (device filters with free-form rules). */
  approximations: string[];
}

/** An app id no policy names: "any other app". */
export const OTHER_APP_ID = "5e1f0000-0000-4000-8000-0000000a0a0a";
const OTHER_COUNTRY = "AQ";

const PLATFORMS: readonly (string | null)[] = ["android", "iOS", "windows", "macOS", "linux", "windowsPhone", null];
const RISKS = ["none", "low", "medium", "high"];

export const CLIENT_APP_TYPES: readonly SpaceValue<string>[] = [
  { key: "browser", label: "browsers", value: "browser" },
  { key: "mobileAppsAndDesktopClients", label: "mobile and desktop apps", value: "mobileAppsAndDesktopClients" },
  { key: "exchangeActiveSync", label: "Exchange ActiveSync (legacy)", value: "exchangeActiveSync" },
  { key: "other", label: "other legacy clients", value: "other" },
];

export const DEVICES: readonly SpaceValue<DeviceInfo | null>[] = [
  { key: "unregistered", label: "an unregistered device", value: null },
  { key: "registered", label: "a registered, non-compliant device", value: { trustType: "Workplace", isCompliant: false } },
  { key: "compliant", label: "a compliant Entra-joined device", value: { trustType: "AzureAD", isCompliant: true } },
  { key: "hybrid", label: "a hybrid-joined device", value: { trustType: "ServerAD", isCompliant: false } },
];

export interface RequestSpaceOptions {
  /** Drop classes whose matching policy set strictly contains another's (applicability-only dimensions). */
  minimalOnly?: boolean;
  /** Extra resources to include (e.g. the Management API). */
  extraApps?: readonly { appId: string; label: string }[];
  /** Restrict resources to these (then `extraApps` and named apps are ignored). */
  onlyTargets?: SpaceValue<Target>[];
}

const keyword = (v: string): boolean => ["all", "none", "office365", "microsoftadminportals"].includes(v.toLowerCase());

/** The resources: each app named by a policy, a member of each suite, "any other app", user actions, auth contexts. */
export function targetValues(
  snapshot: TenantSnapshot,
  policies: readonly ConditionalAccessPolicy[],
  options: RequestSpaceOptions = {},
): SpaceValue<Target>[] {
  const name = createNamer(snapshot);
  const out: SpaceValue<Target>[] = [];
  const seen = new Set<string>();
  const app = (appId: string, label: string): void => {
    const key = appId.toLowerCase();
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ key, label, value: { "@odata.type": "#microsoft.graph.applicationContext", includeApplications: [appId] } });
  };
  for (const extra of options.extraApps ?? []) app(extra.appId, extra.label);
  let office = false;
  let portals = false;
  const actions = new Set<string>();
  const contexts = new Set<string>();
  for (const p of policies) {
    const a = p.conditions?.applications;
    if (!a) continue;
    for (const id of [...(a.includeApplications ?? []), ...(a.excludeApplications ?? [])]) {
      if (typeof id !== "string") continue;
      if (id.toLowerCase() === "office365") office = true;
      else if (id.toLowerCase() === "microsoftadminportals") portals = true;
      else if (!keyword(id)) app(id, name(id) === id ? `app ${id}` : name(id));
    }
    for (const u of a.includeUserActions ?? []) actions.add(u);
    for (const c of a.includeAuthenticationContextClassReferences ?? []) contexts.add(c);
  }
  if (office) {
    const id = OFFICE_365_APP_IDS.find((x) => !seen.has(x.toLowerCase())) ?? OFFICE_365_APP_IDS[0];
    if (id) app(id, `Office 365 (${name(id) === id ? id : name(id)})`);
  }
  if (portals) {
    const id = MICROSOFT_ADMIN_PORTALS_APP_IDS.find((x) => !seen.has(x.toLowerCase())) ?? MICROSOFT_ADMIN_PORTALS_APP_IDS[0];
    if (id) app(id, `Microsoft admin portals (${name(id) === id ? id : name(id)})`);
  }
  app(OTHER_APP_ID, "any other app");
  for (const a of [...actions].sort()) {
    out.push({
      key: `action:${a}`,
      label: `user action ${a}`,
      value: { "@odata.type": "#microsoft.graph.userActionContext", userAction: a },
    });
  }
  for (const c of [...contexts].sort()) {
    out.push({
      key: `context:${c}`,
      label: `authentication context ${c}`,
      value: { "@odata.type": "#microsoft.graph.authContext", authenticationContextValue: c },
    });
  }
  return out;
}

/** Representative network locations: an address in each IP location, each country, an address in none, no address. */
function locationCandidates(
  snapshot: TenantSnapshot,
  policies: readonly ConditionalAccessPolicy[],
): SpaceValue<{ ipAddress?: string; country?: string }>[] {
  const used = new Set<string>();
  for (const p of policies)
    for (const id of [...lowerAll(p.conditions?.locations?.includeLocations), ...lowerAll(p.conditions?.locations?.excludeLocations)])
      used.add(id);
  const out: SpaceValue<{ ipAddress?: string; country?: string }>[] = [];
  const ranges: { first: IpAddress; last: IpAddress }[] = [];
  const countries = new Set<string>();
  // Only the locations these policies name matter to them (all trusted ones for AllTrusted).
  for (const location of referencedLocations(snapshot, policies)) {
    const type = String(location["@odata.type"] ?? "").toLowerCase();
    if (type.endsWith("ipnamedlocation")) {
      const ip = location as IpNamedLocation;
      let firstAddress: string | null = null;
      for (const range of ip.ipRanges ?? []) {
        const parsed = parseIpRange(range);
        if (!parsed.ok) continue;
        ranges.push({ first: parsed.range.first as IpAddress, last: parsed.range.last as IpAddress });
        if (firstAddress === null) firstAddress = formatIpAddress(parsed.range.first);
      }
      if (firstAddress !== null && (used.size === 0 || used.has(String(ip.id).toLowerCase()) || used.has("alltrusted") || ip.isTrusted)) {
        out.push({
          key: `ip:${ip.id}`,
          label: `${ip.isTrusted ? "the trusted location" : "the location"} ${ip.displayName || ip.id}`,
          value: { ipAddress: firstAddress },
        });
      }
    } else if (type.endsWith("countrynamedlocation")) {
      for (const c of (location as { countriesAndRegions?: string[] }).countriesAndRegions ?? []) countries.add(String(c).toUpperCase());
    }
  }
  for (const c of [...countries].sort()) out.push({ key: `country:${c}`, label: `country ${c}`, value: { country: c } });
  const outside = OUTSIDE_CANDIDATES.find((text) => {
    const a = parseIpAddress(text);
    return a !== null && !ranges.some((r) => inRange(a, r.first, r.last));
  });
  if (outside)
    out.push({
      key: "untrusted",
      label: "an untrusted address in no named location",
      value: { ipAddress: outside, country: OTHER_COUNTRY },
    });
  out.push({ key: "unknown", label: "an unknown location (no address, unknown country)", value: {} });
  return out;
}

function inRange(a: IpAddress, first: IpAddress, last: IpAddress): boolean {
  return compareIpAddresses(a, first) >= 0 && compareIpAddresses(a, last) <= 0;
}

/** The policy reduced to one condition (plus users All and resources All), enabled. */
function reduced(
  policy: ConditionalAccessPolicy,
  keep: (c: ConditionalAccessPolicy["conditions"]) => Partial<ConditionalAccessPolicy["conditions"]>,
): ConditionalAccessPolicy {
  return blockAllPolicy(policy.id, policy.displayName, keep(policy.conditions));
}

/**
 * Groups candidate values into classes by which policies' condition (reduced as above)
 * matches them, asking the engine. Returns one representative per class, labels joined.
 */
export function classify<T>(
  snapshot: TenantSnapshot,
  policies: readonly ConditionalAccessPolicy[],
  candidates: readonly SpaceValue<T>[],
  keep: (c: ConditionalAccessPolicy["conditions"]) => Partial<ConditionalAccessPolicy["conditions"]>,
  conditionsOf: (v: T) => SignInConditions,
  minimalOnly: boolean,
  anyLabel = "any",
): SpaceValue<T>[] {
  const userId = syntheticUserId(0);
  const relevant = policies.filter((p) => !isWorkloadPolicy(p));
  if (candidates.length <= 1) return [...candidates];
  if (relevant.length === 0 && candidates[0]) return [{ key: "any", label: anyLabel, value: candidates[0].value }];
  const compiled = compileTenant({
    ...snapshot,
    namedLocations: referencedLocations(snapshot, relevant),
    users: [{ id: userId, userType: "Member" }],
    groups: [],
    roleAssignments: [],
    policies: relevant.map((p) => reduced(p, keep)),
  });
  const classes = new Map<string, { value: SpaceValue<T>; labels: string[]; set: boolean[] }>();
  for (const c of candidates) {
    const answer = whatIf(compiled, {
      signInIdentity: { "@odata.type": "#microsoft.graph.userSignIn", userId },
      signInContext: { "@odata.type": "#microsoft.graph.applicationContext", includeApplications: [OTHER_APP_ID] },
      signInConditions: conditionsOf(c.value),
    });
    const set = answer.value.map((v) => v.policyApplies);
    const key = set.map((b) => (b ? "1" : "0")).join("");
    const existing = classes.get(key);
    if (existing) existing.labels.push(c.label);
    else classes.set(key, { value: c, labels: [c.label], set });
  }
  let list = [...classes.values()];
  if (list.length === 1 && list[0]) return [{ key: "any", label: anyLabel, value: list[0].value.value }];
  if (minimalOnly) {
    list = list.filter((a) => !list.some((b) => b !== a && subset(b.set, a.set) && !subset(a.set, b.set)));
  }
  return list.map(({ value, labels }) => ({ key: value.key, label: joinWords(labels), value: value.value }));
}

const subset = (a: readonly boolean[], b: readonly boolean[]): boolean => a.every((x, i) => !x || b[i] === true);

export function joinWords(words: readonly string[]): string {
  if (words.length <= 1) return words[0] ?? "";
  if (words.length > 4) return `${words.slice(0, 3).join(", ")} and ${words.length - 3} more`;
  return `${words.slice(0, -1).join(", ")} or ${words[words.length - 1]}`;
}

/** The whole request space for `policies` (see module comment). */
export function buildRequestSpace(
  snapshot: TenantSnapshot,
  policies: readonly ConditionalAccessPolicy[],
  options: RequestSpaceOptions = {},
): RequestSpace {
  const minimal = options.minimalOnly === true;
  const approximations: string[] = [];
  const targets = options.onlyTargets ?? targetValues(snapshot, policies, options);
  const platforms = classify(
    snapshot,
    policies,
    PLATFORMS.map((p) => ({ key: p ?? "unknown", label: p ?? "an unknown platform", value: p })),
    (c) => ({ platforms: c.platforms }),
    (v) => (v === null ? {} : { devicePlatform: v }),
    minimal,
    "any platform",
  );
  const locations = classify(
    snapshot,
    policies,
    locationCandidates(snapshot, policies),
    (c) => ({ locations: c.locations }),
    (v) => v,
    minimal,
    "any location",
  );
  const risks = RISKS.map((r) => ({ key: r, label: `${r} risk`, value: r }));
  const signInRisks = classify(
    snapshot,
    policies,
    risks,
    (c) => ({ signInRiskLevels: c.signInRiskLevels }),
    (v) => ({ signInRiskLevel: v }),
    minimal,
    "none",
  );
  const userRisks = classify(
    snapshot,
    policies,
    risks,
    (c) => ({ userRiskLevels: c.userRiskLevels }),
    (v) => ({ userRiskLevel: v }),
    minimal,
    "none",
  );
  const grantUsesDevice = policies.some((p) =>
    lowerAll(p.grantControls?.builtInControls).some((c) => c === "compliantdevice" || c === "domainjoineddevice"),
  );
  const devices = grantUsesDevice
    ? [...DEVICES]
    : classify(
        snapshot,
        policies,
        DEVICES,
        (c) => ({ devices: c.devices, deviceStates: c.deviceStates }),
        (v) => (v === null ? {} : { deviceInfo: v }),
        false,
        "any device",
      );
  if (policies.some((p) => p.conditions?.devices?.deviceFilter)) {
    approximations.push("device filters are judged on four representative devices (unregistered, registered, compliant, hybrid joined)");
  }
  const flows = classify(
    snapshot,
    policies,
    [
      { key: "none", label: "no transfer flow", value: null },
      { key: "deviceCodeFlow", label: "the device code flow", value: "deviceCodeFlow" },
      { key: "authenticationTransfer", label: "authentication transfer", value: "authenticationTransfer" },
    ],
    (c) => ({ authenticationFlows: c.authenticationFlows }),
    (v) => (v === null ? {} : { authenticationFlow: { transferMethod: v } }),
    false,
    "none",
  );
  if (policies.some((p) => (p.conditions?.insiderRiskLevels ?? []).length > 0)) approximations.push("insider risk is taken as not set");
  return { targets, clientAppTypes: [...CLIENT_APP_TYPES], platforms, locations, signInRisks, userRisks, devices, flows, approximations };
}

/** The signInConditions of one point of the space. */
export function conditionsAt(
  client: string,
  platform: string | null,
  location: { ipAddress?: string; country?: string },
  signInRisk: string,
  userRisk: string,
  device: DeviceInfo | null,
  flow: string | null,
): SignInConditions {
  const c: SignInConditions = { clientAppType: client, signInRiskLevel: signInRisk, userRiskLevel: userRisk };
  if (platform !== null) c.devicePlatform = platform;
  if (location.ipAddress !== undefined) c.ipAddress = location.ipAddress;
  if (location.country !== undefined) c.country = location.country;
  if (device !== null) c.deviceInfo = device;
  if (flow !== null) c.authenticationFlow = { transferMethod: flow };
  return c;
}
