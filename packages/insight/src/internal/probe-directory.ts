/**
 * The user side of the sign-in space, as equivalence classes (spec R8-R13).
 *
 * A users condition is `(includes) AND NOT (excludes)` over user ids, transitive group
 * memberships, tenant-wide roles and guest types. Two users that match exactly the same
 * referenced ids, groups, roles and guest types are indistinguishable to every policy, so one
 * representative per combination ("profile") is exact. Profiles come from:
 *
 * - the real directory: one representative user per distinct combination that exists;
 * - one synthetic user per referenced group, role and user id (a member of that one only:
 *   "a future member of X"), per referenced guest type, and one member of none of them.
 *
 * Synthetic users are added to a copy of the snapshot (as group members, role holders, guest
 * users), so the engine evaluates them like real ones.
 */
import { resolveEmergencyAccessAccounts } from "@gatehouse/admin";
import type { ConditionalAccessPolicy, DirectoryGroup, DirectoryUser, TenantSnapshot, UnifiedRoleAssignment } from "@gatehouse/engine";
import { createNamer, isWorkloadPolicy, lowerAll, roleName } from "./policy-facts.js";

export interface ProbeProfile {
  /** Stable key: the sorted membership signature. */
  readonly key: string;
  /** Words for people: "members of group Sales", "users in none of the targeted groups or roles". */
  readonly label: string;
  readonly userId: string;
  /** An emergency-access (declared exempt) account. */
  readonly exempt: boolean;
  /** A synthetic user standing for a hypothetical member; false for a real directory user. */
  readonly synthetic: boolean;
  /** The memberships that define the profile (`g:<id>`, `r:<id>`, `u:<id>`, `t:<guestType>`). */
  readonly memberships: readonly string[];
}

export interface ProbeDirectory {
  readonly snapshot: TenantSnapshot;
  readonly profiles: readonly ProbeProfile[];
  /** The real directory had more distinct combinations than `maxRealProfiles`. */
  readonly truncated: boolean;
}

export interface EmergencyAccess {
  userIds: readonly string[];
  groupIds: readonly string[];
}

export interface ProbeDirectoryOptions {
  emergencyAccess?: EmergencyAccess;
  /** Add the real directory's combinations (default true). */
  realUsers?: boolean;
  /** Cap on real combinations (default 5000). */
  maxRealProfiles?: number;
  /** Only these role template ids get a synthetic holder (default: every referenced role). */
  roles?: readonly string[];
}

const KEYWORDS = new Set(["all", "none", "guestsorexternalusers"]);
const GUEST_TYPES = [
  "internalGuest",
  "b2bCollaborationGuest",
  "b2bCollaborationMember",
  "b2bDirectConnectUser",
  "otherExternalUser",
  "serviceProvider",
];

/** A deterministic GUID-shaped id for synthetic user `n`. */
export function syntheticUserId(n: number): string {
  return `5e1f0000-0000-4000-8000-${n.toString(16).padStart(12, "0")}`;
}

export const SYNTHETIC_EXTERNAL_TENANT = "5e1f0000-0000-4000-8000-ffffffffffff";

interface References {
  users: Set<string>;
  groups: Set<string>;
  roles: Set<string>;
  guestTypes: Set<string>;
  externalTenants: Set<string>;
}

export function policyReferences(policies: readonly ConditionalAccessPolicy[]): References {
  const refs: References = { users: new Set(), groups: new Set(), roles: new Set(), guestTypes: new Set(), externalTenants: new Set() };
  for (const p of policies) {
    if (isWorkloadPolicy(p)) continue;
    const u = p.conditions?.users;
    if (!u) continue;
    for (const id of [...lowerAll(u.includeUsers), ...lowerAll(u.excludeUsers)]) {
      if (KEYWORDS.has(id)) {
        if (id === "guestsorexternalusers") for (const t of GUEST_TYPES) refs.guestTypes.add(t);
        continue;
      }
      refs.users.add(id);
    }
    for (const id of [...lowerAll(u.includeGroups), ...lowerAll(u.excludeGroups)]) refs.groups.add(id);
    for (const id of [...lowerAll(u.includeRoles), ...lowerAll(u.excludeRoles)]) refs.roles.add(id);
    for (const g of [u.includeGuestsOrExternalUsers, u.excludeGuestsOrExternalUsers]) {
      if (!g) continue;
      for (const t of g.guestOrExternalUserTypes ?? []) if (t !== "none") refs.guestTypes.add(t);
      for (const t of g.externalTenants?.members ?? []) refs.externalTenants.add(String(t).toLowerCase());
    }
  }
  return refs;
}

/** Builds the profiles and the augmented snapshot (see module comment). */
export function buildProbeDirectory(
  snapshot: TenantSnapshot,
  policies: readonly ConditionalAccessPolicy[],
  options: ProbeDirectoryOptions = {},
): ProbeDirectory {
  const refs = policyReferences(policies);
  for (const r of options.roles ?? []) refs.roles.add(r.toLowerCase());
  const name = createNamer(snapshot);
  const users: DirectoryUser[] = [...(snapshot.users ?? [])];
  const groups = new Map<string, DirectoryGroup>();
  for (const g of snapshot.groups ?? []) groups.set(String(g.id).toLowerCase(), g);
  const roleAssignments: UnifiedRoleAssignment[] = [...(snapshot.roleAssignments ?? [])];
  const knownUsers = new Set(users.map((u) => String(u.id).toLowerCase()));

  const profiles: ProbeProfile[] = [];
  const seen = new Set<string>();
  let truncated = false;

  // Real combinations.
  if (options.realUsers !== false && users.length > 0) {
    const membership = realMemberships(snapshot, refs);
    const bySignature = new Map<string, { user: DirectoryUser; memberships: string[] }>();
    for (const user of users) {
      const id = String(user.id).toLowerCase();
      const m = [...(membership.get(id) ?? [])];
      if (refs.users.has(id)) m.push(`u:${id}`);
      const guest = guestTypeOf(user);
      if (guest !== null) m.push(`t:${guest}`);
      m.sort();
      const key = m.join("|");
      if (!bySignature.has(key)) bySignature.set(key, { user, memberships: m });
    }
    const max = options.maxRealProfiles ?? 5000;
    for (const [key, { user, memberships }] of bySignature) {
      if (profiles.length >= max) {
        truncated = true;
        break;
      }
      seen.add(key);
      profiles.push({
        key,
        label: describeMemberships(memberships, name, `${user.userPrincipalName ?? user.displayName ?? user.id}`),
        userId: String(user.id),
        exempt: false,
        synthetic: false,
        memberships,
      });
    }
  }

  // Synthetic single memberships.
  let n = 0;
  const newUser = (extra: Partial<DirectoryUser> = {}): string => {
    const id = syntheticUserId(++n);
    users.push({ id, userPrincipalName: `probe-${n}@gatehouse.invalid`, displayName: `Probe ${n}`, userType: "Member", ...extra });
    return id;
  };
  const addSynthetic = (membership: string, label: string, make: () => string): void => {
    if (seen.has(membership)) return;
    seen.add(membership);
    profiles.push({ key: membership, label, userId: make(), exempt: false, synthetic: true, memberships: [membership] });
  };
  addSynthetic("", "users in none of the targeted groups or roles", () => newUser());
  for (const g of [...refs.groups].sort()) {
    addSynthetic(`g:${g}`, `members of group ${name(g)}`, () => {
      const id = newUser();
      const group = groups.get(g);
      groups.set(g, group ? { ...group, members: [...(group.members ?? []), id] } : { id: g, displayName: name(g), members: [id] });
      return id;
    });
  }
  for (const r of [...refs.roles].sort()) {
    addSynthetic(`r:${r}`, `holders of role ${roleName(r)}`, () => {
      const id = newUser();
      roleAssignments.push({ roleTemplateId: r, principalId: id, directoryScopeId: "/" });
      return id;
    });
  }
  for (const u of [...refs.users].sort()) {
    addSynthetic(`u:${u}`, `user ${name(u)}`, () => {
      if (!knownUsers.has(u)) users.push({ id: u, userPrincipalName: name(u), displayName: name(u), userType: "Member" });
      return (snapshot.users ?? []).find((x) => String(x.id).toLowerCase() === u)?.id ?? u;
    });
  }
  const guestTypes = refs.guestTypes.size > 0 ? [...refs.guestTypes] : ["b2bCollaborationGuest"];
  for (const t of guestTypes.sort()) {
    addSynthetic(`t:${t}`, `external users (${t})`, () =>
      newUser({ userType: "Guest", externalUserType: t, externalTenantId: SYNTHETIC_EXTERNAL_TENANT }),
    );
    for (const tenant of [...refs.externalTenants].sort()) {
      addSynthetic(`t:${t}@${tenant}`, `external users (${t}) from tenant ${tenant}`, () =>
        newUser({ userType: "Guest", externalUserType: t, externalTenantId: tenant }),
      );
    }
  }

  const augmented: TenantSnapshot = { ...snapshot, users, groups: [...groups.values()], roleAssignments };
  const exemptIds = new Set(
    options.emergencyAccess
      ? resolveEmergencyAccessAccounts(augmented, {
          userIds: [...options.emergencyAccess.userIds],
          groupIds: [...options.emergencyAccess.groupIds],
        }).map((a) => a.userId.toLowerCase())
      : [],
  );
  return {
    snapshot: augmented,
    profiles: profiles.map((p) =>
      exemptIds.has(p.userId.toLowerCase()) ? { ...p, exempt: true, label: `${p.label} (emergency access)` } : p,
    ),
    truncated,
  };
}

function guestTypeOf(user: DirectoryUser): string | null {
  if (typeof user.externalUserType === "string" && user.externalUserType.length > 0) return user.externalUserType;
  return String(user.userType ?? "").toLowerCase() === "guest" ? "b2bCollaborationGuest" : null;
}

/** Referenced groups (transitive) and tenant-wide roles of every real user, as `g:`/`r:` entries. */
function realMemberships(snapshot: TenantSnapshot, refs: References): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const add = (user: string, entry: string): void => {
    const list = out.get(user);
    if (list === undefined) out.set(user, [entry]);
    else if (!list.includes(entry)) list.push(entry);
  };
  const groups = new Map((snapshot.groups ?? []).map((g) => [String(g.id).toLowerCase(), g]));
  const usersOf = (groupId: string): Set<string> => {
    const result = new Set<string>();
    const visited = new Set<string>();
    const pending = [groupId];
    while (pending.length > 0) {
      const g = pending.pop() as string;
      if (visited.has(g)) continue;
      visited.add(g);
      for (const m of groups.get(g)?.members ?? []) {
        const id = String(typeof m === "string" ? m : ((m as { id?: unknown })?.id ?? "")).toLowerCase();
        if (groups.has(id)) pending.push(id);
        else result.add(id);
      }
    }
    return result;
  };
  for (const g of refs.groups) for (const u of usersOf(g)) add(u, `g:${g}`);
  for (const a of snapshot.roleAssignments ?? []) {
    const role = String(a.roleTemplateId ?? "").toLowerCase();
    if (!refs.roles.has(role)) continue;
    if (a.directoryScopeId !== undefined && a.directoryScopeId !== "/" && a.directoryScopeId !== "") continue;
    const principal = String(a.principalId).toLowerCase();
    if (groups.has(principal)) for (const u of usersOf(principal)) add(u, `r:${role}`);
    else add(principal, `r:${role}`);
  }
  return out;
}

/** "members of Sales and Finance holding Global Administrator" style words. */
export function describeMemberships(memberships: readonly string[], name: (id: string) => string, example?: string): string {
  if (memberships.length === 0) return "users in none of the targeted groups or roles";
  const groups = memberships.filter((m) => m.startsWith("g:")).map((m) => name(m.slice(2)));
  const roles = memberships.filter((m) => m.startsWith("r:")).map((m) => roleName(m.slice(2)));
  const users = memberships.filter((m) => m.startsWith("u:")).map((m) => name(m.slice(2)));
  const guests = memberships.filter((m) => m.startsWith("t:")).map((m) => m.slice(2));
  const parts: string[] = [];
  if (users.length > 0) parts.push(`user ${users.join(", ")}`);
  if (guests.length > 0) parts.push(`external users (${guests.join(", ")})`);
  if (groups.length > 0) parts.push(`members of ${groups.join(" and ")}`);
  if (roles.length > 0) parts.push(`holders of ${roles.join(" and ")}`);
  const text = parts.join(", ");
  return example !== undefined && users.length === 0 ? `${text} (e.g. ${example})` : text;
}
