/**
 * Emergency-access (break-glass) exposure (spec §4.3): which emergency-access accounts a
 * policy would apply to. Decided semantically by the engine, not by reading id lists: the
 * policy is compiled alone (state forced to `enabled`) against the tenant's directory, and
 * What If is asked, for each account, whether the policy's users condition (R8-R13: users,
 * groups with transitive membership, roles, guest types, exclusions winning) lets it through.
 */

import {
  type CompiledTenant,
  type ConditionalAccessPolicy,
  compileTenant,
  MICROSOFT_ADMIN_PORTALS_APP_IDS,
  OFFICE_365_APP_IDS,
  type TenantSnapshot,
  type WhatIfRequest,
  whatIf,
} from "@gatehouse/engine";
import type { EmergencyAccessSettings } from "./templates.js";

/** One emergency-access account a policy applies to. */
export interface Exposure {
  userId: string;
  userPrincipalName?: string;
  policyId: string;
  policyDisplayName: string;
}

/** An emergency-access account: a listed user or a (transitive) member of a listed group. */
export interface EmergencyAccessAccount {
  userId: string;
  userPrincipalName?: string;
}

/**
 * Resource appId used in the What-If request when a policy targets `All` (or `None`)
 * resources: a resource no policy names. Only the users condition is read from the answer,
 * so the target never changes the result; it only keeps the request realistic.
 */
export const SYNTHETIC_RESOURCE_APP_ID = "5b2b5a6e-1d0c-4c8e-9f3a-7a0e2f6c9d41";

/**
 * The emergency-access accounts: every listed user id (kept even when the snapshot does not
 * know it: it was named explicitly) plus the users reached through the listed groups,
 * following nested groups transitively (cycles are harmless). A group member that is neither
 * a known group nor a known user (a device, a service principal) is not an account. Ids
 * compare case-insensitively; the snapshot's spelling of an id wins.
 */
export function resolveEmergencyAccessAccounts(
  snapshot: TenantSnapshot,
  emergencyAccess: EmergencyAccessSettings,
): EmergencyAccessAccount[] {
  const users = new Map((snapshot.users ?? []).map((u) => [String(u.id).toLowerCase(), u]));
  const groups = new Map((snapshot.groups ?? []).map((g) => [String(g.id).toLowerCase(), g]));
  const accounts = new Map<string, EmergencyAccessAccount>();
  const add = (id: string, knownOnly: boolean): void => {
    const key = id.toLowerCase();
    if (accounts.has(key)) return;
    const user = users.get(key);
    if (user === undefined && knownOnly) return;
    const account: EmergencyAccessAccount = { userId: user?.id ?? id };
    if (typeof user?.userPrincipalName === "string") account.userPrincipalName = user.userPrincipalName;
    accounts.set(key, account);
  };
  for (const id of emergencyAccess.userIds) if (typeof id === "string" && id.length > 0) add(id, false);

  const visited = new Set<string>();
  const pending = emergencyAccess.groupIds.filter((id) => typeof id === "string").map((id) => id.toLowerCase());
  while (pending.length > 0) {
    const groupId = pending.pop() as string;
    if (visited.has(groupId)) continue;
    visited.add(groupId);
    for (const member of groups.get(groupId)?.members ?? []) {
      if (typeof member !== "string") continue;
      const key = member.toLowerCase();
      if (groups.has(key)) pending.push(key);
      else add(member, true);
    }
  }
  return [...accounts.values()];
}

/** A workload-identity policy covers service principals or agents, never users (R14). */
export function isWorkloadIdentityPolicy(policy: ConditionalAccessPolicy): boolean {
  const apps = policy.conditions?.clientApplications as (Record<string, unknown> & { includeServicePrincipals?: string[] }) | null;
  if (!apps) return false;
  const agents = apps.includeAgentIdServicePrincipals;
  return (
    (apps.includeServicePrincipals?.length ?? 0) > 0 ||
    !!apps.servicePrincipalFilter ||
    (Array.isArray(agents) && agents.length > 0) ||
    !!apps.agentIdServicePrincipalFilter
  );
}

/** Any state but `disabled` is evaluated; an unknown future state is enforced (the engine fails closed, R1). */
export function isActivePolicy(policy: ConditionalAccessPolicy): boolean {
  return String(policy.state).toLowerCase() !== "disabled";
}

/** The sign-in target a policy is about: a user action, an authentication context, or a resource. */
export function policyTarget(policy: ConditionalAccessPolicy): WhatIfRequest["signInContext"] {
  const apps = policy.conditions?.applications;
  const action = apps?.includeUserActions?.[0];
  if (typeof action === "string") return { "@odata.type": "#microsoft.graph.userActionContext", userAction: action };
  const context = apps?.includeAuthenticationContextClassReferences?.[0];
  if (typeof context === "string") return { "@odata.type": "#microsoft.graph.authContext", authenticationContextValue: context };
  let appId = SYNTHETIC_RESOURCE_APP_ID;
  for (const value of apps?.includeApplications ?? []) {
    const keyword = value.toLowerCase();
    if (keyword === "all" || keyword === "none") continue;
    if (keyword === "office365") appId = OFFICE_365_APP_IDS[0] ?? appId;
    else if (keyword === "microsoftadminportals") appId = MICROSOFT_ADMIN_PORTALS_APP_IDS[0] ?? appId;
    else appId = value;
    break;
  }
  return { "@odata.type": "#microsoft.graph.applicationContext", includeApplications: [appId] };
}

/** Whether the compiled one-policy tenant's policy lets this user through its users condition. */
function usersConditionIncludes(compiled: CompiledTenant, userId: string, target: WhatIfRequest["signInContext"]): boolean {
  const answer = whatIf(compiled, {
    signInIdentity: { "@odata.type": "#microsoft.graph.userSignIn", userId },
    signInContext: target,
  });
  const entry = answer.value[0];
  return entry !== undefined && entry.analysisReasons !== "users";
}

/**
 * The emergency-access accounts an enabled or report-only policy would apply to, by its
 * users condition. The remaining conditions (resources, platforms, locations, risk, ...) are
 * deliberately ignored: an account in scope is exposed whenever those happen to match.
 * Disabled and workload-identity policies expose nobody.
 */
export function findEmergencyAccessExposure(
  policy: ConditionalAccessPolicy,
  snapshot: TenantSnapshot,
  emergencyAccess: EmergencyAccessSettings,
): Exposure[] {
  if (!isActivePolicy(policy) || isWorkloadIdentityPolicy(policy) || !policy.conditions?.users) return [];
  const accounts = resolveEmergencyAccessAccounts(snapshot, emergencyAccess);
  if (accounts.length === 0) return [];
  const compiled = compileTenant({ ...snapshot, policies: [{ ...policy, state: "enabled" }] });
  const target = policyTarget(policy);
  const exposures: Exposure[] = [];
  for (const account of accounts) {
    if (!usersConditionIncludes(compiled, account.userId, target)) continue;
    const exposure: Exposure = { userId: account.userId, policyId: policy.id, policyDisplayName: policy.displayName };
    if (account.userPrincipalName !== undefined) exposure.userPrincipalName = account.userPrincipalName;
    exposures.push(exposure);
  }
  return exposures;
}
