/**
 * `gatehouse diff A B`: a semantic diff of two policy sets. Policies are matched by id, then
 * (for the rest) by display name, case-insensitively. For each changed policy the changes are
 * described in words per aspect: state, name, who (users), what (resources), conditions,
 * grant controls and session controls; set members are compared as sets (order and case of
 * ids do not matter), and ids are shown with their names from the tenants.
 */
import type { ConditionalAccessPolicy, TenantSnapshot } from "@gatehouse/engine";
import { createNamer, lowerAll, policyMode } from "../internal/policy-facts.js";
import { canonical } from "../lint/lint-tenant.js";

export interface PolicyChangeDescription {
  aspect: "state" | "name" | "users" | "applications" | "conditions" | "grant" | "session";
  description: string;
}

export interface PolicyDiffEntry {
  id: string;
  displayName: string;
  summary: string;
}

export interface ChangedPolicy {
  id: string;
  displayName: string;
  /** How the two versions were paired. */
  matchedBy: "id" | "displayName";
  changes: PolicyChangeDescription[];
}

export interface PolicySetDiff {
  added: PolicyDiffEntry[];
  removed: PolicyDiffEntry[];
  changed: ChangedPolicy[];
  unchanged: number;
}

type Namer = (id: string) => string;

const STATE_WORDS: Record<string, string> = { enabled: "on", reportOnly: "report-only", disabled: "off" };

function listWords(values: readonly string[], name: Namer): string {
  return values.map((v) => (["all", "none"].includes(v.toLowerCase()) ? v : name(v))).join(", ");
}

/** One sentence for a whole policy: "requires MFA of All users except Break glass, on All resources". */
export function describePolicy(p: ConditionalAccessPolicy, name: Namer): string {
  const u = p.conditions?.users;
  const who: string[] = [];
  if (u) {
    if (u.includeUsers.length) who.push(listWords(u.includeUsers, name));
    if (u.includeGroups.length) who.push(`members of ${listWords(u.includeGroups, name)}`);
    if (u.includeRoles.length) who.push(`holders of ${listWords(u.includeRoles, name)}`);
    if (u.includeGuestsOrExternalUsers) who.push(`external users (${u.includeGuestsOrExternalUsers.guestOrExternalUserTypes.join(", ")})`);
    const except = [...u.excludeUsers, ...u.excludeGroups, ...u.excludeRoles];
    if (except.length) who.push(`except ${listWords(except, name)}`);
  }
  const sp = p.conditions?.clientApplications;
  if (sp && (sp.includeServicePrincipals.length || sp.servicePrincipalFilter))
    who.push(`service principals ${listWords(sp.includeServicePrincipals, name)}`);
  const a = p.conditions?.applications;
  const what: string[] = [];
  if (a) {
    if (a.includeApplications.length) what.push(listWords(a.includeApplications, name));
    if (a.includeUserActions.length) what.push(`user actions ${a.includeUserActions.join(", ")}`);
    if (a.includeAuthenticationContextClassReferences.length)
      what.push(`authentication contexts ${a.includeAuthenticationContextClassReferences.join(", ")}`);
    if (a.excludeApplications.length) what.push(`except ${listWords(a.excludeApplications, name)}`);
  }
  return `${STATE_WORDS[policyMode(p)]}: ${grantWords(p, name)} for ${who.join(" ") || "nobody"} on ${what.join(" ") || "nothing"}${conditionWords(p, name)}`;
}

function grantWords(p: ConditionalAccessPolicy, name: Namer): string {
  const g = p.grantControls;
  const parts: string[] = [];
  if (g) {
    if (lowerAll(g.builtInControls).includes("block")) return "blocks access";
    parts.push(...g.builtInControls);
    if (g.authenticationStrength) parts.push(`authentication strength ${name(g.authenticationStrength.id)}`);
    parts.push(...g.termsOfUse.map((t) => `terms of use ${name(t)}`));
    parts.push(...g.customAuthenticationFactors);
  }
  const session = p.sessionControls ? Object.keys(p.sessionControls).filter((k) => (p.sessionControls as Record<string, unknown>)[k]) : [];
  const grant = parts.length ? `requires ${parts.join(g?.operator === "AND" ? " and " : " or ")}` : "grants";
  return session.length ? `${grant} with session controls ${session.join(", ")}` : grant;
}

function conditionWords(p: ConditionalAccessPolicy, name: Namer): string {
  const c = p.conditions;
  const parts: string[] = [];
  if (c.clientAppTypes.length && !lowerAll(c.clientAppTypes).includes("all")) parts.push(`clients ${c.clientAppTypes.join(", ")}`);
  if (c.platforms)
    parts.push(
      `platforms ${c.platforms.includePlatforms.join(", ")}${c.platforms.excludePlatforms.length ? ` except ${c.platforms.excludePlatforms.join(", ")}` : ""}`,
    );
  if (c.locations)
    parts.push(
      `locations ${listWords(c.locations.includeLocations, name)}${c.locations.excludeLocations.length ? ` except ${listWords(c.locations.excludeLocations, name)}` : ""}`,
    );
  if (c.signInRiskLevels.length) parts.push(`sign-in risk ${c.signInRiskLevels.join(", ")}`);
  if (c.userRiskLevels.length) parts.push(`user risk ${c.userRiskLevels.join(", ")}`);
  if (c.devices?.deviceFilter) parts.push(`devices ${c.devices.deviceFilter.mode} "${c.devices.deviceFilter.rule}"`);
  if (c.authenticationFlows?.transferMethods.length) parts.push(`flows ${c.authenticationFlows.transferMethods.join(", ")}`);
  return parts.length ? ` when ${parts.join("; ")}` : "";
}

function setChange(label: string, before: readonly string[] | undefined, after: readonly string[] | undefined, name: Namer): string | null {
  const b = new Map((before ?? []).map((v) => [v.toLowerCase(), v]));
  const a = new Map((after ?? []).map((v) => [v.toLowerCase(), v]));
  const added = [...a].filter(([k]) => !b.has(k)).map(([, v]) => v);
  const removed = [...b].filter(([k]) => !a.has(k)).map(([, v]) => v);
  if (added.length === 0 && removed.length === 0) return null;
  const parts: string[] = [];
  if (added.length) parts.push(`now also ${listWords(added, name)}`);
  if (removed.length) parts.push(`no longer ${listWords(removed, name)}`);
  return `${label}: ${parts.join("; ")}`;
}

function comparePolicies(before: ConditionalAccessPolicy, after: ConditionalAccessPolicy, name: Namer): PolicyChangeDescription[] {
  const out: PolicyChangeDescription[] = [];
  const push = (aspect: PolicyChangeDescription["aspect"], d: string | null): void => {
    if (d !== null) out.push({ aspect, description: d });
  };
  if (policyMode(before) !== policyMode(after))
    push("state", `state: ${STATE_WORDS[policyMode(before)]} → ${STATE_WORDS[policyMode(after)]}`);
  if (before.displayName !== after.displayName) push("name", `renamed from "${before.displayName}" to "${after.displayName}"`);
  const ub = before.conditions?.users;
  const ua = after.conditions?.users;
  for (const [key, label] of [
    ["includeUsers", "included users"],
    ["excludeUsers", "excluded users"],
    ["includeGroups", "included groups"],
    ["excludeGroups", "excluded groups"],
    ["includeRoles", "included roles"],
    ["excludeRoles", "excluded roles"],
  ] as const) {
    push("users", setChange(label, ub?.[key], ua?.[key], name));
  }
  if (
    canonical(ub?.includeGuestsOrExternalUsers) !== canonical(ua?.includeGuestsOrExternalUsers) ||
    canonical(ub?.excludeGuestsOrExternalUsers) !== canonical(ua?.excludeGuestsOrExternalUsers)
  ) {
    push("users", "the guest and external user types in scope change");
  }
  const ab = before.conditions?.applications;
  const aa = after.conditions?.applications;
  push("applications", setChange("included resources", ab?.includeApplications, aa?.includeApplications, name));
  push("applications", setChange("excluded resources", ab?.excludeApplications, aa?.excludeApplications, name));
  push("applications", setChange("user actions", ab?.includeUserActions, aa?.includeUserActions, name));
  push(
    "applications",
    setChange(
      "authentication contexts",
      ab?.includeAuthenticationContextClassReferences,
      aa?.includeAuthenticationContextClassReferences,
      name,
    ),
  );
  const cb = before.conditions;
  const ca = after.conditions;
  push("conditions", setChange("client app types", cb.clientAppTypes, ca.clientAppTypes, name));
  push("conditions", setChange("included platforms", cb.platforms?.includePlatforms, ca.platforms?.includePlatforms, name));
  push("conditions", setChange("excluded platforms", cb.platforms?.excludePlatforms, ca.platforms?.excludePlatforms, name));
  push("conditions", setChange("included locations", cb.locations?.includeLocations, ca.locations?.includeLocations, name));
  push("conditions", setChange("excluded locations", cb.locations?.excludeLocations, ca.locations?.excludeLocations, name));
  push("conditions", setChange("sign-in risk levels", cb.signInRiskLevels, ca.signInRiskLevels, name));
  push("conditions", setChange("user risk levels", cb.userRiskLevels, ca.userRiskLevels, name));
  push("conditions", setChange("insider risk levels", cb.insiderRiskLevels, ca.insiderRiskLevels, name));
  push(
    "conditions",
    setChange("authentication flows", cb.authenticationFlows?.transferMethods, ca.authenticationFlows?.transferMethods, name),
  );
  if (canonical(cb.devices) !== canonical(ca.devices)) {
    const f = (p: ConditionalAccessPolicy) =>
      p.conditions.devices?.deviceFilter ? `${p.conditions.devices.deviceFilter.mode} "${p.conditions.devices.deviceFilter.rule}"` : "none";
    push("conditions", `device filter: ${f(before)} → ${f(after)}`);
  }
  if (canonical(cb.clientApplications) !== canonical(ca.clientApplications)) push("users", "the workload identities in scope change");
  const gb = before.grantControls;
  const ga = after.grantControls;
  push("grant", setChange("grant controls", gb?.builtInControls, ga?.builtInControls, name));
  if ((gb?.operator ?? "OR") !== (ga?.operator ?? "OR") && (ga?.builtInControls.length ?? 0) > 1)
    push("grant", `controls now combined with ${ga?.operator} (was ${gb?.operator ?? "OR"})`);
  if ((gb?.authenticationStrength?.id ?? null) !== (ga?.authenticationStrength?.id ?? null)) {
    push(
      "grant",
      `authentication strength: ${gb?.authenticationStrength ? name(gb.authenticationStrength.id) : "none"} → ${ga?.authenticationStrength ? name(ga.authenticationStrength.id) : "none"}`,
    );
  }
  push("grant", setChange("terms of use", gb?.termsOfUse, ga?.termsOfUse, name));
  push("grant", setChange("custom controls", gb?.customAuthenticationFactors, ga?.customAuthenticationFactors, name));
  const sb = (before.sessionControls ?? {}) as Record<string, unknown>;
  const sa = (after.sessionControls ?? {}) as Record<string, unknown>;
  for (const key of new Set([...Object.keys(sb), ...Object.keys(sa)])) {
    if (canonical(sb[key] ?? null) !== canonical(sa[key] ?? null)) {
      push("session", `${key}: ${sb[key] ? JSON.stringify(sb[key]) : "none"} → ${sa[key] ? JSON.stringify(sa[key]) : "none"}`);
    }
  }
  return out;
}

export function diffPolicySets(a: TenantSnapshot, b: TenantSnapshot): PolicySetDiff {
  const nameA = createNamer(a);
  const nameB = createNamer(b);
  const name: Namer = (id) => {
    const n = nameB(id);
    return n !== id ? n : nameA(id);
  };
  const left = [...a.policies];
  const right = [...b.policies];
  const pairs: { before: ConditionalAccessPolicy; after: ConditionalAccessPolicy; by: "id" | "displayName" }[] = [];
  const take = (list: ConditionalAccessPolicy[], pred: (p: ConditionalAccessPolicy) => boolean): ConditionalAccessPolicy | undefined => {
    const i = list.findIndex(pred);
    return i < 0 ? undefined : list.splice(i, 1)[0];
  };
  for (const before of [...left]) {
    if (!before.id) continue;
    const after = take(right, (p) => p.id.toLowerCase() === before.id.toLowerCase());
    if (after) {
      take(left, (p) => p === before);
      pairs.push({ before, after, by: "id" });
    }
  }
  for (const before of [...left]) {
    const after = take(right, (p) => p.displayName.trim().toLowerCase() === before.displayName.trim().toLowerCase());
    if (after) {
      take(left, (p) => p === before);
      pairs.push({ before, after, by: "displayName" });
    }
  }
  const changed: ChangedPolicy[] = [];
  let unchanged = 0;
  for (const { before, after, by } of pairs) {
    const changes = comparePolicies(before, after, name);
    if (changes.length === 0) unchanged++;
    else changed.push({ id: after.id, displayName: after.displayName, matchedBy: by, changes });
  }
  return {
    added: right.map((p) => ({ id: p.id, displayName: p.displayName, summary: describePolicy(p, name) })),
    removed: left.map((p) => ({ id: p.id, displayName: p.displayName, summary: describePolicy(p, name) })),
    changed,
    unchanged,
  };
}

export function formatDiffText(diff: PolicySetDiff): string {
  const lines: string[] = [];
  for (const p of diff.added) lines.push(`+ added "${p.displayName}": ${p.summary}`);
  for (const p of diff.removed) lines.push(`- removed "${p.displayName}": ${p.summary}`);
  for (const p of diff.changed) {
    lines.push(`~ changed "${p.displayName}"${p.matchedBy === "displayName" ? " (matched by name)" : ""}:`);
    for (const c of p.changes) lines.push(`    ${c.description}`);
  }
  lines.push(`${diff.added.length} added, ${diff.removed.length} removed, ${diff.changed.length} changed, ${diff.unchanged} unchanged`);
  return `${lines.join("\n")}\n`;
}
