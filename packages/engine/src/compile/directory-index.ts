import type { DirectoryGroup, DirectoryUser, ServicePrincipal, UnifiedRoleAssignment } from "../policy/types.js";
import { type Bitset, createBitset, EMPTY_BITSET, setBit } from "./bitset.js";

/**
 * The directory facts a decision needs, resolved once at compile time:
 * transitive membership (R10) of every group a policy references, and active tenant-wide
 * role assignments (R11), as per-principal bitsets.
 */
export interface DirectoryIndex {
  /** Bit index of every group referenced by a policy (lower-cased id). */
  readonly groupBit: ReadonlyMap<string, number>;
  /** Bit index of every role template referenced by a policy (lower-cased id). */
  readonly roleBit: ReadonlyMap<string, number>;
  readonly users: ReadonlyMap<string, UserEntry>;
  readonly servicePrincipals: ReadonlyMap<string, ServicePrincipalEntry>;
}

export interface UserEntry {
  readonly id: string;
  readonly user: DirectoryUser;
  readonly groups: Bitset;
  readonly roles: Bitset;
  /**
   * The users condition of every policy, precomputed for this user's directory facts and
   * shared by every user with the same facts (set by `compileTenant`).
   */
  subject?: UserSubjectProfile;
}

export interface UserSubjectProfile {
  /** Guest classification and home tenant the profile was computed for (R12, R13). */
  readonly guestType: string | null;
  readonly externalTenantId: string | null;
  /** 1 where the policy's users condition matches, by policy index. */
  readonly matches: Uint8Array;
}

export interface ServicePrincipalEntry {
  readonly id: string;
  readonly servicePrincipal: ServicePrincipal;
  readonly groups: Bitset;
  readonly roles: Bitset;
}

export interface DirectoryInput {
  users: readonly DirectoryUser[];
  groups: readonly DirectoryGroup[];
  roleAssignments: readonly UnifiedRoleAssignment[];
  servicePrincipals: readonly ServicePrincipal[];
}

const lower = (s: string): string => s.toLowerCase();

/** R11: only assignments at directory scope ("/") count; absent scope means "/". */
function isTenantWide(assignment: UnifiedRoleAssignment): boolean {
  const scope = assignment.directoryScopeId;
  return scope === undefined || scope === null || scope === "/" || scope === "";
}

export function createDirectoryIndex(
  input: DirectoryInput,
  referencedGroups: ReadonlySet<string>,
  referencedRoles: ReadonlySet<string>,
): DirectoryIndex {
  const groupBit = new Map<string, number>();
  for (const id of referencedGroups) groupBit.set(id, groupBit.size);
  const roleBit = new Map<string, number>();
  for (const id of referencedRoles) roleBit.set(id, roleBit.size);

  const groupMembers = new Map<string, readonly string[]>();
  for (const group of input.groups) {
    const id = lower(group.id);
    const existing = groupMembers.get(id);
    const members = (group.members ?? []).map(lower);
    groupMembers.set(id, existing ? [...existing, ...members] : members);
  }

  // Transitive members of a group: iterative DFS, cycle-safe (nested groups may loop).
  const expand = (root: string, visit: (principalId: string) => void): void => {
    const seen = new Set<string>([root]);
    const stack = [root];
    while (stack.length > 0) {
      const current = stack.pop() as string;
      for (const member of groupMembers.get(current) ?? []) {
        if (seen.has(member)) continue;
        seen.add(member);
        visit(member);
        if (groupMembers.has(member)) stack.push(member);
      }
    }
  };

  const groupBits = new Map<string, Bitset>();
  const roleBits = new Map<string, Bitset>();
  const bitsFor = (map: Map<string, Bitset>, size: number, id: string): Bitset => {
    let bits = map.get(id);
    if (!bits) {
      bits = createBitset(size);
      map.set(id, bits);
    }
    return bits;
  };

  for (const [groupId, bit] of groupBit) {
    expand(groupId, (principal) => setBit(bitsFor(groupBits, groupBit.size, principal), bit));
  }

  for (const assignment of input.roleAssignments) {
    if (!isTenantWide(assignment)) continue;
    const bit = roleBit.get(lower(assignment.roleTemplateId));
    if (bit === undefined) continue;
    const principal = lower(assignment.principalId);
    setBit(bitsFor(roleBits, roleBit.size, principal), bit);
    // Role-assignable groups: members hold the role too (R11, treated as active).
    if (groupMembers.has(principal)) {
      expand(principal, (member) => setBit(bitsFor(roleBits, roleBit.size, member), bit));
    }
  }

  const users = new Map<string, UserEntry>();
  for (const user of input.users) {
    const id = lower(user.id);
    users.set(id, { id, user, groups: groupBits.get(id) ?? EMPTY_BITSET, roles: roleBits.get(id) ?? EMPTY_BITSET });
  }
  const servicePrincipals = new Map<string, ServicePrincipalEntry>();
  for (const sp of input.servicePrincipals) {
    const id = lower(sp.id);
    const entry = { id, servicePrincipal: sp, groups: groupBits.get(id) ?? EMPTY_BITSET, roles: roleBits.get(id) ?? EMPTY_BITSET };
    servicePrincipals.set(id, entry);
  }
  return { groupBit, roleBit, users, servicePrincipals };
}
