/**
 * The sign-in service's protocol layer: oidc-provider mounted in the Fastify server (through
 * @fastify/middie) under the issuer's path, its state in the store, its clients from the
 * directory, access tokens for resources of the directory, and Conditional Access at every
 * client-credentials token issuance.
 */
import { createHmac, randomBytes, randomUUID } from "node:crypto";
import middie from "@fastify/middie";
import { type CompiledTenant, compileTenant } from "@gatehouse/engine";
import type { Store } from "@gatehouse/store";
import type { FastifyInstance } from "fastify";
import type { JWK } from "jose";
import Provider, { type Configuration, errors, type KoaContextWithOIDC, type ResourceServer } from "oidc-provider";
import { createClientLookup, verifyClientSecret } from "./internal/client-metadata.js";
import { defaultScopeResources, defaultScopesOf, findResource, type Resource, resourceIndicatorFor } from "./internal/resources.js";
import { createStoreAdapterFactory } from "./internal/store-adapter.js";
import { registerUserSignIn, SIGN_IN_PATH } from "./internal/user-sign-in.js";
import { evaluateWorkloadSignIn } from "./internal/workload-access.js";

export interface OidcOptions {
  store: Store;
  /** The issuer, e.g. `http://127.0.0.1:8080/oauth2`; the provider is mounted at its path (not `/`). */
  issuer: string;
  /** The tenant's current signing key (a private ES256 JWK with its `kid`). */
  signingKey: JWK;
  now?: () => Date;
  /** The compiled tenant for Conditional Access (e.g. the server's cache); default: compiled from the store at each evaluation. */
  compiledTenant?: () => Promise<CompiledTenant>;
  /** IP address -> ISO country code, for country named locations. */
  lookupCountry?: (ip: string) => string | null;
  /** Access token lifetime (default 3600 s). */
  accessTokenLifetimeSeconds?: number;
  /** How often expired protocol state (codes, sessions, interactions) is purged from the store; default hourly, 0 turns it off. */
  purgeIntervalMs?: number;
  /** Errors the service could not recover from (the request is refused); default: the Fastify logger. */
  onError?: (message: string, error: unknown) => void;
}

export interface OidcService {
  provider: Provider;
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

/** The direct peer's address (`X-Forwarded-For` is not trusted: no trusted proxies are configured yet). */
function peerAddress(ctx: KoaContextWithOIDC): string | null {
  return normalizeAddress(ctx.req.socket?.remoteAddress);
}

function normalizeAddress(address: string | undefined): string | null {
  if (typeof address !== "string" || address === "") return null;
  return address.startsWith("::ffff:") && address.includes(".") ? address.slice(7) : address;
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
  const cookieKey = createHmac("sha256", String(signingKey.d)).update("gatehouse oidc cookies").digest("base64url");

  const issued = new WeakMap<object, IssuanceContext>();
  const findClient = createClientLookup(store, now, randomBytes(32).toString("base64url"));

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
    const verdict = await evaluateWorkloadSignIn(
      { store, now, compiledTenant, lookupCountry: options.lookupCountry },
      {
        client: { appId: client.clientId, displayName: client.clientName ?? client.clientId, servicePrincipal },
        resource,
        ipAddress: peerAddress(ctx),
        correlationId,
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

  const isClientCredentials = (ctx: KoaContextWithOIDC): boolean =>
    ctx.oidc.route === "token" && ctx.oidc.params?.grant_type === "client_credentials";

  const configuration: Configuration = {
    adapter: createStoreAdapterFactory(store, findClient),
    jwks: { keys: [signingKey] as never },
    cookies: { keys: [cookieKey] },
    clientDefaults: { id_token_signed_response_alg: "ES256", grant_types: [], response_types: [] },
    // What the directory's clients use; private_key_jwt (certificate credentials) comes with a credential model.
    clientAuthMethods: ["none", "client_secret_basic", "client_secret_post"],
    pkce: { required: () => true },
    interactions: { url: (_ctx, interaction) => `${SIGN_IN_PATH}/${interaction.uid}` },
    claims: { openid: ["sub", "amr", "acr", "auth_time"], profile: ["name", "preferred_username"] },
    // Refresh tokens must re-run Conditional Access (R2); until that exists, none is issued.
    issueRefreshToken: () => false,
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
      deviceFlow: { enabled: true },
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
            resource = await findResource(store, indicator);
          } catch (cause) {
            report("token refused: the resource could not be read", cause);
            throw deny(503, "temporarily_unavailable", "the resource could not be read; try again later");
          }
          if (resource === null) {
            throw new errors.InvalidTarget(`AADSTS500011: the resource ${indicator} was not found in this tenant`);
          }
          if (isClientCredentials(ctx)) await enforceWorkloadAccess(ctx, indicator, resource);
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
        const amr = ctx.oidc.entities.AuthorizationCode?.amr ?? [];
        return {
          tid: settings.tenantId,
          oid: token.accountId,
          azp: token.clientId,
          appid: token.clientId,
          idtyp: "user",
          amr: [...amr],
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
      // A plain page (no script, no external resources); the browser flows' own pages come later.
      ctx.type = "html";
      ctx.body = `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Sign-in error</title></head><body><h1>Sign-in error</h1><p>${escapeHtml(String(out.error))}</p><p>${escapeHtml(String(out.error_description ?? ""))}</p></body></html>`;
    },
    async findAccount(_ctx, sub) {
      const user = await store.users.get(sub);
      if (user === null || !user.accountEnabled) return undefined;
      return {
        accountId: user.id,
        claims: async () => ({ sub: user.id, preferred_username: user.userPrincipalName, name: user.displayName }),
      };
    },
  };

  const provider = new Provider(options.issuer, configuration);
  // Client secrets are argon2id hashes in the store: verify them there (oidc-provider awaits this).
  const clientPrototype = provider.Client.prototype as unknown as {
    compareClientSecret(this: { clientId: string }, secret: string): Promise<boolean>;
  };
  clientPrototype.compareClientSecret = function compareClientSecret(this: { clientId: string }, secret: string) {
    return verifyClientSecret(store, this.clientId, secret, now());
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
    provider,
    store,
    now,
    compiledTenant,
    lookupCountry: options.lookupCountry,
    formKey: createHmac("sha256", String(signingKey.d)).update("gatehouse sign-in forms").digest("base64url"),
    peerAddress: (request) => normalizeAddress(request.raw.socket?.remoteAddress),
    correlationId: (request) => {
      const given = request.headers["client-request-id"];
      return typeof given === "string" && CLIENT_REQUEST_ID.test(given) ? given : randomUUID();
    },
    report,
  });

  if (!app.hasDecorator("use")) await app.register(middie);
  app.use(mountPath, provider.callback());
  return { provider, issuer: options.issuer, mountPath };
}
