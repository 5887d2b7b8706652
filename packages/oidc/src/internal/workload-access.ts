/**
 * Conditional Access for client credentials (spec R2, R14, R16): before a token is issued to
 * a service principal, the engine evaluates the sign-in against the tenant's policies (only
 * workload-identity policies can apply to a service principal; the engine sees to that), and
 * every evaluation appends one Graph `signIn` record. `block` (or anything but `grant`: a
 * workload cannot answer a challenge) refuses the token with AADSTS53003 and the correlation
 * id. Fail closed: when the tenant cannot be loaded, the engine throws or the record cannot be
 * written, the token is refused.
 */
import { randomUUID } from "node:crypto";
import { type CompiledTenant, evaluateSignIn, toSignInLogEntry, type WhatIfRequest } from "@gatehouse/engine";
import type { ServicePrincipalRecord, Store } from "@gatehouse/store";
import type { Resource } from "./resources.js";

export interface WorkloadSignIn {
  client: { appId: string; displayName: string; servicePrincipal: ServicePrincipalRecord };
  resource: Resource;
  ipAddress: string | null;
  correlationId: string;
}

export interface WorkloadAccessDeps {
  store: Store;
  now: () => Date;
  compiledTenant: () => Promise<CompiledTenant>;
  lookupCountry?: ((ip: string) => string | null) | undefined;
}

export type WorkloadVerdict =
  | { outcome: "grant"; signInId: string }
  | { outcome: "block"; signInId: string; errorCode: number; failureReason: string }
  | { outcome: "unavailable"; cause: unknown };

export interface UserSignInFacts {
  user: { id: string; userPrincipalName: string; displayName: string };
  client: { appId: string; displayName: string };
  resource: Resource;
  ipAddress: string | null;
  correlationId: string;
  /** Graph `authenticationMethodModes` already used, e.g. `password`. */
  authenticationMethods: string[];
  clientAppType: string;
}

export type UserVerdict =
  | { outcome: "grant"; signInId: string }
  | { outcome: "challenge" | "block"; signInId: string; errorCode: number; failureReason: string }
  | { outcome: "unavailable"; cause: unknown };

/** The same for an interactive user sign-in (first factor done); `challenge` means more is required. */
export async function evaluateUserSignIn(deps: WorkloadAccessDeps, signIn: UserSignInFacts): Promise<UserVerdict> {
  try {
    const tenant = await deps.compiledTenant();
    let country: string | null = null;
    if (signIn.ipAddress !== null && deps.lookupCountry !== undefined) country = deps.lookupCountry(signIn.ipAddress);
    const request: WhatIfRequest = {
      signInIdentity: { "@odata.type": "#microsoft.graph.userSignIn", userId: signIn.user.id },
      signInContext: { "@odata.type": "#microsoft.graph.applicationContext", includeApplications: [signIn.resource.application.appId] },
      signInConditions: { ipAddress: signIn.ipAddress, clientAppType: signIn.clientAppType, ...(country !== null ? { country } : {}) },
      satisfied: { authenticationMethods: signIn.authenticationMethods },
    };
    const evaluation = evaluateSignIn(tenant, request);
    const entry = toSignInLogEntry({
      tenant,
      request,
      evaluation,
      id: randomUUID(),
      createdDateTime: deps.now().toISOString(),
      correlationId: signIn.correlationId,
      userPrincipalName: signIn.user.userPrincipalName,
      userDisplayName: signIn.user.displayName,
      appId: signIn.client.appId,
      appDisplayName: signIn.client.displayName,
      resourceDisplayName: signIn.resource.application.displayName,
      isInteractive: true,
    });
    await deps.store.signIns.append(entry);
    const outcome = evaluation.decision.outcome;
    if (outcome === "grant") return { outcome, signInId: entry.id };
    const status = entry.status as { errorCode?: number; failureReason?: string } | undefined;
    return {
      outcome,
      signInId: entry.id,
      errorCode: status?.errorCode || (outcome === "block" ? 53003 : 50074),
      failureReason: status?.failureReason ?? "Conditional Access did not allow the sign-in.",
    };
  } catch (cause) {
    return { outcome: "unavailable", cause };
  }
}

export async function evaluateWorkloadSignIn(deps: WorkloadAccessDeps, signIn: WorkloadSignIn): Promise<WorkloadVerdict> {
  try {
    const tenant = await deps.compiledTenant();
    let country: string | null = null;
    if (signIn.ipAddress !== null && deps.lookupCountry !== undefined) country = deps.lookupCountry(signIn.ipAddress);
    const request: WhatIfRequest = {
      signInIdentity: { "@odata.type": "#microsoft.graph.servicePrincipalSignIn", servicePrincipalId: signIn.client.servicePrincipal.id },
      signInContext: { "@odata.type": "#microsoft.graph.applicationContext", includeApplications: [signIn.resource.application.appId] },
      signInConditions: { ipAddress: signIn.ipAddress, ...(country !== null ? { country } : {}) },
    };
    const evaluation = evaluateSignIn(tenant, request);
    const entry = toSignInLogEntry({
      tenant,
      request,
      evaluation,
      id: randomUUID(),
      createdDateTime: deps.now().toISOString(),
      correlationId: signIn.correlationId,
      appId: signIn.client.appId,
      appDisplayName: signIn.client.displayName,
      resourceDisplayName: signIn.resource.application.displayName,
      isInteractive: false,
    });
    await deps.store.signIns.append(entry);
    if (evaluation.decision.outcome === "grant") return { outcome: "grant", signInId: entry.id };
    const status = entry.status as { errorCode?: number; failureReason?: string } | undefined;
    return {
      outcome: "block",
      signInId: entry.id,
      errorCode: status?.errorCode || 53003,
      failureReason: status?.failureReason ?? "Access has been blocked by Conditional Access policies.",
    };
  } catch (cause) {
    return { outcome: "unavailable", cause };
  }
}
