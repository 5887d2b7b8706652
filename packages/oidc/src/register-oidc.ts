/**
 * The sign-in service's protocol layer: oidc-provider mounted in the Fastify server (through
 * @fastify/middie) under the issuer's path, its state in the store, its clients from the
 * directory (secrets, certificates for private_key_jwt), access tokens for resources of the
 * directory, and Conditional Access at every token issuance (R2): interactive sign-ins on the
 * sign-in page (user-sign-in.ts), every refresh-token exchange (refresh-access.ts: the refresh
 * request's own context, the session's methods, protocol tracking R30, sign-in frequency R41)
 * and every client-credentials token (workload-access.ts). The device code flow's pages are in
 * device-flow-pages.ts; jwks_uri publishes the current key and the keys retired by a rotation.
 */

import { createHmac, randomBytes, randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import middie from "@fastify/middie";
import { type CompiledTenant, compileTenant } from "@gatehouse/engine";
import type { KeyCredentialRecord, Store } from "@gatehouse/store";
import type { FastifyInstance } from "fastify";
import type { JWK } from "jose";
import Provider, { type Configuration, errors, type KoaContextWithOIDC, type ResourceServer } from "oidc-provider";
import { ACR_VALUES, sessionFactsOf } from "./internal/assurance.js";
import { type ClientCredentialUsed, certificateUsed, createClientLookup, verifyClientSecret } from "./internal/client-metadata.js";
import { successSource, userCodeConfirmSource, userCodeInputSource } from "./internal/device-flow-pages.js";
import { evaluateRefresh } from "./internal/refresh-access.js";
import { compileTrustedProxies, type RequestContext, requestContext } from "./internal/request-context.js";
import { defaultScopeResources, defaultScopesOf, findResource, type Resource, resourceIndicatorFor } from "./internal/resources.js";
import { createStoreAdapterFactory } from "./internal/store-adapter.js";
import { registerUserSignIn, SIGN_IN_PATH } from "./internal/user-sign-in.js";
import { evaluateWorkloadSignIn } from "./internal/workload-access.js";

/** Headers Koa reads when `proxy` is on; accepted from trusted proxies only. */
const FORWARDING_HEADERS = ["x-forwarded-proto", "x-forwarded-host", "x-forwarded-for", "forwarded"] as const;

export interface OidcOptions {
  store: Store;
  /** The issuer, e.g. `http://127.0.0.1:8080/oauth2`; the provider is mounted at its path (not `/`). */
  issuer: string;
  /** The tenant's current signing key (a private ES256 JWK with its `kid`). */
  signingKey: JWK;
  /**
   * The public keys published at `jwks_uri` besides the current one: keys retired by a
   * rotation, kept until the tokens they signed expire (e.g. the tenant's `publicJwks`).
   * Read at each request, so a rotation made elsewhere is published at once.
   */
  verificationKeys?: () => Promise<JWK[]>;
  /**
   * The tenant's current signing key, read again at most every `signingKeyCheckMs` (default
   * 10 s): after `gatehouse keys rotate` (on this node or another) new tokens are signed with
   * the new key without a restart. Sign-ins in progress carry on: cookies signed with the
   * previous keys are still accepted. Without it the service signs with `signingKey` until
   * it is restarted.
   */
  currentSigningKey?: () => Promise<JWK>;
  signingKeyCheckMs?: number;
  now?: () => Date;
  /** The compiled tenant for Conditional Access (e.g. the server's cache); default: compiled from the store at each evaluation. */
  compiledTenant?: () => Promise<CompiledTenant>;
  /** IP address -> ISO country code, for country named locations. */
  lookupCountry?: (ip: string) => string | null;
  /**
   * Reverse proxies (CIDR ranges or addresses) whose `X-Forwarded-For` is believed: the
   * client's address is then the right-most forwarded address that is not a trusted proxy.
   * Default none: the direct peer is the client (`gatehouse serve --trusted-proxy`).
   */
  trustedProxies?: readonly string[];
  /** Access token lifetime (default 3600 s). */
  accessTokenLifetimeSeconds?: number;
  /** How often expired protocol state (codes, sessions, interactions) is purged from the store; default hourly, 0 turns it off. */
  purgeIntervalMs?: number;
  /**
   * BENCHMARK BASELINE ONLY (`npm run bench`): `false` issues refresh-token and
   * client-credentials tokens without Conditional Access (no evaluation, no sign-in record),
   * to measure what Conditional Access costs on the same flow. Never set it in a deployment;
   * `gatehouse serve` has no flag for it. Default (and any other value): Conditional Access on.
   */
  conditionalAccess?: boolean;
  /** Errors the service could not recover from (the request is refused); default: the Fastify logger. */
  onError?: (message: string, error: unknown) => void;
}

export interface OidcService {
  /** The provider of the current signing key (replaced after a rotation, see `currentSigningKey`). */
  readonly provider: Provider;
  issuer: string;
  mountPath: string;
}

/** Evaluated client-credentials requests: what the token's claims need. */
interface IssuanceContext {
  tenantId: string;
  servicePrincipalId: string;
  appId: string;
  resource: Resource;
}

/** Refresh requests that Conditional Access let through, with the resource it was evaluated for. */
interface RefreshEvaluation {
  indicator: string | undefined;
}

const CLIENT_REQUEST_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

function mountPathOf(issuer: string): string {
  const url = URL.parse(issuer);
  if (url === null || (url.protocol !== "http:" && url.protocol !== "https:") || url.search !== "" || url.hash !== "") {
    throw new TypeError(`the OpenID Connect issuer must be an http(s) URL without query or fragment, not ${issuer}`);
  }
  const path = url.pathname.replace(/\/+$/, "");
  if (path === "") throw new TypeError("the OpenID Connect issuer needs a path (e.g. /oauth2): the provider is mounted there");
  return path;
}

function correlationIdOf(ctx: KoaContextWithOIDC): string {
  const given = ctx.get("client-request-id");
  return CLIENT_REQUEST_ID.test(given) ? given : randomUUID();
}

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string);

function deny(status: number, error: string, description: string): errors.OIDCProviderError {
  const err = new errors.OIDCProviderError(status, error);
  err.error_description = description;
  (err as unknown as { expose: boolean }).expose = true;
  return err;
}

/** A URL's origin, or null when it is not an absolute URL. */
function originOf(uri: string): string | null {
  try {
    return new URL(uri).origin;
  } catch {
    return null;
  }
}

/** oidc-provider's error page: plain (no script, no external resources), escaped. */
function renderErrorPage(ctx: { type: string; body: unknown }, out: { error?: unknown; error_description?: unknown }): void {
  ctx.type = "html";
  ctx.body = `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Sign-in error</title></head><body><h1>Sign-in error</h1><p>${escapeHtml(String(out.error))}</p><p>${escapeHtml(String(out.error_description ?? ""))}</p></body></html>`;
}

/** Mounts oidc-provider at the issuer's path. Call before `app.ready()`. */
export async function registerOidc(app: FastifyInstance, options: OidcOptions): Promise<OidcService> {
  const { store } = options;
  const now = options.now ?? (() => new Date());
  const mountPath = mountPathOf(options.issuer);
  const lifetime = options.accessTokenLifetimeSeconds ?? 3600;
  const report = options.onError ?? ((message: string, error: unknown) => app.log.error({ err: error }, message));
  const compiledTenant =
    options.compiledTenant ?? (async () => compileTenant(await store.loadTenantSnapshot(), { lookupCountry: options.lookupCountry }));
  if (typeof options.signingKey.d !== "string" || typeof options.signingKey.kid !== "string") {
    throw new TypeError("registerOidc needs the private signing key with its kid");
  }
  const signingKey: JWK = { ...options.signingKey, alg: "ES256", use: "sig" };
  // Cookie keys derived from the signing key: stable across restarts and nodes, changed by a rotation.
  const cookieKeyOf = (key: JWK): string => createHmac("sha256", String(key.d)).update("gatehouse oidc cookies").digest("base64url");

  const trustedProxies = compileTrustedProxies(options.trustedProxies);
  /** The request's client address (trusted proxies), country and User-Agent facts. */
  const contextOf = (req: KoaContextWithOIDC["req"]): RequestContext =>
    requestContext(req, { trustedProxies, lookupCountry: options.lookupCountry });

  // Benchmark baseline only (see OidcOptions.conditionalAccess): strictly `false` turns it off.
  const conditionalAccessOff = options.conditionalAccess === false;
  const issued = new WeakMap<object, IssuanceContext>();
  /** Per token request: the keyId of the client secret that authenticated it. */
  const secretsUsed = new WeakMap<object, string>();
  /** The credential the client authenticated this request with, for its sign-in record. */
  const credentialOf = async (ctx: KoaContextWithOIDC, appId: string, at: Date): Promise<ClientCredentialUsed> => {
    const assertion = ctx.oidc.params?.client_assertion;
    if (typeof assertion === "string") {
      const certificates = certificatesOf.get(ctx) ?? (await store.applications.listClientCertificates(appId));
      return certificateUsed(certificates, assertion, at);
    }
    return { clientCredentialType: "clientSecret", keyId: secretsUsed.get(ctx) ?? null, thumbprint: null };
  };
  // The registered method follows the credential presented (client-metadata.ts): an assertion -> private_key_jwt.
  /** Per token request: the client's certificates as the client lookup read them. */
  const certificatesOf = new WeakMap<object, readonly KeyCredentialRecord[]>();
  const findClient = createClientLookup(
    store,
    now,
    randomBytes(32).toString("base64url"),
    () => {
      const params = Provider.ctx?.oidc?.params as Record<string, unknown> | undefined;
      return typeof params?.client_assertion === "string";
    },
    (certificates) => {
      const ctx = Provider.ctx;
      if (ctx !== undefined) certificatesOf.set(ctx, certificates);
    },
  );

  /** Conditional Access for a client-credentials request, once per request; throws the OAuth error that refuses it. */
  async function enforceWorkloadAccess(ctx: KoaContextWithOIDC, indicator: string, resource: Resource): Promise<void> {
    if (issued.has(ctx)) return;
    const client = ctx.oidc.client;
    if (client === undefined) throw new errors.InvalidClient("client authentication is required");
    const correlationId = correlationIdOf(ctx);
    ctx.set("client-request-id", correlationId);
    let servicePrincipal: Awaited<ReturnType<Store["servicePrincipals"]["getByAppId"]>>;
    let tenantId: string;
    try {
      servicePrincipal = await store.servicePrincipals.getByAppId(client.clientId);
      const settings = await store.tenant.get();
      if (settings === null) throw new Error("the tenant is not set up");
      tenantId = settings.tenantId;
    } catch (cause) {
      report("client credentials refused: the directory could not be read", cause);
      throw deny(
        503,
        "temporarily_unavailable",
        `AADSTS90033: Conditional Access cannot be evaluated right now. Correlation ID: ${correlationId}`,
      );
    }
    if (servicePrincipal === null || !servicePrincipal.accountEnabled) {
      throw new errors.InvalidClient("the application has no enabled service principal in this tenant");
    }
    if (conditionalAccessOff) {
      issued.set(ctx, { tenantId, servicePrincipalId: servicePrincipal.id, appId: client.clientId, resource });
      return;
    }
    const verdict = await evaluateWorkloadSignIn(
      { store, now, compiledTenant, lookupCountry: options.lookupCountry },
      {
        client: { appId: client.clientId, displayName: client.clientName ?? client.clientId, servicePrincipal },
        resource,
        ipAddress: contextOf(ctx.req).ipAddress,
        correlationId,
        credential: await credentialOf(ctx, client.clientId, now()),
      },
    );
    if (verdict.outcome === "unavailable") {
      report("client credentials refused: Conditional Access could not be evaluated", verdict.cause);
      throw deny(
        503,
        "temporarily_unavailable",
        `AADSTS90033: Conditional Access cannot be evaluated right now. Correlation ID: ${correlationId}`,
      );
    }
    if (verdict.outcome === "block") {
      throw deny(
        400,
        "invalid_grant",
        `AADSTS${verdict.errorCode}: ${verdict.failureReason} Resource: ${indicator}. Correlation ID: ${correlationId}`,
      );
    }
    issued.set(ctx, { tenantId, servicePrincipalId: servicePrincipal.id, appId: client.clientId, resource });
  }

  const refreshed = new WeakMap<object, RefreshEvaluation>();
  /** Per request: the account findAccount read, and resources already resolved (one read each). */
  const accountsRead = new WeakMap<object, NonNullable<Awaited<ReturnType<Store["users"]["get"]>>>>();
  const resourcesRead = new WeakMap<object, Map<string, Promise<Resource | null>>>();
  const resourceFor = (ctx: object, name: string): Promise<Resource | null> => {
    let known = resourcesRead.get(ctx);
    if (known === undefined) resourcesRead.set(ctx, (known = new Map()));
    let found = known.get(name);
    if (found === undefined) known.set(name, (found = findResource(store, name)));
    return found;
  };

  /**
   * Conditional Access for a refresh-token exchange (R2, R30). Called by oidc-provider once the
   * refresh token, its grant, the client and the account are validated and before anything is
   * written (`rotateRefreshToken`), so a refused refresh leaves the refresh token as it was.
   */
  async function enforceRefreshAccess(ctx: KoaContextWithOIDC): Promise<void> {
    const { RefreshToken: refreshToken, Client: client, Account: account } = ctx.oidc.entities;
    if (refreshToken === undefined || client === undefined || account === undefined) {
      throw new Error("a refresh-token exchange without its refresh token, client or account");
    }
    const correlationId = correlationIdOf(ctx);
    ctx.set("client-request-id", correlationId);
    const unavailable = () =>
      deny(
        503,
        "temporarily_unavailable",
        `AADSTS90033: Conditional Access cannot be evaluated right now. Correlation ID: ${correlationId}`,
      );
    // The resource of the new access token: as oidc-provider resolves it (resolve_resource.js),
    // the requested one, else the refresh token's own; none = the client itself (as at sign-in).
    const requested = ctx.oidc.params?.resource;
    if (Array.isArray(requested)) throw new errors.InvalidTarget("only one resource may be requested");
    const granted = refreshToken.resource;
    const indicator =
      typeof requested === "string" ? requested : typeof granted === "string" ? granted : Array.isArray(granted) ? granted[0] : undefined;
    let user: Awaited<ReturnType<Store["users"]["get"]>>;
    let resource: Resource | null;
    try {
      // The account oidc-provider has just validated (findAccount read it for this request).
      user = accountsRead.get(ctx) ?? (await store.users.get(account.accountId));
      resource = await resourceFor(ctx, indicator ?? client.clientId);
    } catch (cause) {
      report("refresh refused: the directory could not be read", cause);
      throw unavailable();
    }
    if (user === null || user.id !== account.accountId || !user.accountEnabled) {
      throw new errors.InvalidGrant("the account of this refresh token is disabled or deleted");
    }
    if (resource === null) throw new errors.InvalidGrant("the resource of this refresh token is no longer in this tenant");
    // The client: its metadata comes from the directory at each request (client-metadata.ts).
    const clientApp = { application: { appId: client.clientId, displayName: client.clientName ?? client.clientId } };
    // The session's methods (amr) and R30 protocol tracking (gty starts with device_code).
    const session = sessionFactsOf(refreshToken);
    const context = contextOf(ctx.req);
    const verdict = await evaluateRefresh(
      { store, now, compiledTenant },
      {
        user: { id: user.id, userPrincipalName: user.userPrincipalName, displayName: user.displayName },
        client: { appId: clientApp.application.appId, displayName: clientApp.application.displayName },
        resource,
        ipAddress: context.ipAddress,
        country: context.country,
        devicePlatform: context.devicePlatform === "unknown" ? null : context.devicePlatform,
        clientDevice: { browser: context.browser, operatingSystem: context.operatingSystem },
        correlationId,
        authenticationMethods: session.authenticationMethods,
        // Browser for web clients; the desktop client type for native/public clients and device code.
        clientAppType:
          session.originalTransferMethod === "deviceCodeFlow" || client.applicationType === "native"
            ? "mobileAppsAndDesktopClients"
            : "browser",
        originalTransferMethod: session.originalTransferMethod,
        authTime: typeof refreshToken.authTime === "number" ? refreshToken.authTime : null,
        confidentialClient: client.clientAuthMethod !== "none",
      },
    );
    if (verdict.outcome === "unavailable") {
      report("refresh refused: Conditional Access could not be evaluated", verdict.cause);
      throw unavailable();
    }
    if (verdict.outcome !== "grant") {
      const target = indicator ?? client.clientId;
      throw deny(
        400,
        "invalid_grant",
        `AADSTS${verdict.errorCode}: ${verdict.failureReason} Resource: ${target}. Correlation ID: ${correlationId}`,
      );
    }
    refreshed.set(ctx, { indicator });
  }

  const isClientCredentials = (ctx: KoaContextWithOIDC): boolean =>
    ctx.oidc.route === "token" && ctx.oidc.params?.grant_type === "client_credentials";
  const isRefresh = (ctx: KoaContextWithOIDC): boolean => ctx.oidc.route === "token" && ctx.oidc.params?.grant_type === "refresh_token";

  const configuration: Configuration = {
    adapter: createStoreAdapterFactory(store, findClient),
    jwks: { keys: [signingKey] as never },
    cookies: { keys: [cookieKeyOf(signingKey)] },
    clientDefaults: { id_token_signed_response_alg: "ES256", grant_types: [], response_types: [] },
    // What the directory's clients use: public clients, secrets (argon2id hashes), certificates (keyCredentials).
    clientAuthMethods: ["none", "client_secret_basic", "client_secret_post", "private_key_jwt"],
    pkce: { required: () => true },
    interactions: { url: (_ctx, interaction) => `${SIGN_IN_PATH}/${interaction.uid}` },
    claims: { openid: ["sub", "amr", "acr", "auth_time"], profile: ["name", "preferred_username"] },
    // Our assurance levels (assurance.ts): password only, MFA, phishing-resistant MFA.
    acrValues: [...ACR_VALUES],
    // Every client allowed the refresh_token grant gets one (the Portal, the CLI, web clients
    // using the authorization code); each exchange re-runs Conditional Access (R2).
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed("refresh_token"),
    // Called once per refresh_token grant after the token, grant, client and account are
    // validated and before anything is written: Conditional Access decides there, then the
    // refresh token is rotated (a replayed one revokes the grant).
    async rotateRefreshToken(ctx) {
      if (!conditionalAccessOff) await enforceRefreshAccess(ctx);
      return true;
    },
    // No silent single sign-on yet: every authorization request goes through the sign-in page,
    // where Conditional Access decides: only the grant that page just made is used.
    async loadExistingGrant(ctx) {
      const grantId = ctx.oidc.result?.consent?.grantId;
      return typeof grantId === "string" ? ctx.oidc.provider.Grant.find(grantId) : undefined;
    },
    ttl: {
      AccessToken: lifetime,
      ClientCredentials: lifetime,
      AuthorizationCode: 60,
      DeviceCode: 900,
      IdToken: 3600,
      Interaction: 3600,
      Grant: 14 * 24 * 3600,
      Session: 14 * 24 * 3600,
      RefreshToken: 14 * 24 * 3600,
    },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      // `gatehouse logout` (and the Portal's sign-out) revoke their refresh token (RFC 7009).
      revocation: {
        enabled: true,
        // A client revokes its own tokens only (RFC 7009 §2.1): another public client's attempt
        // is ignored, a confidential client's is refused (oidc-provider's default, stated here).
        allowedPolicy(_ctx, client, token) {
          if (token.clientId === client.clientId) return true;
          if (client.clientAuthMethod === "none") return false;
          throw new errors.InvalidRequest("client is not authorized to revoke the presented token");
        },
      },
      deviceFlow: { enabled: true, userCodeInputSource, userCodeConfirmSource, successSource },
      resourceIndicators: {
        enabled: true,
        async defaultResource(ctx, _client, oneOf) {
          if (oneOf !== undefined && oneOf.length > 0) return oneOf[0] as string;
          const named = defaultScopeResources(ctx.oidc.params?.scope);
          if (named.length > 1) throw new errors.InvalidScope("only one <resource>/.default scope may be requested", named.join(" "));
          if (named[0] !== undefined) return resourceIndicatorFor(named[0]);
          if (isClientCredentials(ctx)) {
            throw new errors.InvalidTarget("name the resource: resource=<identifier URI> or scope=<appId or identifier URI>/.default");
          }
          return undefined as unknown as string;
        },
        async getResourceServerInfo(ctx, indicator): Promise<ResourceServer> {
          if (Array.isArray(ctx.oidc.params?.resource) && ctx.oidc.params.resource.length > 1) {
            throw new errors.InvalidTarget("only one resource may be requested");
          }
          let resource: Resource | null;
          try {
            resource = await resourceFor(ctx, indicator);
          } catch (cause) {
            report("token refused: the resource could not be read", cause);
            throw deny(503, "temporarily_unavailable", "the resource could not be read; try again later");
          }
          if (resource === null) {
            throw new errors.InvalidTarget(`AADSTS500011: the resource ${indicator} was not found in this tenant`);
          }
          if (isClientCredentials(ctx)) await enforceWorkloadAccess(ctx, indicator, resource);
          // Fail closed: a refreshed access token only for the resource Conditional Access judged.
          if (isRefresh(ctx) && !conditionalAccessOff && refreshed.get(ctx)?.indicator !== indicator) {
            throw new Error("a refreshed access token without a Conditional Access evaluation for its resource");
          }
          return {
            scope: defaultScopesOf(indicator, resource),
            audience: resource.application.appId,
            accessTokenFormat: "jwt",
            accessTokenTTL: lifetime,
            jwt: { sign: { alg: "ES256" } },
          };
        },
        useGrantedResource: () => true,
      },
    },
    async extraTokenClaims(ctx, token) {
      if (token.kind === "AccessToken") {
        const settings = await store.tenant.get();
        if (settings === null) throw new Error("the tenant is not set up");
        // How the user signed in (set by the sign-in page's login result): from the code, device code or refresh token.
        const source = ctx.oidc.entities.AuthorizationCode ?? ctx.oidc.entities.DeviceCode ?? ctx.oidc.entities.RefreshToken;
        const amr = source?.amr ?? [];
        return {
          tid: settings.tenantId,
          oid: token.accountId,
          azp: token.clientId,
          appid: token.clientId,
          idtyp: "user",
          amr: [...amr],
          ...(typeof source?.acr === "string" ? { acr: source.acr } : {}),
          ver: "2.0",
        };
      }
      if (token.kind !== "ClientCredentials") return undefined;
      const context = issued.get(ctx);
      // Fail closed: a client-credentials token is only ever issued after Conditional Access.
      if (context === undefined) throw new Error("a client-credentials token without a Conditional Access evaluation");
      return {
        tid: context.tenantId,
        oid: context.servicePrincipalId,
        azp: context.appId,
        appid: context.appId,
        idtyp: "app",
        // No app-role assignment model yet: an application has no application permissions.
        roles: [],
        ver: "2.0",
      };
    },
    formats: {
      customizers: {
        async jwt(_ctx, token, jwt) {
          // Entra's app tokens: `sub` is the service principal's object id.
          if (token.kind === "ClientCredentials" && typeof jwt.payload.oid === "string") jwt.payload.sub = jwt.payload.oid;
        },
      },
    },
    async renderError(ctx, out) {
      renderErrorPage(ctx, out);
    },
    // Browsers may call the token (and userinfo) endpoints from another origin only for a public
    // client, from one of its redirect URIs' origins; a confidential client's secret never
    // belongs in a browser. (oidc-provider's default, stated here as our policy.)
    clientBasedCORS(ctx, origin, client) {
      if (origin === "null") return false;
      if (ctx.oidc.route !== "userinfo" && client.clientAuthMethod !== "none") return false;
      return (client.redirectUris ?? []).some((uri) => originOf(uri) === origin);
    },
    async findAccount(ctx, sub) {
      const user = await store.users.get(sub);
      if (user === null || !user.accountEnabled) return undefined;
      accountsRead.set(ctx, user);
      return {
        accountId: user.id,
        claims: async () => ({ sub: user.id, preferred_username: user.userPrincipalName, name: user.displayName }),
      };
    },
  };

  /**
   * One oidc-provider for a signing key. Its state lives in the store, so a provider built
   * for a new key takes over where the previous one stood; `cookieKeys` keeps the previous
   * keys' cookies (sign-ins in progress) valid.
   */
  const buildProvider = (key: JWK, cookieKeys: readonly string[]) => {
    const provider = new Provider(options.issuer, {
      ...configuration,
      jwks: { keys: [{ ...key, alg: "ES256", use: "sig" }] as never },
      cookies: { keys: [...cookieKeys] },
    });
    // Behind a TLS-terminating proxy (an https issuer with trusted proxies), X-Forwarded-Proto
    // tells the provider the request was https, so its cookies are Secure (httpOnly and
    // SameSite=Lax are oidc-provider's defaults).
    if (new URL(options.issuer).protocol === "https:" && (options.trustedProxies?.length ?? 0) > 0) provider.proxy = true;
    // A form posted by a browser that never opened the page has no session: oidc-provider
    // then fails while saving one (a 500). It is the client's error: say so.
    provider.use(async (ctx, next) => {
      try {
        await next();
      } catch (error) {
        if (!(error instanceof TypeError) || !/persist can only be called on previously persisted Sessions/.test(error.message))
          throw error;
        ctx.status = 400;
        renderErrorPage(ctx, {
          error: "invalid_request",
          error_description: "This form was sent without the page's browser session (cookies). Open the page again and retry.",
        });
      }
    });
    const verificationKeys = options.verificationKeys;
    if (verificationKeys !== undefined) {
      // jwks_uri: the current key first, then the other public keys (public members only).
      provider.use(async (ctx, next) => {
        await next();
        if (ctx.oidc?.route !== "jwks" || ctx.status !== 200) return;
        const current = (ctx.body as { keys: JWK[] }).keys;
        const seen = new Set(current.map((k) => k.kid));
        const extra: JWK[] = [];
        for (const key of await verificationKeys()) {
          if (typeof key.kid !== "string" || seen.has(key.kid) || key.kty !== "EC" || key.crv !== "P-256") continue;
          seen.add(key.kid);
          extra.push({ kty: key.kty, crv: key.crv, x: key.x, y: key.y, kid: key.kid, alg: "ES256", use: "sig" } as JWK);
        }
        ctx.body = { keys: [...current, ...extra] };
      });
    }
    // Client secrets are argon2id hashes in the store: verify them there (oidc-provider awaits this).
    const clientPrototype = provider.Client.prototype as unknown as {
      compareClientSecret(this: { clientId: string }, secret: string): Promise<boolean>;
    };
    clientPrototype.compareClientSecret = async function compareClientSecret(this: { clientId: string }, secret: string) {
      const keyId = await verifyClientSecret(store, this.clientId, secret, now());
      // The sign-in record names the secret used (servicePrincipalCredentialKeyId).
      const ctx = Provider.ctx;
      if (keyId !== null && ctx !== undefined) secretsUsed.set(ctx, keyId);
      return keyId !== null;
    };
    return { kid: String(key.kid), provider, handle: provider.callback(), cookieKeys };
  };

  let active = buildProvider(signingKey, [cookieKeyOf(signingKey)]);
  let checkedAt = Date.now();
  let checking: Promise<void> | null = null;
  const checkMs = options.signingKeyCheckMs ?? 10_000;
  /** The provider of the current signing key: a rotation is noticed within `checkMs`. */
  const currentProvider = async (): Promise<typeof active> => {
    const read = options.currentSigningKey;
    if (read === undefined || Date.now() - checkedAt < checkMs) return active;
    checking ??= (async () => {
      try {
        const key = await read();
        checkedAt = Date.now();
        if (typeof key.kid !== "string" || key.kid === active.kid || typeof key.d !== "string") return;
        // Newest first; a few previous cookie keys are enough for sign-ins in progress.
        active = buildProvider(key, [cookieKeyOf(key), ...active.cookieKeys].slice(0, 4));
      } catch (error) {
        // Keep signing with the key in use: it is still published and valid.
        report("the current signing key could not be read; still signing with the previous one", error);
        checkedAt = Date.now();
      } finally {
        checking = null;
      }
    })();
    await checking;
    return active;
  };

  const purgeIntervalMs = options.purgeIntervalMs ?? 3_600_000;
  if (purgeIntervalMs > 0) {
    const timer = setInterval(() => {
      store.oidcPayloads.purgeExpired().catch((error: unknown) => report("expired sign-in state could not be purged", error));
    }, purgeIntervalMs);
    timer.unref();
    app.addHook("onClose", async () => clearInterval(timer));
  }

  registerUserSignIn(app, {
    provider: () => active.provider,
    store,
    now,
    compiledTenant,
    lookupCountry: options.lookupCountry,
    formKey: createHmac("sha256", String(signingKey.d)).update("gatehouse sign-in forms").digest("base64url"),
    issuer: options.issuer,
    trustedProxies,
    correlationId: (request) => {
      const given = request.headers["client-request-id"];
      return typeof given === "string" && CLIENT_REQUEST_ID.test(given) ? given : randomUUID();
    },
    report,
  });

  if (!app.hasDecorator("use")) await app.register(middie);
  if (active.provider.proxy) {
    // Koa then believes X-Forwarded-Proto/Host/For: only a trusted proxy may send them. A
    // direct client's copies are dropped, so it cannot make the provider think it was https
    // or another host.
    app.use(mountPath, (req: IncomingMessage, _res: ServerResponse, next: (err?: unknown) => void) => {
      if (!trustedProxies(req.socket?.remoteAddress ?? "")) {
        for (const name of FORWARDING_HEADERS) delete req.headers[name];
      }
      next();
    });
  }
  app.use(mountPath, (req: IncomingMessage, res: ServerResponse) => {
    void currentProvider().then(({ handle }) => handle(req, res));
  });
  return {
    get provider() {
      return active.provider;
    },
    issuer: options.issuer,
    mountPath,
  };
}
