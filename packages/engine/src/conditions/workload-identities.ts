import type { FilterAttributes } from "../filter/index.js";
import type { ConditionalAccessPolicy } from "../policy/types.js";
import {
  type CompileContext,
  type CompiledCondition,
  lowerAll,
  MATCH,
  NO_MATCH,
  type SignInFacts,
  type Tri,
  UNDECIDABLE,
} from "./condition.js";
import { compileFilterCondition } from "./filter-condition.js";

/** A policy that selects service principals is a workload-identity policy (R7, R15). */
export function isWorkloadIdentityPolicy(policy: ConditionalAccessPolicy): boolean {
  const apps = policy.conditions.clientApplications;
  return !!apps && ((apps.includeServicePrincipals?.length ?? 0) > 0 || !!apps.servicePrincipalFilter);
}

const NONE: CompiledCondition = { reason: "workloadIdentities", subjects: "servicePrincipal", check: () => NO_MATCH };

function servicePrincipalAttributes(facts: SignInFacts): FilterAttributes {
  return (facts.servicePrincipal?.servicePrincipal.customSecurityAttributes ?? {}) as FilterAttributes;
}

/**
 * Workload identities (R15): single-tenant service principals of this tenant, by object id
 * or `ServicePrincipalsInMyTenant`, minus exclusions, narrowed by the filter. Managed
 * identities and other tenants' apps are never covered; user policies never cover a
 * service principal (R14).
 */
export function compileWorkloadIdentitiesCondition(policy: ConditionalAccessPolicy, ctx: CompileContext): CompiledCondition {
  const apps = policy.conditions.clientApplications;
  if (!apps || !isWorkloadIdentityPolicy(policy)) return NONE;
  const include = new Set(lowerAll(apps.includeServicePrincipals));
  const inMyTenant = include.delete("serviceprincipalsinmytenant");
  const exclude = new Set(lowerAll(apps.excludeServicePrincipals));
  const filter = apps.servicePrincipalFilter
    ? compileFilterCondition(
        policy,
        ctx,
        apps.servicePrincipalFilter,
        "$.conditions.clientApplications.servicePrincipalFilter",
        "customSecurityAttribute",
      )
    : null;
  const tenantId = ctx.tenantId.toLowerCase();
  return {
    reason: "workloadIdentities",
    subjects: "servicePrincipal",
    check(facts): Tri {
      const entry = facts.servicePrincipal;
      if (entry === null) return NO_MATCH;
      const sp = entry.servicePrincipal;
      if ((sp.servicePrincipalType ?? "").toLowerCase() === "managedidentity") return NO_MATCH;
      const owner = sp.appOwnerOrganizationId?.toLowerCase();
      // Missing owner = registered here (snapshots of one's own apps often omit it).
      const ownedHere = owner === undefined || owner === tenantId;
      if (!ownedHere) return NO_MATCH;
      if (exclude.has(entry.id)) return NO_MATCH;
      // A filter-only selection (no ids, no keyword) scopes by the filter alone.
      const selectsByFilter = !inMyTenant && include.size === 0;
      if (!selectsByFilter && !inMyTenant && !include.has(entry.id)) return NO_MATCH;
      if (filter) {
        const f = filter.evaluate(servicePrincipalAttributes(facts));
        if (f === null) return UNDECIDABLE;
        // R15: include mode narrows to matching principals, exclude mode removes them.
        if (filter.mode === "include" ? !f : f) return NO_MATCH;
      } else if (selectsByFilter) return NO_MATCH;
      return MATCH;
    },
  };
}
