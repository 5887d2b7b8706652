/**
 * The interactive sign-in (oidc-provider's interaction, at /signin/:uid) for the authorization
 * code flow and the device code flow (R2, R30, R37, R40):
 *
 * 1. The password (argon2id), throttled per account and per IP address (sign-in-throttle.ts).
 * 2. Conditional Access with the request's real context (request-context.ts): the resource,
 *    the client app type (`browser`; `mobileAppsAndDesktopClients` for native clients and the
 *    device code flow, whose transfer method is `deviceCodeFlow`), the device platform, the
 *    IP address and its country, the methods used so far. Every evaluation is one sign-in
 *    record; report-only policies are in it but never prompt nor block (R39: the engine's
 *    decision only counts enabled policies).
 * 3. `grant` completes the interaction with `amr` and `acr` (assurance.ts). `block` shows the
 *    AADSTS code and the correlation id; the user goes back to the application with
 *    `access_denied`. `challenge`: the first required step (R40 order) must be MFA or an
 *    authentication strength (anything else can't be done here: refused, fail closed). When
 *    the user has a registered method that helps (the engine, asked what-if with the method
 *    added, needs less), the TOTP / passkey page; after it, evaluated again (a second record,
 *    as in Entra). Otherwise registration of security info, itself evaluated as the user
 *    action `urn:user:registersecurityinfo` (it may be blocked or need MFA, with R37's
 *    registration precedence applied by the engine); a method registered now counts as used.
 *
 * The state of the sign-in (who, the methods used, the current step, WebAuthn challenges, a
 * TOTP secret being registered, encrypted) lives in the interaction, server-side, under
 * `result.gatehouse` until the interaction is finished. Every form carries an anti-CSRF
 * token bound to the interaction; the interaction cookie is oidc-provider's (httpOnly,
 * SameSite=Lax, Secure over https); the only redirects are oidc-provider's return URLs.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { type CompiledTenant, type Decision, decide, type WhatIfRequest } from "@gatehouse/engine";
import {
  decryptSecret,
  encryptSecret,
  ensureSecretKey,
  finishTotpRegistration,
  methodsForSession,
  passkeyAuthenticationOptions,
  passkeyRegistrationOptions,
  type SignInMethod,
  startTotpRegistration,
  verifyPasskeyAuthentication,
  verifyPasskeyRegistration,
  verifyTotp,
} from "@gatehouse/mfa";
import type { AuthenticationMethodRecord, UserRecord } from "@gatehouse/store";
import { hash as argon2Hash, verify } from "@node-rs/argon2";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type Provider from "oidc-provider";
import type { InteractionResults } from "oidc-provider";
import { ACR_PHISHING_RESISTANT_MFA, assuranceOf, type PasskeyBinding, reachesAcr, requestedAcr } from "./assurance.js";
import { type RequestContext, requestContext, type TrustedProxies } from "./request-context.js";
import { defaultScopeResources, defaultScopesOf, findResource, type Resource, resourceIndicatorFor } from "./resources.js";
import {
  blockedPage,
  loginPage,
  messagePage,
  PAGE_SECURITY_HEADERS,
  registerChoicePage,
  registerPasskeyPage,
  registerTotpPage,
  SIGN_IN_PATH,
  verifyPage,
  WEBAUTHN_SCRIPT,
  WEBAUTHN_SCRIPT_PATH,
} from "./sign-in-pages.js";
import { type AttemptGate, type AttemptSubject, createSignInThrottle, isEmergencyAccessAccount } from "./sign-in-throttle.js";
import {
  appendFirstFactorFailure,
  evaluateUserSignIn,
  FIRST_FACTOR_ERRORS,
  REGISTER_SECURITY_INFO,
  type UserSignInTarget,
  type UserVerdict,
  type WorkloadAccessDeps,
} from "./workload-access.js";

export { SIGN_IN_PATH } from "./sign-in-pages.js";

export interface UserSignInDeps extends WorkloadAccessDeps {
  /** The provider of the current signing key (it changes after a key rotation). */
  provider: () => Provider;
  /** The issuer: its origin is the WebAuthn origin, its host the relying party id. */
  issuer: string;
  /** Secret for the anti-CSRF tokens. */
  formKey: string;
  trustedProxies: TrustedProxies;
  correlationId: (request: FastifyRequest) => string;
  report: (message: string, error: unknown) => void;
}

// offline_access: the CLI (device code, gatehouse login) asks for a refresh token; every refresh re-runs Conditional Access (refresh-access.ts).
const OIDC_SCOPES = new Set(["openid", "profile", "email", "offline_access"]);
const MFA_LIKE = new Set(["mfa", "authenticationStrength"]);

type Offer = "totp" | "passkey";

type Step =
  | { kind: "verify"; offer: Offer[]; reason: string; challenge?: string }
  | { kind: "register"; offer: Offer[]; reason: string; totpSecret?: string; challenge?: string }
  | { kind: "blocked"; errorCode: number; message: string; error: "access_denied" | "temporarily_unavailable" };

/** The sign-in's state, kept in the interaction (`result.gatehouse`). */
interface FlowState {
  v: 1;
  userId: string;
  correlationId: string;
  methods: SignInMethod[];
  passkeyBinding?: PasskeyBinding;
  step: Step | null;
}

type Interaction = Awaited<ReturnType<Provider["interactionDetails"]>>;

const isOffer = (v: unknown): v is Offer => v === "totp" || v === "passkey";
const isMethod = (v: unknown): v is SignInMethod => v === "password" || v === "totp" || v === "passkey";

/** The state as stored, or null when it is not ours or malformed (then the sign-in starts again). */
function stateOf(interaction: Interaction): FlowState | null {
  const raw = (interaction.result as { gatehouse?: unknown } | undefined)?.gatehouse as Partial<FlowState> | undefined;
  if (raw === undefined || raw === null || raw.v !== 1 || typeof raw.userId !== "string" || typeof raw.correlationId !== "string")
    return null;
  if (!Array.isArray(raw.methods) || !raw.methods.every(isMethod)) return null;
  const step = raw.step ?? null;
  if (step !== null) {
    if (step.kind === "verify" || step.kind === "register") {
      if (!Array.isArray(step.offer) || !step.offer.every(isOffer)) return null;
    } else if (step.kind !== "blocked") return null;
  }
  return {
    v: 1,
    userId: raw.userId,
    correlationId: raw.correlationId,
    methods: raw.methods,
    step,
    ...(raw.passkeyBinding ? { passkeyBinding: raw.passkeyBinding } : {}),
  };
}

async function saveState(interaction: Interaction, state: FlowState): Promise<void> {
  interaction.result = { gatehouse: state } as unknown as InteractionResults;
  const ttl = Math.max(1, (interaction.exp ?? 0) - Math.floor(Date.now() / 1000));
  await interaction.save(ttl);
}

const mfaSteps = (decision: Decision): number => decision.requiredControls.filter((c) => MFA_LIKE.has(c.control)).length;

/**
 * The candidate methods that would help: asked of the engine (`decide`, enabled policies
 * only, no record), with each method added to those used. A method helps when the decision
 * becomes `grant` or needs fewer MFA-like steps (e.g. a passkey for phishing-resistant MFA;
 * TOTP does not help there).
 */
function helpfulMethods(
  tenant: CompiledTenant,
  request: WhatIfRequest,
  decision: Decision,
  candidates: readonly Offer[],
  used: readonly SignInMethod[],
): Offer[] {
  const before = mfaSteps(decision);
  return candidates.filter((candidate) => {
    if (used.includes(candidate)) return false;
    const next = decide(tenant, {
      ...request,
      satisfied: { ...request.satisfied, authenticationMethods: methodsForSession([...used, candidate]) },
    });
    return next.outcome === "grant" || (next.outcome === "challenge" && mfaSteps(next) < before);
  });
}

/**
 * True when the registration's requirements are all MFA-like and none comes from a policy that
 * names the registration user action (R22, R37).
 */
function isProofUp(tenant: CompiledTenant, decision: Decision): boolean {
  if (decision.outcome !== "challenge" || decision.requiredControls.length === 0) return false;
  const explicit = new Set(tenant.policies.filter((p) => p.explicitRegistration).map((p) => String(p.policy.id ?? "").toLowerCase()));
  return decision.requiredControls.every(
    (c) => MFA_LIKE.has(c.control) && c.policyIds.every((id) => !explicit.has(String(id).toLowerCase())),
  );
}

function offersOf(methods: readonly AuthenticationMethodRecord[]): Offer[] {
  const offers: Offer[] = [];
  if (methods.some((m) => m.methodType === "fido2")) offers.push("passkey");
  if (methods.some((m) => m.methodType === "softwareOath")) offers.push("totp");
  return offers;
}

/**
 * Registration by a user who already has a method but has used none in this sign-in: the
 * verification step with the methods they have (any of them), as Entra asks for MFA before
 * security info changes. Null when they have none, or have already proved one.
 */
function existingMethodFirst(registered: readonly AuthenticationMethodRecord[], state: FlowState): Step | null {
  if (state.methods.some((m) => m !== "password")) return null;
  const offer = offersOf(registered);
  if (offer.length === 0) return null;
  return { kind: "verify", offer, reason: "Verify your identity with a method you already have before you register a new one." };
}

/** What is required, in words, for the pages. */
function requirementText(decision: Decision): string {
  const first = decision.requiredControls[0];
  if (first?.control === "authenticationStrength" && "authenticationStrength" in first) {
    const strength = first.authenticationStrength as { displayName?: string };
    return `Your organization requires ${strength.displayName ?? "a stronger authentication method"} for this sign-in.`;
  }
  return "Your organization requires multifactor authentication for this sign-in.";
}

export function registerUserSignIn(app: FastifyInstance, deps: UserSignInDeps): void {
  const { store } = deps;
  const provider = (): Provider => deps.provider();
  const issuerUrl = new URL(deps.issuer);
  const rpId = issuerUrl.hostname;
  const expectedOrigin = issuerUrl.origin;
  const throttle = createSignInThrottle(store, deps.now);
  // Counters idle for a day are forgotten: remove them hourly (every node may; it is idempotent).
  const purge = setInterval(() => {
    store.signInThrottle
      .purgeExpired()
      .catch((error: unknown) => deps.report("expired sign-in throttle counters could not be purged", error));
  }, 3_600_000);
  purge.unref();
  app.addHook("onClose", async () => clearInterval(purge));
  // An argon2id hash of a random password (the server's parameters), verified against when the
  // account does not exist or has no password, so the answer's timing does not tell.
  const dummyHash = argon2Hash(randomBytes(24).toString("base64url"), { memoryCost: 19_456, timeCost: 2, parallelism: 1 });
  const csrfFor = (uid: string): string => createHmac("sha256", deps.formKey).update(`signin:${uid}`).digest("base64url");
  const csrfMatches = (uid: string, given: unknown): boolean => {
    if (typeof given !== "string") return false;
    const expected = Buffer.from(csrfFor(uid));
    const actual = Buffer.from(given);
    return actual.length === expected.length && timingSafeEqual(actual, expected);
  };
  let secretKey: Promise<Uint8Array> | null = null;
  const mfaKey = (): Promise<Uint8Array> => {
    secretKey ??= ensureSecretKey(store).catch((error: unknown) => {
      secretKey = null;
      throw error;
    });
    return secretKey;
  };

  const sendPage = (reply: FastifyReply, status: number, html: string) =>
    reply.code(status).headers(PAGE_SECURITY_HEADERS).type("text/html; charset=utf-8").send(html);

  const expired = (reply: FastifyReply) =>
    sendPage(
      reply,
      400,
      messagePage("Sign-in expired", "This sign-in has expired or was opened in another browser. Start again from the application."),
    );

  async function details(request: FastifyRequest, reply: FastifyReply): Promise<Interaction | null> {
    try {
      const interaction = await provider().interactionDetails(request.raw, reply.raw);
      const uid = (request.params as { uid?: string }).uid;
      if (interaction.uid !== uid) return null;
      return interaction;
    } catch {
      return null;
    }
  }

  /** Everything one request of the sign-in works with. */
  interface Flow {
    request: FastifyRequest;
    reply: FastifyReply;
    interaction: Interaction;
    csrf: string;
    context: RequestContext;
    clientAppType: "browser" | "mobileAppsAndDesktopClients";
    transferMethod: "deviceCodeFlow" | "none";
    client: Resource | null;
    resource: Resource | null;
    indicator: string | undefined;
  }

  async function flowOf(request: FastifyRequest, reply: FastifyReply, interaction: Interaction): Promise<Flow> {
    const params = interaction.params as Record<string, unknown>;
    const clientId = String(params.client_id ?? "");
    const requested = typeof params.resource === "string" ? params.resource : undefined;
    const named = defaultScopeResources(params.scope);
    const indicator = requested ?? (named[0] !== undefined ? resourceIndicatorFor(named[0]) : undefined);
    const [resource, client, oidcClient] = await Promise.all([
      findResource(store, indicator ?? clientId).catch(() => null),
      findResource(store, clientId).catch(() => null),
      provider()
        .Client.find(clientId)
        .catch(() => undefined),
    ]);
    const deviceFlow = interaction.deviceCode !== undefined;
    // R30 and the client app types: the device code flow and native (public desktop / mobile)
    // clients are desktop clients; a web flow is a browser's.
    const native = deviceFlow || oidcClient?.applicationType === "native";
    return {
      request,
      reply,
      interaction,
      csrf: csrfFor(interaction.uid),
      context: requestContext(request.raw, { trustedProxies: deps.trustedProxies, lookupCountry: deps.lookupCountry }),
      clientAppType: native ? "mobileAppsAndDesktopClients" : "browser",
      transferMethod: deviceFlow ? "deviceCodeFlow" : "none",
      client,
      resource,
      indicator,
    };
  }

  const finish = async (flow: Flow, result: InteractionResults) => {
    const url = await provider().interactionResult(flow.request.raw, flow.reply.raw, result, { mergeWithLastSubmission: false });
    return flow.reply.code(303).header("cache-control", "no-store").redirect(url, 303);
  };

  const subjectOf = async (flow: Flow, user: UserRecord | null): Promise<AttemptSubject> => ({
    userId: user?.id ?? null,
    emergencyAccess: user === null ? false : await isEmergencyAccessAccount(store, user.id),
    ipAddress: flow.context.ipAddress,
  });

  async function evaluate(flow: Flow, state: FlowState, user: UserRecord, target: UserSignInTarget): Promise<UserVerdict> {
    const client = flow.client as Resource;
    return evaluateUserSignIn(deps, {
      user: { id: user.id, userPrincipalName: user.userPrincipalName, displayName: user.displayName },
      client: { appId: client.application.appId, displayName: client.application.displayName },
      target,
      context: flow.context,
      correlationId: state.correlationId,
      authenticationMethods: methodsForSession(state.methods),
      clientAppType: flow.clientAppType,
      transferMethod: flow.transferMethod,
    });
  }

  const blocked = (errorCode: number, message: string, error: "access_denied" | "temporarily_unavailable" = "access_denied"): Step => ({
    kind: "blocked",
    errorCode,
    message,
    error,
  });

  /** Evaluates the resource with the methods used so far and moves to the next step. */
  async function advance(flow: Flow, state: FlowState, user: UserRecord) {
    const resource = flow.resource as Resource;
    const verdict = await evaluate(flow, state, user, { resource });
    let step: Step;
    if (verdict.outcome === "unavailable") {
      deps.report("sign-in refused: Conditional Access could not be evaluated", verdict.cause);
      step = blocked(90033, "Conditional Access cannot be evaluated right now. Try again later.", "temporarily_unavailable");
    } else if (verdict.outcome === "grant") {
      const wanted = requestedAcr((flow.interaction.params as Record<string, unknown>).acr_values);
      if (wanted === null || reachesAcr(state.methods, wanted, state.passkeyBinding)) return complete(flow, state, user, resource);
      // Step-up asked by the application (acr_values, e.g. after a Management API claims
      // challenge): Conditional Access allows the sign-in, the application wants more.
      step = await stepUpStep(flow, state, user, wanted);
    } else if (verdict.outcome === "block") {
      step = blocked(verdict.errorCode, verdict.failureReason);
    } else {
      step = await challengeStep(flow, state, user, verdict);
    }
    state.step = step;
    await saveState(flow.interaction, state);
    return render(flow, state);
  }

  async function challengeStep(
    flow: Flow,
    state: FlowState,
    user: UserRecord,
    verdict: Extract<UserVerdict, { decision: Decision }>,
  ): Promise<Step> {
    const first = verdict.decision.requiredControls[0];
    if (first === undefined || !MFA_LIKE.has(first.control)) {
      // R40: the first step is one this service cannot run (device compliance, terms of use...).
      return blocked(verdict.errorCode, `${verdict.failureReason} This sign-in service cannot satisfy this requirement.`);
    }
    const registered = await store.authenticationMethods.listForUser(user.id);
    const usable = helpfulMethods(verdict.tenant, verdict.request, verdict.decision, offersOf(registered), state.methods);
    if (usable.length > 0) return { kind: "verify", offer: usable, reason: requirementText(verdict.decision) };

    // No suitable method: registration first, if policy allows it (R22, R37).
    const registration = await evaluate(flow, state, user, { userAction: REGISTER_SECURITY_INFO });
    if (registration.outcome === "unavailable") {
      deps.report("sign-in refused: Conditional Access could not be evaluated for security info registration", registration.cause);
      return blocked(90033, "Conditional Access cannot be evaluated right now. Try again later.", "temporarily_unavailable");
    }
    if (registration.outcome === "block") {
      return blocked(registration.errorCode, `${registration.failureReason} Registering security info is not allowed for this sign-in.`);
    }
    // A user who already has a method proves it before adding another: a password alone never
    // registers a method on an account that has one (what a password thief would do).
    const proveFirst = existingMethodFirst(registered, state);
    if (registration.outcome === "grant") {
      if (proveFirst !== null) return proveFirst;
      const offer = helpfulMethods(verdict.tenant, verdict.request, verdict.decision, ["passkey", "totp"], state.methods);
      if (offer.length === 0) {
        return blocked(
          verdict.errorCode,
          `${verdict.failureReason} None of the methods this service can register satisfies the requirement.`,
        );
      }
      return { kind: "register", offer, reason: requirementText(verdict.decision) };
    }
    const firstForRegistration = registration.decision.requiredControls[0];
    const usableForRegistration =
      firstForRegistration !== undefined && MFA_LIKE.has(firstForRegistration.control)
        ? helpfulMethods(registration.tenant, registration.request, registration.decision, offersOf(registered), state.methods)
        : [];
    if (usableForRegistration.length > 0) {
      return {
        kind: "verify",
        offer: usableForRegistration,
        reason: "Verify your identity before you register a new sign-in method.",
      };
    }
    if (isProofUp(registration.tenant, registration.decision)) {
      // Proof-up: what registration needs comes only from policies that cover it through their
      // resources (e.g. All resources), not from a policy on the registration action itself; a
      // user who has no method to satisfy it registers one now, as Entra's MFA registration
      // interrupt does. A policy naming `urn:user:registersecurityinfo` is never skipped so.
      if (proveFirst !== null) return proveFirst;
      const offer = helpfulMethods(verdict.tenant, verdict.request, verdict.decision, ["passkey", "totp"], state.methods);
      if (offer.length > 0) return { kind: "register", offer, reason: requirementText(verdict.decision) };
    }
    return blocked(
      registration.errorCode,
      `${registration.failureReason} Registering security info requires a step you cannot complete here; ask an administrator for help.`,
    );
  }

  /**
   * The step toward the assurance the application asked for (`acr_values`): a registered
   * method that reaches it, else registration (itself evaluated as the registration user
   * action, R22), else a refusal. Like a policy's challenge, a password alone never adds a
   * method to an account that has one.
   */
  async function stepUpStep(flow: Flow, state: FlowState, user: UserRecord, wanted: string): Promise<Step> {
    const reason =
      wanted === ACR_PHISHING_RESISTANT_MFA
        ? "The application asks for phishing-resistant multifactor authentication (a passkey) for this sign-in."
        : "The application asks for multifactor authentication for this sign-in.";
    const reaching = (offers: readonly Offer[]): Offer[] =>
      offers.filter((offer) => !state.methods.includes(offer) && reachesAcr([...state.methods, offer], wanted, state.passkeyBinding));
    const registered = await store.authenticationMethods.listForUser(user.id);
    const usable = reaching(offersOf(registered));
    if (usable.length > 0) return { kind: "verify", offer: usable, reason };
    const registration = await evaluate(flow, state, user, { userAction: REGISTER_SECURITY_INFO });
    if (registration.outcome === "unavailable") {
      deps.report("sign-in refused: Conditional Access could not be evaluated for security info registration", registration.cause);
      return blocked(90033, "Conditional Access cannot be evaluated right now. Try again later.", "temporarily_unavailable");
    }
    if (registration.outcome === "block") {
      return blocked(registration.errorCode, `${registration.failureReason} Registering security info is not allowed for this sign-in.`);
    }
    const proveFirst = existingMethodFirst(registered, state);
    if (registration.outcome === "grant" || isProofUp(registration.tenant, registration.decision)) {
      if (proveFirst !== null) return proveFirst;
      const offer = reaching(["passkey", "totp"]);
      if (offer.length > 0) return { kind: "register", offer, reason };
    } else if (proveFirst !== null) {
      return proveFirst;
    }
    return blocked(50076, `${reason} It cannot be completed with the methods this account can use here.`);
  }

  async function complete(flow: Flow, state: FlowState, user: UserRecord, resource: Resource) {
    const params = flow.interaction.params as Record<string, unknown>;
    const clientId = String(params.client_id ?? "");
    const grant = new (provider().Grant)({ accountId: user.id, clientId });
    const oidcScopes = String(params.scope ?? "")
      .split(" ")
      .filter((s) => OIDC_SCOPES.has(s));
    if (oidcScopes.length > 0) grant.addOIDCScope(oidcScopes.join(" "));
    if (flow.indicator !== undefined) grant.addResourceScope(flow.indicator, defaultScopesOf(flow.indicator, resource));
    const grantId = await grant.save();
    const { amr, acr } = assuranceOf(state.methods, state.passkeyBinding);
    // amr/acr travel from the login result to the code or device code, then to every token
    // and refresh token (assurance.ts says how a refresh reads them back).
    return finish(flow, { login: { accountId: user.id, amr, acr, remember: false }, consent: { grantId } });
  }

  /** The page of the current step (a passkey step gets a fresh challenge). */
  async function render(flow: Flow, state: FlowState, message: string | null = null, status = 200) {
    const { interaction, csrf, reply } = flow;
    const step = state.step;
    if (step === null) return sendPage(reply, status, loginPage(interaction.uid, csrf, message));
    if (step.kind === "blocked") {
      return sendPage(
        reply,
        200,
        blockedPage(interaction.uid, csrf, { errorCode: step.errorCode, message: step.message, correlationId: state.correlationId }),
      );
    }
    if (step.kind === "register") {
      return sendPage(
        reply,
        status,
        registerChoicePage(
          interaction.uid,
          csrf,
          { totp: step.offer.includes("totp"), passkey: step.offer.includes("passkey") },
          message ?? step.reason,
        ),
      );
    }
    let passkeyOptions: unknown | null = null;
    if (step.offer.includes("passkey")) {
      const passkeys = (await store.authenticationMethods.listForUser(state.userId)).filter((m) => m.methodType === "fido2");
      const options = await passkeyAuthenticationOptions({ rpId, allowCredentials: passkeys });
      step.challenge = options.challenge;
      await saveState(interaction, state);
      passkeyOptions = options;
    }
    return sendPage(
      reply,
      status,
      verifyPage(interaction.uid, csrf, { totp: step.offer.includes("totp"), passkeyOptions }, message, step.reason),
    );
  }

  /** The request's interaction, its state and user, after the CSRF check (POST). */
  async function begin(request: FastifyRequest, reply: FastifyReply, options: { post: boolean }) {
    const interaction = await details(request, reply);
    if (interaction === null) {
      expired(reply);
      return null;
    }
    if (options.post) {
      const fields = request.body instanceof URLSearchParams ? request.body : new URLSearchParams();
      if (!csrfMatches(interaction.uid, fields.get("csrf"))) {
        sendPage(
          reply,
          403,
          messagePage("Sign-in refused", "The form was not sent from this sign-in page. Start again from the application."),
        );
        return null;
      }
    }
    const flow = await flowOf(request, reply, interaction);
    if (flow.resource === null || flow.client === null) {
      await finish(flow, { error: "invalid_target", error_description: "the requested resource or the client is not in this tenant" });
      return null;
    }
    return { flow, fields: request.body instanceof URLSearchParams ? request.body : new URLSearchParams() };
  }

  /** The signed-in user of a flow in progress (still enabled), or null (then: expired). */
  async function userOf(state: FlowState | null): Promise<UserRecord | null> {
    if (state === null) return null;
    const user = await store.users.get(state.userId);
    return user?.accountEnabled ? user : null;
  }

  const failureFacts = (flow: Flow, state: FlowState | null, user: UserRecord | null, typedUserName: string, methods: string[]) => ({
    user: user === null ? null : { id: user.id, userPrincipalName: user.userPrincipalName, displayName: user.displayName },
    typedUserName,
    client: { appId: (flow.client as Resource).application.appId, displayName: (flow.client as Resource).application.displayName },
    resource: { appId: (flow.resource as Resource).application.appId, displayName: (flow.resource as Resource).application.displayName },
    context: flow.context,
    correlationId: state?.correlationId ?? deps.correlationId(flow.request),
    clientAppType: flow.clientAppType,
    transferMethod: flow.transferMethod,
    authenticationMethods: methods,
  });

  const lockedMessage = (scope: string | undefined) =>
    scope === "ip"
      ? "Too many failed sign-ins came from your network. Try again later."
      : "Your account is temporarily locked to prevent unauthorized use. Try again later.";

  void app.register(async (scope) => {
    scope.addContentTypeParser("application/x-www-form-urlencoded", { parseAs: "string", bodyLimit: 65_536 }, (_request, body, done) => {
      done(null, new URLSearchParams(String(body)));
    });

    scope.get(WEBAUTHN_SCRIPT_PATH, async (_request, reply) =>
      reply
        .headers({ "cache-control": "no-cache", "x-content-type-options": "nosniff" })
        .type("text/javascript; charset=utf-8")
        .send(WEBAUTHN_SCRIPT),
    );

    scope.get(`${SIGN_IN_PATH}/:uid`, async (request, reply) => {
      const begun = await begin(request, reply, { post: false });
      if (begun === null) return reply;
      const { flow } = begun;
      const state = stateOf(flow.interaction);
      if (state === null) {
        if (flow.interaction.prompt.name !== "login" && flow.interaction.prompt.name !== "consent") return expired(reply);
        return sendPage(reply, 200, loginPage(flow.interaction.uid, flow.csrf, null));
      }
      if ((await userOf(state)) === null) return expired(reply);
      return render(flow, state);
    });

    scope.post(`${SIGN_IN_PATH}/:uid/login`, async (request, reply) => {
      const begun = await begin(request, reply, { post: true });
      if (begun === null) return reply;
      const { flow, fields } = begun;
      if (stateOf(flow.interaction) !== null) return expired(reply);
      const username = (fields.get("username") ?? "").trim().slice(0, 256);
      const password = fields.get("password") ?? "";
      const correlationId = deps.correlationId(request);
      let user: UserRecord | null = null;
      let subject: AttemptSubject;
      let lock: AttemptGate | null = null;
      try {
        user = username === "" ? null : await store.users.getByUserPrincipalName(username);
        subject = await subjectOf(flow, user);
        // A name that is no account is counted (and locked) like one: a lockout must not tell
        // which names exist.
        if (user === null && username !== "") subject = { ...subject, userId: `unknown:${username.toLowerCase()}` };
        // One attempt at a time per account: a burst of simultaneous guesses is counted in full.
        lock = await throttle.enter("password", subject);
        if (lock.locked) {
          // Not even checked: while locked, the right password is refused too (no oracle).
          await appendFirstFactorFailure(deps, {
            ...failureFacts(flow, null, user, username, []),
            correlationId,
            error: FIRST_FACTOR_ERRORS.locked,
            additionalDetails:
              lock.scope === "ip" ? "Too many failed sign-ins from this IP address." : "The account is locked (smart lockout).",
          });
          return sendPage(
            reply,
            429,
            loginPage(
              flow.interaction.uid,
              flow.csrf,
              `${lockedMessage(lock.scope)} (AADSTS50053, correlation ID ${correlationId})`,
              username,
            ),
          );
        }
        const hash = user === null ? null : await store.users.getPasswordHash(user.id);
        const passwordOk = (await verify(hash ?? (await dummyHash), password).catch(() => false)) && hash !== null && password !== "";
        if (user === null || !passwordOk || !user.accountEnabled) {
          const error =
            user === null
              ? FIRST_FACTOR_ERRORS.unknownUser
              : !passwordOk
                ? FIRST_FACTOR_ERRORS.invalidPassword
                : FIRST_FACTOR_ERRORS.disabled;
          const after = await throttle.fail("password", subject);
          await appendFirstFactorFailure(deps, {
            ...failureFacts(flow, null, user, username, user === null ? [] : ["Password"]),
            correlationId,
            error,
            ...(after.locked ? { additionalDetails: "This failure locked the sign-in (smart lockout)." } : {}),
          });
          return sendPage(reply, 200, loginPage(flow.interaction.uid, flow.csrf, "Your account or password is incorrect.", username));
        }
        await throttle.succeed("password", subject);
      } catch (error) {
        deps.report("sign-in refused: the directory could not be read", error);
        return sendPage(reply, 503, messagePage("Sign-in unavailable", `Try again later. Correlation ID: ${correlationId}`));
      } finally {
        lock?.release();
      }
      const state: FlowState = { v: 1, userId: user.id, correlationId, methods: ["password"], step: null };
      return advance(flow, state, user);
    });

    /** A second-factor POST: the flow, its state and user, when the step allows `method`. */
    async function secondFactor<K extends "verify" | "register">(request: FastifyRequest, reply: FastifyReply, kind: K, method: Offer) {
      const begun = await begin(request, reply, { post: true });
      if (begun === null) return null;
      const state = stateOf(begun.flow.interaction);
      const user = await userOf(state);
      if (state === null || user === null) {
        expired(reply);
        return null;
      }
      const step = state.step;
      if (step === null || step.kind !== kind || !step.offer.includes(method)) {
        await render(begun.flow, state, "That step is not available now.", 409);
        return null;
      }
      return { ...begun, state, user, step: step as Extract<Step, { kind: K }> };
    }

    scope.post(`${SIGN_IN_PATH}/:uid/totp`, async (request, reply) => {
      const ctx = await secondFactor(request, reply, "verify", "totp");
      if (ctx === null) return reply;
      const { flow, fields, state, user } = ctx;
      let lock: AttemptGate | null = null;
      try {
        const subject = await subjectOf(flow, user);
        lock = await throttle.enter("code", subject);
        if (lock.locked) {
          await appendFirstFactorFailure(deps, {
            ...failureFacts(flow, state, user, user.userPrincipalName, ["Password"]),
            error: FIRST_FACTOR_ERRORS.locked,
            additionalDetails: "Too many wrong verification codes.",
          });
          return render(flow, state, `Too many wrong codes. Try again later (AADSTS50053, correlation ID ${state.correlationId}).`, 429);
        }
        const result = await verifyTotp(store, await mfaKey(), { userId: user.id, code: fields.get("code") ?? "", now: deps.now() });
        if (!result.ok) {
          await throttle.fail("code", subject);
          await appendFirstFactorFailure(deps, {
            ...failureFacts(flow, state, user, user.userPrincipalName, ["Password", "App Verification code"]),
            error: FIRST_FACTOR_ERRORS.invalidCode,
            additionalDetails: result.reason === "replayed" ? "The code was already used (replay refused)." : "Wrong verification code.",
          });
          return render(
            flow,
            state,
            result.reason === "replayed" ? "That code was already used. Wait for the next one." : "That code is not right. Try again.",
          );
        }
        await throttle.succeed("code", subject);
      } catch (error) {
        deps.report("sign-in refused: the code could not be checked", error);
        return sendPage(reply, 503, messagePage("Sign-in unavailable", `Try again later. Correlation ID: ${state.correlationId}`));
      } finally {
        lock?.release();
      }
      if (!state.methods.includes("totp")) state.methods.push("totp");
      state.step = null;
      return advance(flow, state, user);
    });

    scope.post(`${SIGN_IN_PATH}/:uid/passkey`, async (request, reply) => {
      const ctx = await secondFactor(request, reply, "verify", "passkey");
      if (ctx === null) return reply;
      const { flow, fields, state, user, step } = ctx;
      const answer = await takePasskeyAnswer(flow.interaction, state, step, fields);
      if (answer === null) {
        return render(flow, state, "The passkey answer was missing. Try again.");
      }
      const result = await verifyPasskeyAuthentication(store, {
        response: answer.response as Parameters<typeof verifyPasskeyAuthentication>[1]["response"],
        expectedChallenge: answer.challenge,
        expectedOrigin,
        expectedRPID: rpId,
        expectedUserId: user.id,
      }).catch((error: unknown) => ({ ok: false as const, reason: "verificationFailed" as const, message: String(error) }));
      if (!result.ok) {
        deps.report(`passkey refused (${result.reason})`, new Error(result.message));
        await appendFirstFactorFailure(deps, {
          ...failureFacts(flow, state, user, user.userPrincipalName, ["Password", "FIDO"]),
          error: FIRST_FACTOR_ERRORS.invalidCode,
          additionalDetails: `Passkey refused: ${result.reason}.`,
        });
        return render(flow, state, "The passkey could not be verified. Try again.");
      }
      const method = (await store.authenticationMethods.listForUser(user.id)).find((m) => m.id === result.methodId);
      if (!state.methods.includes("passkey")) state.methods.push("passkey");
      state.passkeyBinding = method?.deviceType === "multiDevice" ? "swk" : "hwk";
      state.step = null;
      return advance(flow, state, user);
    });

    scope.post(`${SIGN_IN_PATH}/:uid/register/totp/start`, async (request, reply) => {
      const ctx = await secondFactor(request, reply, "register", "totp");
      if (ctx === null) return reply;
      const { flow, state, user, step } = ctx;
      const settings = await store.tenant.get();
      const started = startTotpRegistration({ accountName: user.userPrincipalName, issuer: settings?.displayName || "Gatehouse" });
      step.totpSecret = encryptSecret(started.secret, await mfaKey());
      await saveState(flow.interaction, state);
      return sendPage(reply, 200, registerTotpPage(flow.interaction.uid, flow.csrf, started.secret, started.otpauthUri, null));
    });

    scope.post(`${SIGN_IN_PATH}/:uid/register/totp`, async (request, reply) => {
      const ctx = await secondFactor(request, reply, "register", "totp");
      if (ctx === null) return reply;
      const { flow, fields, state, user, step } = ctx;
      if (step.totpSecret === undefined) return render(flow, state, "Start the authenticator app set-up again.");
      const key = await mfaKey();
      const secret = decryptSecret(step.totpSecret, key);
      const subject = await subjectOf(flow, user);
      const lock = await throttle.enter("code", subject);
      try {
        if (lock.locked) return render(flow, state, "Too many wrong codes. Try again later.", 429);
        const result = await finishTotpRegistration(store, key, {
          userId: user.id,
          secret,
          code: fields.get("code") ?? "",
          displayName: "Authenticator app",
          now: deps.now(),
        });
        if (!result.ok) {
          await throttle.fail("code", subject);
          const settings = await store.tenant.get();
          const uri = startTotpUri(user.userPrincipalName, settings?.displayName || "Gatehouse", secret);
          return sendPage(reply, 200, registerTotpPage(flow.interaction.uid, flow.csrf, secret, uri, "That code is not right. Try again."));
        }
        await throttle.succeed("code", subject);
      } finally {
        lock.release();
      }
      // A method registered now counts as used in this sign-in.
      if (!state.methods.includes("totp")) state.methods.push("totp");
      state.step = null;
      return advance(flow, state, user);
    });

    scope.post(`${SIGN_IN_PATH}/:uid/register/passkey/start`, async (request, reply) => {
      const ctx = await secondFactor(request, reply, "register", "passkey");
      if (ctx === null) return reply;
      const { flow, state, user, step } = ctx;
      const existing = (await store.authenticationMethods.listForUser(user.id)).filter((m) => m.methodType === "fido2");
      const settings = await store.tenant.get();
      const options = await passkeyRegistrationOptions({
        rpId,
        rpName: settings?.displayName || "Gatehouse",
        user: { id: user.id, name: user.userPrincipalName, displayName: user.displayName },
        existingCredentials: existing,
      });
      step.challenge = options.challenge;
      await saveState(flow.interaction, state);
      return sendPage(reply, 200, registerPasskeyPage(flow.interaction.uid, flow.csrf, options, null));
    });

    scope.post(`${SIGN_IN_PATH}/:uid/register/passkey`, async (request, reply) => {
      const ctx = await secondFactor(request, reply, "register", "passkey");
      if (ctx === null) return reply;
      const { flow, fields, state, user, step } = ctx;
      const answer = await takePasskeyAnswer(flow.interaction, state, step, fields);
      if (answer === null) {
        return render(flow, state, "The passkey answer was missing. Start the passkey set-up again.");
      }
      const result = await verifyPasskeyRegistration(store, {
        userId: user.id,
        response: answer.response as Parameters<typeof verifyPasskeyRegistration>[1]["response"],
        expectedChallenge: answer.challenge,
        expectedOrigin,
        expectedRPID: rpId,
        displayName: "Passkey",
      }).catch((error: unknown) => ({ ok: false as const, reason: "verificationFailed" as const, message: String(error) }));
      if (!result.ok) {
        deps.report(`passkey registration refused (${result.reason})`, new Error(result.message));
        return render(flow, state, "The passkey could not be registered. Start the passkey set-up again.");
      }
      if (!state.methods.includes("passkey")) state.methods.push("passkey");
      state.passkeyBinding = result.method.deviceType === "multiDevice" ? "swk" : "hwk";
      state.step = null;
      return advance(flow, state, user);
    });

    scope.post(`${SIGN_IN_PATH}/:uid/continue`, async (request, reply) => {
      const begun = await begin(request, reply, { post: true });
      if (begun === null) return reply;
      const state = stateOf(begun.flow.interaction);
      if (state === null || state.step?.kind !== "blocked") return expired(reply);
      return finish(begun.flow, {
        error: state.step.error,
        error_description: `AADSTS${state.step.errorCode}: ${state.step.message} Correlation ID: ${state.correlationId}`,
      });
    });
  });
}

/** The otpauth URI of a secret being registered (shown again after a wrong first code). */
function startTotpUri(accountName: string, issuer: string, secret: string): string {
  const label = encodeURIComponent(`${issuer}:${accountName}`);
  return `otpauth://totp/${label}?secret=${secret}&issuer=${encodeURIComponent(issuer)}&algorithm=SHA1&digits=6&period=30`;
}

/**
 * A passkey POST's challenge and the browser's answer (the `response` field, JSON). A challenge
 * answers once: it is forgotten, and the state saved, before anything is verified. Null when
 * either is missing (or the answer is not a JSON object).
 */
async function takePasskeyAnswer(
  interaction: Interaction,
  state: FlowState,
  step: { challenge?: string },
  fields: URLSearchParams,
): Promise<{ challenge: string; response: object } | null> {
  const challenge = step.challenge;
  delete step.challenge;
  await saveState(interaction, state);
  let response: unknown;
  try {
    response = JSON.parse(fields.get("response") ?? "");
  } catch {
    response = null;
  }
  if (challenge === undefined || typeof response !== "object" || response === null) return null;
  return { challenge, response };
}
