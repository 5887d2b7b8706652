import { intersects, type SparseMask, toSparseMask } from "../compile/bitset.js";
import type { ConditionalAccessGuestsOrExternalUsers, ConditionalAccessPolicy, DirectoryUser } from "../policy/types.js";
import { type CompileContext, type CompiledCondition, lowerAll, MATCH, NO_MATCH, type SignInFacts, type Tri } from "./condition.js";
import { isWorkloadIdentityPolicy } from "./workload-identities.js";

/** The six guest/external user types (R12). */
export const GUEST_OR_EXTERNAL_USER_TYPES = [
  "internalGuest",
  "b2bCollaborationGuest",
  "b2bCollaborationMember",
  "b2bDirectConnectUser",
  "otherExternalUser",
  "serviceProvider",
] as const;

const GUEST_TYPE_BY_LOWER = new Map(GUEST_OR_EXTERNAL_USER_TYPES.map((t, i) => [t.toLowerCase(), 1 << i]));
const GUEST_TYPE_NAMES = new Map(GUEST_OR_EXTERNAL_USER_TYPES.map((t) => [t.toLowerCase(), t]));

/**
 * R12: the guest/external classification of a sign-in: what the request declares, else what
 * the directory says; a `userType: Guest` of unknown origin is a B2B collaboration guest.
 */
export function classifyGuest(declared: unknown, user: DirectoryUser | null | undefined): string | null {
  const pick = (value: unknown): string | null =>
    typeof value === "string" && value.length > 0 ? (GUEST_TYPE_NAMES.get(value.toLowerCase()) ?? null) : null;
  const explicit = typeof declared === "string" && declared.length > 0 ? declared : user?.externalUserType;
  const type = pick(explicit);
  if (type !== null) return type;
  return String(user?.userType ?? "").toLowerCase() === "guest" ? "b2bCollaborationGuest" : null;
}

export function guestTypeBit(guestType: string | null): number {
  return guestType === null ? 0 : (GUEST_TYPE_BY_LOWER.get(guestType.toLowerCase()) ?? 0);
}

interface GuestSelector {
  /** Bits of GUEST_OR_EXTERNAL_USER_TYPES. */
  readonly types: number;
  /** null = any external tenant (membershipKind all, or not configured). */
  readonly tenants: ReadonlySet<string> | null;
}

const ALL_GUEST_TYPES: GuestSelector = { types: (1 << GUEST_OR_EXTERNAL_USER_TYPES.length) - 1, tenants: null };

function compileGuests(value: ConditionalAccessGuestsOrExternalUsers | null): GuestSelector | null {
  if (!value) return null;
  let types = 0;
  for (const t of value.guestOrExternalUserTypes ?? []) types |= guestTypeBit(t);
  if (types === 0) return null;
  const tenants = value.externalTenants;
  if (tenants && String(tenants.membershipKind).toLowerCase() === "enumerated") {
    return { types, tenants: new Set(lowerAll(tenants.members)) };
  }
  return { types, tenants: null };
}

/** R13: enumerated tenants must contain the user's home tenant; internal guests have none. */
function guestMatches(selector: GuestSelector | null, facts: SignInFacts): boolean {
  if (selector === null || facts.guestType === null) return false;
  const bit = guestTypeBit(facts.guestType);
  if ((selector.types & bit) === 0) return false;
  if (selector.tenants === null || facts.guestType === "internalGuest") return true;
  return facts.externalTenantId !== null && selector.tenants.has(facts.externalTenantId);
}

interface UserSide {
  readonly all: boolean;
  readonly ids: ReadonlySet<string>;
  readonly groups: SparseMask | null;
  readonly roles: SparseMask | null;
  readonly guests: GuestSelector | null;
}

function side(
  ctx: CompileContext,
  users: string[],
  groups: string[],
  roles: string[],
  guests: ConditionalAccessGuestsOrExternalUsers | null,
  allowAll: boolean,
): UserSide {
  const ids = new Set(lowerAll(users));
  const all = allowAll && ids.has("all");
  const guestsKeyword = ids.has("guestsorexternalusers");
  ids.delete("all");
  ids.delete("none");
  ids.delete("guestsorexternalusers");
  const groupBits = lowerAll(groups).flatMap((g) => {
    const bit = ctx.directory.groupBit.get(g);
    return bit === undefined ? [] : [bit];
  });
  const roleBits = lowerAll(roles).flatMap((r) => {
    const bit = ctx.directory.roleBit.get(r);
    return bit === undefined ? [] : [bit];
  });
  // Legacy keyword = every guest/external type in every tenant (§2.1).
  const guestSelector = guestsKeyword ? ALL_GUEST_TYPES : compileGuests(guests);
  return { all, ids, groups: toSparseMask(groupBits), roles: toSparseMask(roleBits), guests: guestSelector };
}

function sideMatches(s: UserSide, facts: SignInFacts): boolean {
  return (
    s.all ||
    (s.ids.size > 0 && s.ids.has(facts.principalId)) ||
    intersects(s.groups, facts.groups) ||
    intersects(s.roles, facts.roles) ||
    guestMatches(s.guests, facts)
  );
}

const NOBODY: CompiledCondition = { reason: "users", subjects: "user", check: () => NO_MATCH };

/**
 * Users, groups, roles and guests (R8, R9, R10, R11, R12, R13). Always configured: a user
 * sign-in never matches a workload-identity policy (R14) nor a policy without users.
 */
export function compileUsersCondition(policy: ConditionalAccessPolicy, ctx: CompileContext): CompiledCondition {
  const users = policy.conditions.users;
  if (!users || isWorkloadIdentityPolicy(policy)) return NOBODY;
  const include = side(ctx, users.includeUsers, users.includeGroups, users.includeRoles, users.includeGuestsOrExternalUsers, true);
  const exclude = side(ctx, users.excludeUsers, users.excludeGroups, users.excludeRoles, users.excludeGuestsOrExternalUsers, false);
  return {
    reason: "users",
    subjects: "user",
    check(facts): Tri {
      // R9: exclusion always wins.
      if (sideMatches(exclude, facts)) return NO_MATCH;
      return sideMatches(include, facts) ? MATCH : NO_MATCH;
    },
  };
}
