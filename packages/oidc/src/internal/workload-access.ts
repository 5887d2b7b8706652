/**
 * Conditional Access for client credentials (spec R2, R14, R16): before a token is issued to
 * a service principal, the engine evaluates the sign-in against the tenant's policies (only
 * workload-identity policies can apply to a service principal; the engine sees to that), and
 * every evaluation appends one Graph `signIn` record. `block` (or anything but `grant`: a
 * workload cannot answer a challenge) refuses the token with AADSTS53003 and the correlation
 * id. Fail closed: when the tenant cannot be loaded, the engine throws or the record cannot be
 * written, the token is refused.
 *
 * The same for interactive user sign-ins (`evaluateUserSignIn`, used by user-sign-in.ts): the
 * resource or the security-info registration user action, with the request's real context,
 * one record per evaluation; and the records of attempts that never reached Conditional
 * Access (`appendFirstFactorFailure`: wrong password 50126, unknown account 50034, lockout
 * 50053, wrong second factor 500121), `notApplied` with no policy listed.
 */
import { randomUUID } from "node:crypto";
import type { CompiledTenant, Decision, SignInLogEntry, WhatIfRequest } from "@gatehouse/engine";
import type { ServicePrincipalRecord, Store } from "@gatehouse/store";
import type { ClientCredentialUsed } from "./client-metadata.js";
import { evaluateToRecord } from "./evaluate-to-record.js";
import type { RequestContext } from "./request-context.js";
import type { Resource } from "./resources.js";

export interface WorkloadSignIn {
  client: { appId: string; displayName: string; servicePrincipal: ServicePrincipalRecord };
  resource: Resource;
  ipAddress: string | null;
  correlationId: string;
  /** The secret or certificate it authenticated with (the record's credential fields). */
  credential?: ClientCredentialUsed;
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

/** The target of a user's evaluation: a resource, or the security-info registration user action (R22). */
export type UserSignInTarget = { resource: Resource } | { userAction: typeof REGISTER_SECURITY_INFO };

export const REGISTER_SECURITY_INFO = "urn:user:registersecurityinfo";

export interface UserSignInFacts {
  user: { id: string; userPrincipalName: string; displayName: string };
  client: { appId: string; displayName: string };
  target: UserSignInTarget;
  context: RequestContext;
  correlationId: string;
  /** Graph `authenticationMethodModes` already used, e.g. `password`. */
  authenticationMethods: string[];
  clientAppType: "browser" | "mobileAppsAndDesktopClients";
  /** R30: `deviceCodeFlow` for a device code sign-in, else `none`. */
  transferMethod: "deviceCodeFlow" | "none";
}

export type UserVerdict =
  | {
      outcome: "grant" | "challenge" | "block";
      signInId: string;
      errorCode: number;
      failureReason: string;
      /** The engine's decision, with the request and tenant it was made with (for what-ifs of the next step). */
      decision: Decision;
      request: WhatIfRequest;
      tenant: CompiledTenant;
    }
  | { outcome: "unavailable"; cause: unknown };

/** The engine's request for a user's sign-in. */
export function userSignInRequest(signIn: Omit<UserSignInFacts, "correlationId" | "client" | "user"> & { userId: string }): WhatIfRequest {
  const { context } = signIn;
  return {
    signInIdentity: { "@odata.type": "#microsoft.graph.userSignIn", userId: signIn.userId },
    signInContext:
      "resource" in signIn.target
        ? { "@odata.type": "#microsoft.graph.applicationContext", includeApplications: [signIn.target.resource.application.appId] }
        : { "@odata.type": "#microsoft.graph.userActionContext", userAction: signIn.target.userAction },
    signInConditions: {
      ipAddress: context.ipAddress,
      devicePlatform: context.devicePlatform === "unknown" ? null : context.devicePlatform,
      clientAppType: signIn.clientAppType,
      authenticationFlow: { transferMethod: signIn.transferMethod },
      originalTransferMethod: signIn.transferMethod,
      ...(context.country !== null ? { country: context.country } : {}),
    },
    satisfied: { authenticationMethods: [...signIn.authenticationMethods] },
  };
}

/**
 * Evaluates an interactive user sign-in (first factor done, and whatever else is in
 * `authenticationMethods`), appends its sign-in record, and says what happens next:
 * `challenge` means more is required. Report-only policies are in the record only (R39).
 */
export async function evaluateUserSignIn(deps: WorkloadAccessDeps, signIn: UserSignInFacts): Promise<UserVerdict> {
  try {
    const tenant = await deps.compiledTenant();
    const request = userSignInRequest({ ...signIn, userId: signIn.user.id });
    const { evaluation, entry } = evaluateToRecord(deps, tenant, request, {
      correlationId: signIn.correlationId,
      userPrincipalName: signIn.user.userPrincipalName,
      userDisplayName: signIn.user.displayName,
      appId: signIn.client.appId,
      appDisplayName: signIn.client.displayName,
      ...("resource" in signIn.target
        ? { resourceDisplayName: signIn.target.resource.application.displayName }
        : { resourceDisplayName: "Security info registration" }),
      isInteractive: true,
      clientDevice: { browser: signIn.context.browser, operatingSystem: signIn.context.operatingSystem },
    });
    await deps.store.signIns.append(entry);
    const outcome = evaluation.decision.outcome;
    const status = entry.status as { errorCode?: number; failureReason?: string | null } | undefined;
    return {
      outcome,
      signInId: entry.id,
      errorCode: outcome === "grant" ? 0 : status?.errorCode || (outcome === "block" ? 53003 : 50074),
      failureReason: status?.failureReason ?? "Conditional Access did not allow the sign-in.",
      decision: evaluation.decision,
      request,
      tenant,
    };
  } catch (cause) {
    return { outcome: "unavailable", cause };
  }
}

/** Graph's texts for a first factor that failed (no Conditional Access evaluation happened). */
export const FIRST_FACTOR_ERRORS = {
  invalidPassword: { errorCode: 50126, failureReason: "Error validating credentials due to invalid username or password." },
  unknownUser: {
    errorCode: 50034,
    failureReason:
      "The user account does not exist in the directory. To sign into this application, the account must be added to the directory.",
  },
  disabled: { errorCode: 50057, failureReason: "The user account is disabled." },
  locked: {
    errorCode: 50053,
    failureReason: "Account is locked because user tried to sign in too many times with an incorrect user ID or password.",
  },
  invalidCode: { errorCode: 500121, failureReason: "Authentication failed during strong authentication request." },
} as const;

/**
 * The sign-in record of an attempt that ended before Conditional Access: `notApplied`, no
 * policy listed (none was evaluated), single-factor, Graph's error code.
 */
export async function appendFirstFactorFailure(
  deps: Pick<WorkloadAccessDeps, "store" | "now">,
  failure: {
    error: { errorCode: number; failureReason: string };
    user: { id: string; userPrincipalName: string; displayName: string } | null;
    /** What was typed when the account is unknown. */
    typedUserName: string;
    client: { appId: string; displayName: string };
    resource: { appId: string; displayName: string } | null;
    context: RequestContext;
    correlationId: string;
    clientAppType: "browser" | "mobileAppsAndDesktopClients";
    transferMethod: "deviceCodeFlow" | "none";
    authenticationMethods: string[];
    additionalDetails?: string;
  },
): Promise<SignInLogEntry> {
  const entry: SignInLogEntry = {
    id: randomUUID(),
    createdDateTime: deps.now().toISOString(),
    userId: failure.user?.id ?? null,
    userPrincipalName: failure.user?.userPrincipalName ?? (failure.typedUserName.slice(0, 256) || null),
    userDisplayName: failure.user?.displayName ?? null,
    appId: failure.client.appId,
    appDisplayName: failure.client.displayName,
    resourceId: failure.resource?.appId ?? null,
    resourceDisplayName: failure.resource?.displayName ?? null,
    ipAddress: failure.context.ipAddress ?? "",
    clientAppUsed: failure.clientAppType === "browser" ? "Browser" : "Mobile Apps and Desktop clients",
    correlationId: failure.correlationId,
    conditionalAccessStatus: "notApplied",
    isInteractive: true,
    riskLevelDuringSignIn: "none",
    status: { ...failure.error, additionalDetails: failure.additionalDetails ?? null },
    deviceDetail: {
      deviceId: "",
      displayName: "",
      operatingSystem: failure.context.operatingSystem,
      isCompliant: false,
      trustType: "",
      ...(failure.context.browser !== "" ? { browser: failure.context.browser } : {}),
    },
    location: { countryOrRegion: failure.context.country ?? "" },
    appliedConditionalAccessPolicies: [],
    authenticationRequirement: "singleFactorAuthentication",
    authenticationMethodsUsed: failure.authenticationMethods,
    signInEventTypes: ["interactiveUser"],
    originalTransferMethod: failure.transferMethod,
  };
  await deps.store.signIns.append(entry);
  return entry;
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
    const { evaluation, entry } = evaluateToRecord(deps, tenant, request, {
      correlationId: signIn.correlationId,
      appId: signIn.client.appId,
      appDisplayName: signIn.client.displayName,
      resourceDisplayName: signIn.resource.application.displayName,
      isInteractive: false,
    });
    if (signIn.credential !== undefined) {
      entry.clientCredentialType = signIn.credential.clientCredentialType;
      entry.servicePrincipalCredentialKeyId = signIn.credential.keyId;
      entry.servicePrincipalCredentialThumbprint = signIn.credential.thumbprint;
    }
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
