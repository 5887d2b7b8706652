import type { CompiledTenant } from "../compile/compile-tenant.js";

/** What every policy's decision reads of a directory user (see {@link userSubject}). */
export interface UserSubject {
  /** 1 where the policy's users condition (R8-R13) matches the user, by policy index. */
  readonly matches: Uint8Array;
  /** Guest classification (R12) and home tenant (R37 inbound trust), read by grant controls. */
  readonly guestType: string | null;
  readonly externalTenantId: string | null;
  /** R29: the user's insider risk as the directory states it. */
  readonly insiderRiskLevel: string | null;
}

/**
 * The user's side of every decision: nothing else in a sign-in depends on who signs in, so two
 * users with equal subjects get the same decision for the same resource and circumstances
 * (what gap analysis uses to sweep equivalent users once). Null for a user not in the tenant.
 */
export function userSubject(tenant: CompiledTenant, userId: string): UserSubject | null {
  const entry = tenant.directory.users.get(userId) ?? tenant.directory.users.get(userId.toLowerCase());
  const profile = entry?.subject;
  if (entry === undefined || profile === undefined) return null;
  const own = entry.user.externalTenantId;
  const externalTenantId = typeof own === "string" && own.length > 0 ? own.toLowerCase() : null;
  // A profile is shared by users whose home tenants no policy tells apart: inbound trust may still differ.
  if (externalTenantId !== profile.externalTenantId && profile.guestType !== null) {
    return { ...profile, externalTenantId, insiderRiskLevel: insider(entry.user) };
  }
  return {
    matches: profile.matches,
    guestType: profile.guestType,
    externalTenantId: profile.externalTenantId,
    insiderRiskLevel: insider(entry.user),
  };
}

const insider = (user: { insiderRiskLevel?: unknown }): string | null =>
  typeof user.insiderRiskLevel === "string" ? user.insiderRiskLevel.toLowerCase() : null;
