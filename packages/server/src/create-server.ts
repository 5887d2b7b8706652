/**
 * The Gatehouse server: Graph-shaped Conditional Access administration under `/v1.0`, the
 * OpenAPI description at `/openapi.json`, the public signing keys at `/.well-known/jwks.json`,
 * `/healthz`. Thin: route -> operation -> engine + store; errors become HTTP in `error-handler`.
 */
import { randomUUID } from "node:crypto";
import rateLimit from "@fastify/rate-limit";
import type { Store } from "@gatehouse/store";
import Fastify, { type FastifyInstance } from "fastify";
import helmet from "helmet";
import { authenticate } from "./auth/authenticate.js";
import { CallerCache } from "./auth/caller-cache.js";
import { deniedMessage, isAllowed } from "./auth/role-matrix.js";
import { ensurePortalRedirectUri } from "./bootstrap/portal-redirect-uri.js";
import { createErrorHandler, createNotFoundHandler } from "./error-handler.js";
import { AccessDeniedError } from "./errors/access-denied-error.js";
import { buildOpenApiDocument, type RegisteredRoute } from "./openapi/build-openapi-document.js";
import { CompiledTenantCache } from "./operations/evaluate/compiled-tenant-cache.js";
import { scheduleSignInRetention } from "./operations/sign-in-logs/schedule-sign-in-retention.js";
import { registerPortal } from "./portal/serve-portal.js";
import { registerAuditLogRoutes } from "./routes/audit-log-routes.js";
import { registerConditionalAccessRoutes } from "./routes/conditional-access-routes.js";
import "./routes/route-config.js";
import { registerDirectoryRoutes } from "./routes/directory-routes.js";
import { registerImpactRoutes } from "./routes/impact-routes.js";
import { registerMeRoutes } from "./routes/me-routes.js";
import { addRoute, type RouteDeps } from "./routes/route-support.js";
import { registerSignInLogRoutes } from "./routes/sign-in-log-routes.js";
import { ensureSigningKey, publicJwks } from "./signing-keys.js";

export interface ServerOptions {
  store: Store;
  logger?: boolean;
  /** How often expired sign-in log records are purged (default hourly; also once at start); 0 turns it off. */
  signInRetentionIntervalMs?: number;
  now?: () => Date;
  /** Requests per minute per client address (default 1200); 0 turns the limit off (e.g. behind a gateway that limits). */
  rateLimitPerMinute?: number;
  /** IP address -> ISO country code for country named locations (R26), when a request carries no `country`. */
  lookupCountry?: (ip: string) => string | null;
  /**
   * Mounts the sign-in service (OpenID Connect) at the issuer's path; `true` uses
   * `http://127.0.0.1:8080/oauth2`. Its tokens are accepted by the Management API. Needs a set-up tenant.
   */
  oidc?:
    | boolean
    | {
        issuer: string;
        trustedProxies?: readonly string[];
        /** BENCHMARK BASELINE ONLY (`npm run bench`): false issues tokens without Conditional Access. No serve flag sets it. */
        conditionalAccess?: boolean;
        /** How often the current signing key is read again (default 10 s): a rotation takes effect without a restart. */
        signingKeyCheckMs?: number;
      };
  /** The built admin portal served at `/` (default: @gatehouse/portal's dist folder); `false` serves none. */
  portalDir?: string | false;
}

/** The OpenID Connect issuer when `oidc: true`: `gatehouse serve`'s default address. */
export const DEFAULT_OIDC_ISSUER = "http://127.0.0.1:8080/oauth2";

/** A client-request-id we adopt as the request id: a GUID-like token, nothing a log could choke on. */
const CLIENT_REQUEST_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/** Requests per minute per client address. */
const RATE_LIMIT_PER_MINUTE = 1200;

export async function createServer(options: ServerOptions): Promise<FastifyInstance> {
  const now = options.now ?? (() => new Date());
  const app = Fastify({
    logger: options.logger === true,
    exposeHeadRoutes: false,
    requestIdHeader: false,
    genReqId: (req) => {
      const given = req.headers["client-request-id"];
      return typeof given === "string" && CLIENT_REQUEST_ID.test(given) ? given : randomUUID();
    },
    bodyLimit: 1024 * 1024,
  });
  app.decorateRequest("caller", null);

  const routes: RegisteredRoute[] = [];
  app.addHook("onRoute", (route) => {
    const url = route.url ?? route.path;
    const permission = route.config?.permission;
    if (url.startsWith("/v1.0") && permission === undefined) {
      // Fail closed: a Management API route without a declared permission is a programming error.
      throw new Error(`route ${String(route.method)} ${url} declares no permission`);
    }
    for (const method of Array.isArray(route.method) ? route.method : [route.method]) {
      if (permission !== undefined)
        routes.push({ method, url, permission, summary: route.config?.summary ?? "", tag: route.config?.tag ?? "Gatehouse" });
    }
  });

  app.setErrorHandler(createErrorHandler(now));
  app.setNotFoundHandler(createNotFoundHandler(now));
  // helmet's security headers (CSP, HSTS, nosniff, frame options, ...), built once: the Fastify
  // plugin builds the middleware again for every request, a fifth of a small request's time.
  const securityHeaders = helmet();
  app.addHook("onRequest", (request, reply, done) => {
    securityHeaders(request.raw, reply.raw, (error?: unknown) => done(error instanceof Error ? error : undefined));
  });
  const perMinute = options.rateLimitPerMinute ?? RATE_LIMIT_PER_MINUTE;
  if (perMinute > 0) await app.register(rateLimit, { max: perMinute, timeWindow: "1 minute" });

  const cache = new CompiledTenantCache(options.store, () => now().getTime(), undefined, options.lookupCountry);
  const callers = new CallerCache();
  const oidcIssuer = options.oidc === true ? DEFAULT_OIDC_ISSUER : options.oidc ? options.oidc.issuer : undefined;
  const acceptedIssuers = oidcIssuer === undefined ? [] : [oidcIssuer];
  const deps: RouteDeps = { store: options.store, now, cache };

  app.addHook("onRequest", async (request, reply) => {
    reply.header("request-id", request.id);
    reply.header("client-request-id", request.id);
    const permission = request.routeOptions.config.permission;
    if (permission === undefined || permission === "public") return;
    const authorization = request.headers.authorization;
    const at = now();
    let caller = callers.get(authorization, at.getTime());
    if (caller === undefined) {
      caller = await authenticate(options.store, authorization, at, acceptedIssuers);
      callers.set(authorization, caller, at.getTime());
    }
    if (!isAllowed(caller, permission)) throw new AccessDeniedError(deniedMessage(caller, permission));
    request.caller = caller;
  });

  // Any write through this server drops the compiled tenant before the answer leaves.
  app.addHook("onSend", async (request, _reply, payload) => {
    const permission = request.routeOptions.config.permission;
    if (request.method !== "GET" && typeof permission === "string" && permission.endsWith(".write")) {
      cache.invalidate();
      callers.clear();
    }
    return payload;
  });

  addRoute(app, "GET", "/healthz", "public", "Liveness and store reachability", "Service", async (_request, reply) => {
    try {
      await options.store.tenant.get();
      return { status: "ok" };
    } catch {
      return reply.code(503).send({ status: "unavailable" });
    }
  });
  // Liveness only (no store access), for orchestrators; /healthz also checks the store.
  addRoute(app, "GET", "/livez", "public", "Liveness: the process answers", "Service", async () => ({ status: "ok" }));
  addRoute(app, "GET", "/.well-known/jwks.json", "public", "The tenant's public token signing keys", "Service", async () =>
    publicJwks(options.store),
  );
  addRoute(app, "GET", "/openapi.json", "public", "This OpenAPI description", "Service", async () => buildOpenApiDocument(routes));
  addRoute(app, "GET", "/v1.0/$metadata", "public", "Points to the OpenAPI description", "Service", async (request, reply) =>
    reply.redirect(`${request.protocol}://${request.host}/openapi.json`, 302),
  );

  if (oidcIssuer !== undefined) {
    // Loaded only when asked for: oidc-provider warns about Node 20 as soon as it is imported.
    const { registerOidc } = await import("@gatehouse/oidc");
    const key = await ensureSigningKey(options.store);
    // The portal served here signs in with this address's callback: register it with the Portal application.
    if (options.portalDir !== false) await ensurePortalRedirectUri(options.store, oidcIssuer, now());
    await registerOidc(app, {
      store: options.store,
      issuer: oidcIssuer,
      signingKey: key.privateJwk,
      // Keys retired by `gatehouse keys rotate` stay published until their tokens expire.
      verificationKeys: async () => (await publicJwks(options.store)).keys,
      // `gatehouse keys rotate` (here or on another node): new tokens use the new key within seconds.
      currentSigningKey: async () => (await ensureSigningKey(options.store)).privateJwk,
      ...(typeof options.oidc === "object" && options.oidc.signingKeyCheckMs !== undefined
        ? { signingKeyCheckMs: options.oidc.signingKeyCheckMs }
        : {}),
      now,
      compiledTenant: () => cache.get(),
      ...(options.lookupCountry ? { lookupCountry: options.lookupCountry } : {}),
      ...(typeof options.oidc === "object" && options.oidc.trustedProxies ? { trustedProxies: options.oidc.trustedProxies } : {}),
      ...(typeof options.oidc === "object" && options.oidc.conditionalAccess === false ? { conditionalAccess: false } : {}),
    });
  }

  registerConditionalAccessRoutes(app, deps);
  registerDirectoryRoutes(app, deps);
  registerAuditLogRoutes(app, deps);
  registerSignInLogRoutes(app, deps);
  registerImpactRoutes(app, deps);
  registerMeRoutes(app, deps, {
    oidcIssuer,
    lookupCountry: options.lookupCountry,
    trustedProxies: typeof options.oidc === "object" ? options.oidc.trustedProxies : undefined,
  });
  if (options.portalDir !== false) registerPortal(app, options.portalDir);
  await scheduleSignInRetention(app, options.store, now, options.signInRetentionIntervalMs);

  await app.ready();
  return app;
}
