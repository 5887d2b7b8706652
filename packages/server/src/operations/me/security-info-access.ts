/**
 * Conditional Access for "My security info" (R22, R37): every registration and removal of a
 * method is the user action `urn:user:registersecurityinfo`, evaluated with the request's real
 * context, as the sign-in service evaluates it (`evaluateUserSignIn`: one Graph `signIn` record
 * per evaluation): the methods the token's `amr` says were used, the client's IP address (the
 * direct peer; `X-Forwarded-For` only from the sign-in service's trusted proxies) and its
 * country, the device platform of the User-Agent, client app type `browser`.
 *
 * - `block` -> 403 `accessDenied`, AADSTS code and correlation id;
 * - `challenge` with MFA or an authentication strength -> 401 claims challenge naming the `acr`
 *   values that would satisfy it (a new sign-in with more methods); any other control cannot
 *   be met by signing in again: refused like a block;
 * - evaluation failure -> 503 (fail closed).
 *
 * Two rules of the sign-in service apply too: a user who already has a method proves one
 * (the token shows a second factor) before changing security info, so a password alone never
 * adds or removes a method; and a user with no method at all may register one when what is
 * required comes only from policies on all resources, not from one naming the user action
 * (Entra's registration interrupt, "proof-up").
 */
import { GATEHOUSE_MANAGEMENT_API_APP_ID } from "@gatehouse/admin";
import { type CompiledTenant, type Decision, decide, type WhatIfRequest } from "@gatehouse/engine";
import type { RequestContext, TrustedProxies } from "@gatehouse/oidc";
import type { AuthenticationMethodRecord } from "@gatehouse/store";
import type { UserCaller } from "../../auth/caller.js";
import { ConditionalAccessError } from "../../errors/conditional-access-error.js";
import { ServiceUnavailableError } from "../../errors/service-unavailable-error.js";
import type { OperationContext } from "../operation-context.js";

/** `acr` values of the sign-in service (assurance.ts), repeated here for the claims challenge. */
const ACR_MFA = "urn:gatehouse:acr:mfa";
const ACR_PHISHING_RESISTANT_MFA = "urn:gatehouse:acr:phr";
const MFA_LIKE = new Set(["mfa", "authenticationStrength"]);
/** The methods a new sign-in would add, per `acr` it would carry. */
const ACR_METHODS: readonly (readonly [string, string[]])[] = [
  [ACR_MFA, ["password", "softwareOath"]],
  [ACR_PHISHING_RESISTANT_MFA, ["password", "fido2"]],
];

type Oidc = typeof import("@gatehouse/oidc");
let oidcModule: Promise<Oidc> | null = null;
/**
 * The sign-in service's evaluation, loaded on first use: importing it loads oidc-provider,
 * which a server without the sign-in service does not otherwise load.
 */
function loadOidc(): Promise<Oidc> {
  oidcModule ??= import("@gatehouse/oidc").catch((error: unknown) => {
    oidcModule = null;
    throw error;
  });
  return oidcModule;
}

export interface SecurityInfoDeps {
  compiledTenant: () => Promise<CompiledTenant>;
  lookupCountry?: ((ip: string) => string | null) | undefined;
  /** The sign-in service's trusted proxies (none: the direct peer is the client). */
  trustedProxies?: readonly string[] | undefined;
}

/** One request of "My security info": who, from where, with what. */
export interface SelfServiceRequest {
  ctx: OperationContext & { caller: UserCaller };
  /** Node's request: the peer address and the headers. */
  raw: { socket?: { remoteAddress?: string | undefined } | null; headers: Record<string, string | string[] | undefined> };
  /** The token's client application (`azp`). */
  client: { appId: string; displayName: string };
}

export interface SecurityInfoAccess {
  /** What the engine was asked, and the tenant it was asked of (for later what-ifs). */
  request: WhatIfRequest;
  tenant: CompiledTenant;
  decision: Decision;
  /** The sign-in record's id. */
  signInId: string;
}

const proxiesCache = new Map<string, TrustedProxies>();

async function contextOf(deps: SecurityInfoDeps, req: SelfServiceRequest, oidc: Oidc): Promise<RequestContext> {
  const list = deps.trustedProxies ?? [];
  const key = list.join(",");
  let trusted = proxiesCache.get(key);
  if (trusted === undefined) {
    trusted = oidc.compileTrustedProxies(list);
    proxiesCache.set(key, trusted);
  }
  return oidc.requestContext(req.raw, { trustedProxies: trusted, lookupCountry: deps.lookupCountry });
}

function requirementText(decision: Decision): string {
  const names = decision.requiredControls.map((c) =>
    c.control === "authenticationStrength"
      ? `the authentication strength "${(c as { authenticationStrength?: { displayName?: string } }).authenticationStrength?.displayName ?? "custom"}"`
      : c.control === "mfa"
        ? "multifactor authentication (MFA)"
        : c.control,
  );
  return [...new Set(names)].join(" and ");
}

/** The `acr` values a new sign-in could bring that would satisfy the decision's requirements. */
function satisfyingAcrs(tenant: CompiledTenant, request: WhatIfRequest, used: readonly string[]): string[] {
  return ACR_METHODS.filter(([, methods]) => {
    const next = decide(tenant, {
      ...request,
      satisfied: { ...request.satisfied, authenticationMethods: [...new Set([...used, ...methods])] },
    });
    return next.outcome === "grant";
  }).map(([acr]) => acr);
}

const claimsFor = (acrs: readonly string[]) => ({ access_token: { acr: { essential: true, values: [...acrs] } } });

/** True when every requirement is MFA-like and none comes from a policy naming the registration action (R37). */
function isProofUp(tenant: CompiledTenant, decision: Decision): boolean {
  if (decision.outcome !== "challenge" || decision.requiredControls.length === 0) return false;
  const explicit = new Set(tenant.policies.filter((p) => p.explicitRegistration).map((p) => String(p.policy.id ?? "").toLowerCase()));
  return decision.requiredControls.every(
    (c) => MFA_LIKE.has(c.control) && c.policyIds.every((id) => !explicit.has(String(id).toLowerCase())),
  );
}

/**
 * Evaluates the user action for this request (one sign-in record) and throws unless the change
 * may go ahead. `registering`: a registration (proof-up may allow it), not a removal.
 */
export async function authorizeSecurityInfoChange(
  deps: SecurityInfoDeps,
  req: SelfServiceRequest,
  registered: readonly AuthenticationMethodRecord[],
  options: { registering: boolean },
): Promise<SecurityInfoAccess> {
  const { ctx } = req;
  const correlationId = ctx.correlationId;
  let oidc: Oidc;
  let context: RequestContext;
  try {
    oidc = await loadOidc();
    context = await contextOf(deps, req, oidc);
  } catch (error) {
    throw new ServiceUnavailableError(
      `Conditional Access cannot be evaluated right now; security info was not changed. Try again later. Correlation ID: ${correlationId}`,
      { cause: error },
    );
  }
  const used = oidc.sessionFactsOf({ amr: ctx.caller.authenticationMethods }).authenticationMethods;
  const verdict = await oidc.evaluateUserSignIn(
    { store: ctx.store, now: () => ctx.now, compiledTenant: deps.compiledTenant, lookupCountry: deps.lookupCountry },
    {
      user: { id: ctx.caller.id, userPrincipalName: ctx.caller.userPrincipalName, displayName: ctx.caller.displayName },
      client: req.client,
      target: { userAction: oidc.REGISTER_SECURITY_INFO },
      context,
      correlationId,
      authenticationMethods: used,
      clientAppType: "browser",
      transferMethod: "none",
    },
  );
  if (verdict.outcome === "unavailable") {
    throw new ServiceUnavailableError(
      `Conditional Access cannot be evaluated right now; security info was not changed. Try again later. Correlation ID: ${correlationId}`,
      { cause: verdict.cause },
    );
  }
  const access: SecurityInfoAccess = {
    request: verdict.request,
    tenant: verdict.tenant,
    decision: verdict.decision,
    signInId: verdict.signInId,
  };
  if (verdict.outcome === "block") {
    throw ConditionalAccessError.block(
      `AADSTS${verdict.errorCode}: ${verdict.failureReason} Registering or changing security info is not allowed for this sign-in. Correlation ID: ${correlationId}`,
    );
  }
  if (verdict.outcome === "challenge") {
    const proofUp = options.registering && registered.length === 0 && isProofUp(verdict.tenant, verdict.decision);
    if (!proofUp) {
      const mfaLike = verdict.decision.requiredControls.every((c) => MFA_LIKE.has(c.control));
      const acrs = mfaLike ? satisfyingAcrs(verdict.tenant, verdict.request, used) : [];
      const what = requirementText(verdict.decision);
      if (acrs.length === 0) {
        throw ConditionalAccessError.block(
          `AADSTS${verdict.errorCode || 53003}: Conditional Access requires ${what} to change security info, which signing in again here cannot satisfy. Correlation ID: ${correlationId}`,
        );
      }
      throw ConditionalAccessError.challenge(
        `AADSTS${verdict.errorCode}: Conditional Access requires ${what} to change security info. Sign in again with a stronger method and retry. Correlation ID: ${correlationId}`,
        claimsFor(acrs),
      );
    }
  }
  // A password alone never changes the security info of an account that has a method.
  if (registered.length > 0 && !used.some((m) => m !== "password")) {
    throw ConditionalAccessError.challenge(
      `Verify your identity with a method you already have (multifactor authentication) before you change your security info. Correlation ID: ${correlationId}`,
      claimsFor([ACR_MFA, ACR_PHISHING_RESISTANT_MFA]),
    );
  }
  return access;
}

/**
 * The enabled policies that require MFA (or a strength) of this user for the Management API
 * with a password only: who removes their last method must register one at their next sign-in.
 */
export function policiesRequiringMfa(access: SecurityInfoAccess): string[] {
  const decision = decide(access.tenant, {
    ...access.request,
    signInContext: { "@odata.type": "#microsoft.graph.applicationContext", includeApplications: [GATEHOUSE_MANAGEMENT_API_APP_ID] },
    satisfied: { ...access.request.satisfied, authenticationMethods: ["password"] },
  });
  if (decision.outcome !== "challenge") return [];
  return [...new Set(decision.requiredControls.filter((c) => MFA_LIKE.has(c.control)).flatMap((c) => c.policyIds))];
}
