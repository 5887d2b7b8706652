/**
 * "My security info" (issue 5; R22): the signed-in user's own authentication methods, shaped
 * like Graph's `/me/authentication`. Listing and removal are Graph's; registration is our
 * extension (Graph has none for TOTP and passkeys): `.../registration` starts one,
 * `.../registration/{registrationId}/verify` completes it. Only a user's token (never an
 * application's); every registration and removal is Conditional Access's user action
 * `urn:user:registersecurityinfo` (security-info-access.ts) and is audited.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { decodeJwt } from "jose";
import type { UserCaller } from "../auth/caller.js";
import { AccessDeniedError } from "../errors/access-denied-error.js";
import { type MethodSegment, methodContextPath, methodRepresentation } from "../operations/me/authentication-method-representation.js";
import { startFido2Registration, verifyFido2Registration } from "../operations/me/fido2-registration.js";
import { getMyMethod, listMyAuthenticationMethods, listMyMethodsOfKind } from "../operations/me/list-my-authentication-methods.js";
import { removeMyAuthenticationMethod } from "../operations/me/remove-my-authentication-method.js";
import type { SecurityInfoDeps } from "../operations/me/security-info-access.js";
import type { RelyingParty, SelfServiceOperation } from "../operations/me/self-service.js";
import { startSoftwareOathRegistration, verifySoftwareOathRegistration } from "../operations/me/software-oath-registration.js";
import { addRoute, baseUrl, odataContext, operationContext, params, type RouteDeps, setWarnings } from "./route-support.js";

export interface MeRouteOptions {
  /** The sign-in service's issuer: its host is the WebAuthn relying party, its origin the expected origin. */
  oidcIssuer?: string | undefined;
  trustedProxies?: readonly string[] | undefined;
  lookupCountry?: ((ip: string) => string | null) | undefined;
}

const TAG = "My security info";
const BASE = "/v1.0/me/authentication";

/** The caller as a user: an application's own token has no "me". */
function userCallerOf(request: FastifyRequest): UserCaller {
  const caller = request.caller;
  if (caller === null || caller.kind !== "user")
    throw new AccessDeniedError("Only a signed-in user manages their own security info; an application's token has no /me.");
  return caller;
}

/** The token's client application (`azp`; the hook has verified the token), for the sign-in record. */
async function clientOf(request: FastifyRequest, deps: RouteDeps): Promise<{ appId: string; displayName: string }> {
  let appId: string | undefined;
  try {
    const token = /^Bearer\s+(\S+)/i.exec(request.headers.authorization ?? "")?.[1];
    const claims = token === undefined ? {} : decodeJwt(token);
    const azp = claims.azp ?? claims.appid ?? claims.client_id;
    if (typeof azp === "string" && azp !== "") appId = azp;
  } catch {
    appId = undefined;
  }
  if (appId === undefined) return { appId: "", displayName: "" };
  const application = await deps.store.applications.getByAppId(appId).catch(() => null);
  return { appId, displayName: application?.displayName ?? appId };
}

export function registerMeRoutes(app: FastifyInstance, deps: RouteDeps, options: MeRouteOptions = {}): void {
  const security: SecurityInfoDeps = {
    compiledTenant: () => deps.cache.get(),
    lookupCountry: options.lookupCountry,
    trustedProxies: options.trustedProxies,
  };
  const issuer = options.oidcIssuer === undefined ? null : new URL(options.oidcIssuer);

  /** The relying party: the sign-in service's, else this server's own address (the portal is served here). */
  const relyingParty = (request: FastifyRequest): RelyingParty => {
    if (issuer !== null) return { rpId: issuer.hostname, origin: issuer.origin };
    const origin = new URL(baseUrl(request));
    return { rpId: origin.hostname, origin: origin.origin };
  };

  async function operation(request: FastifyRequest): Promise<SelfServiceOperation> {
    const caller = userCallerOf(request);
    const ctx = { ...operationContext(request, deps), caller };
    return { ctx, deps: security, request: { ctx, raw: request.raw, client: await clientOf(request, deps) } };
  }

  const created = (
    request: FastifyRequest,
    reply: FastifyReply,
    segment: MethodSegment,
    method: Parameters<typeof methodRepresentation>[0],
  ) => {
    reply.code(201).header("location", `${baseUrl(request)}${BASE}/${segment}/${method.id}`);
    return { "@odata.context": odataContext(request, methodContextPath(method)), ...methodRepresentation(method) };
  };

  addRoute(
    app,
    "GET",
    `${BASE}/methods`,
    "authenticationMethods.self",
    "List your authentication methods (never secrets)",
    TAG,
    async (request) => {
      const ctx = { ...operationContext(request, deps), caller: userCallerOf(request) };
      return {
        "@odata.context": odataContext(request, "users('me')/authentication/methods"),
        value: await listMyAuthenticationMethods(ctx),
      };
    },
  );

  for (const segment of ["softwareOathMethods", "fido2Methods"] as const) {
    const what = segment === "fido2Methods" ? "a passkey" : "an authenticator app (TOTP)";
    const kind = segment === "fido2Methods" ? "passkeys" : "authenticator apps (TOTP)";
    addRoute(app, "GET", `${BASE}/${segment}`, "authenticationMethods.self", `List your ${kind}`, TAG, async (request) => {
      const ctx = { ...operationContext(request, deps), caller: userCallerOf(request) };
      return {
        "@odata.context": odataContext(request, `users('me')/authentication/${segment}`),
        value: (await listMyMethodsOfKind(ctx, segment)).map(methodRepresentation),
      };
    });
    addRoute(app, "GET", `${BASE}/${segment}/:id`, "authenticationMethods.self", `Get ${what} of yours`, TAG, async (request) => {
      const ctx = { ...operationContext(request, deps), caller: userCallerOf(request) };
      const method = await getMyMethod(ctx, segment, params(request).id ?? "");
      return { "@odata.context": odataContext(request, methodContextPath(method)), ...methodRepresentation(method) };
    });
    addRoute(
      app,
      "DELETE",
      `${BASE}/${segment}/:id`,
      "authenticationMethods.self",
      `Remove ${what} of yours (Conditional Access: registersecurityinfo)`,
      TAG,
      async (request, reply) => {
        const warnings = await removeMyAuthenticationMethod(await operation(request), segment, params(request).id ?? "");
        setWarnings(reply, warnings);
        return reply.code(204).send();
      },
    );
  }

  addRoute(
    app,
    "POST",
    `${BASE}/softwareOathMethods/registration`,
    "authenticationMethods.self",
    "Start registering an authenticator app (TOTP): a secret and its otpauth URI (Conditional Access: registersecurityinfo)",
    TAG,
    async (request, reply) => {
      const started = await startSoftwareOathRegistration(await operation(request), request.body);
      reply.code(201).header("cache-control", "no-store");
      return started;
    },
  );
  addRoute(
    app,
    "POST",
    `${BASE}/softwareOathMethods/registration/:registrationId/verify`,
    "authenticationMethods.self",
    "Complete an authenticator app registration with a first code: the new softwareOathAuthenticationMethod",
    TAG,
    async (request, reply) => {
      const method = await verifySoftwareOathRegistration(await operation(request), params(request).registrationId ?? "", request.body);
      return created(request, reply, "softwareOathMethods", method);
    },
  );
  addRoute(
    app,
    "POST",
    `${BASE}/fido2Methods/registration`,
    "authenticationMethods.self",
    "Start registering a passkey: WebAuthn creation options (Conditional Access: registersecurityinfo)",
    TAG,
    async (request, reply) => {
      const started = await startFido2Registration(await operation(request), relyingParty(request), request.body);
      reply.code(201).header("cache-control", "no-store");
      return started;
    },
  );
  addRoute(
    app,
    "POST",
    `${BASE}/fido2Methods/registration/:registrationId/verify`,
    "authenticationMethods.self",
    "Complete a passkey registration with the browser's PublicKeyCredential: the new fido2AuthenticationMethod",
    TAG,
    async (request, reply) => {
      const method = await verifyFido2Registration(
        await operation(request),
        relyingParty(request),
        params(request).registrationId ?? "",
        request.body,
      );
      return created(request, reply, "fido2Methods", method);
    },
  );
}
