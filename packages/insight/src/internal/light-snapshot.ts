/**
 * A tenant snapshot cut down to what judging `policies` over synthetic probe users needs:
 * the named locations they reference (all trusted ones when they say AllTrusted), every group
 * with only its group members (nesting kept, user members dropped, except `keepUserIds`),
 * the kept users, strengths, service principals and cross-tenant settings. Compiling it is
 * cheap even for a 100,000-user tenant with 160,000 IP ranges; the probes of
 * `probe-directory` (realUsers: false) are added to it.
 */
import {
  type ConditionalAccessPolicy,
  compareIpAddresses,
  type IpAddress,
  type IpNamedLocation,
  type NamedLocation,
  parseIpAddress,
  parseIpRange,
  type TenantSnapshot,
} from "@gatehouse/engine";
import { lowerAll } from "./policy-facts.js";

/** Addresses `request-space` may probe outside every named location (kept in sync with it). */
export const OUTSIDE_CANDIDATES = ["203.0.113.77", "198.51.100.77", "192.0.2.77", "100.64.7.7", "2001:db8::77"];

const shrunk = new WeakMap<readonly NamedLocation[], Map<string, NamedLocation>>();

/**
 * IP locations cut down to the ranges that contain a probe address: the first address of
 * each location's first usable range, and the outside candidates. Every probe address is in
 * exactly the same locations as before, so judging probes is unchanged; compiling 2,000
 * ranges per location for a handful of probes is not needed.
 */
function shrinkLocations(all: readonly NamedLocation[]): Map<string, NamedLocation> {
  const cached = shrunk.get(all);
  if (cached) return cached;
  const parsed = all.map((l) => {
    if (
      !String(l["@odata.type"] ?? "")
        .toLowerCase()
        .endsWith("ipnamedlocation")
    )
      return null;
    return ((l as IpNamedLocation).ipRanges ?? []).map((range) => {
      const r = parseIpRange(range);
      return r.ok ? { range, first: r.range.first as IpAddress, last: r.range.last as IpAddress } : null;
    });
  });
  const probes: IpAddress[] = OUTSIDE_CANDIDATES.map((t) => parseIpAddress(t)).filter((a): a is IpAddress => a !== null);
  for (const ranges of parsed) {
    const first = ranges?.find((r) => r !== null);
    if (first) probes.push(first.first);
  }
  const out = new Map<string, NamedLocation>();
  all.forEach((l, i) => {
    const ranges = parsed[i];
    if (!ranges) {
      out.set(String(l.id).toLowerCase(), l);
      return;
    }
    const firstUsable = ranges.findIndex((r) => r !== null);
    const kept = ranges.filter(
      (r, k) =>
        r !== null && (k === firstUsable || probes.some((a) => compareIpAddresses(a, r.first) >= 0 && compareIpAddresses(a, r.last) <= 0)),
    );
    out.set(String(l.id).toLowerCase(), {
      ...(l as IpNamedLocation),
      ipRanges: kept.map((r) => (r as { range: IpNamedLocation["ipRanges"][number] }).range),
    });
  });
  shrunk.set(all, out);
  return out;
}

/** The named locations `policies` reference (every trusted one when they say AllTrusted). */
export function referencedLocations(
  snapshot: TenantSnapshot,
  policies: readonly ConditionalAccessPolicy[],
): TenantSnapshot["namedLocations"] {
  const locations = new Set<string>();
  for (const p of policies)
    for (const id of [...lowerAll(p.conditions?.locations?.includeLocations), ...lowerAll(p.conditions?.locations?.excludeLocations)])
      locations.add(id);
  const allTrusted = locations.has("alltrusted");
  return (snapshot.namedLocations ?? []).filter(
    (l) => locations.has(String(l.id).toLowerCase()) || (allTrusted && (l as { isTrusted?: boolean }).isTrusted === true),
  );
}

export function lightSnapshot(
  snapshot: TenantSnapshot,
  policies: readonly ConditionalAccessPolicy[],
  keepUserIds: readonly string[] = [],
): TenantSnapshot {
  const groupIds = new Set((snapshot.groups ?? []).map((g) => String(g.id).toLowerCase()));
  const keep = new Set(keepUserIds.map((id) => id.toLowerCase()));
  const out: TenantSnapshot = {
    tenantId: snapshot.tenantId,
    policies: [...policies],
    namedLocations: referencedLocations(snapshot, policies).map(
      (l) => shrinkLocations(snapshot.namedLocations ?? []).get(String(l.id).toLowerCase()) ?? l,
    ),
    authenticationStrengthPolicies: snapshot.authenticationStrengthPolicies ?? [],
    users: (snapshot.users ?? []).filter((u) => keep.has(String(u.id).toLowerCase())),
    groups: (snapshot.groups ?? []).map((g) => ({
      ...g,
      members: (g.members ?? []).filter((m) => {
        const id = String(m).toLowerCase();
        return groupIds.has(id) || keep.has(id);
      }),
    })),
    roleAssignments: (snapshot.roleAssignments ?? []).filter(
      (a) => keep.has(String(a.principalId).toLowerCase()) || groupIds.has(String(a.principalId).toLowerCase()),
    ),
    servicePrincipals: snapshot.servicePrincipals ?? [],
  };
  if (snapshot.crossTenantAccessPolicy) out.crossTenantAccessPolicy = snapshot.crossTenantAccessPolicy;
  return out;
}
