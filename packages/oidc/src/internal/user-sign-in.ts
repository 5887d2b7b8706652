/**
 * The sign-in page (oidc-provider's interaction) for the authorization code flow: the user
 * signs in with a password (argon2id hash in the store), then Conditional Access decides for
 * the requested resource (or the client when no resource is named). `grant` completes the
 * sign-in (a first-party client needs no consent); `challenge` is refused with
 * `interaction_required` until the MFA ceremonies exist; `block` with `access_denied` and
 * AADSTS53003. Every evaluation is a sign-in record. The form carries an anti-CSRF token bound
 * to the interaction, and the interaction cookie is httpOnly and SameSite=Lax. There is no
 * silent single sign-on yet (`loadExistingGrant`), and device code sign-ins are refused here
 * until they are evaluated with their own context (R30).
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { Store } from "@gatehouse/store";
import { hash as argon2Hash, verify } from "@node-rs/argon2";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type Provider from "oidc-provider";
import { defaultScopeResources, defaultScopesOf, findResource, resourceIndicatorFor } from "./resources.js";
import { evaluateUserSignIn, type WorkloadAccessDeps } from "./workload-access.js";

export interface UserSignInDeps extends WorkloadAccessDeps {
  provider: Provider;
  /** Secret for the anti-CSRF tokens. */
  formKey: string;
  peerAddress: (request: FastifyRequest) => string | null;
  correlationId: (request: FastifyRequest) => string;
  report: (message: string, error: unknown) => void;
}

/** The interaction URL's path prefix (outside the provider's mount path, served by Fastify). */
export const SIGN_IN_PATH = "/signin";

const OIDC_SCOPES = new Set(["openid", "profile", "email"]);

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string);

function page(title: string, body: string): string {
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title></head><body><main><h1>${escapeHtml(title)}</h1>${body}</main></body></html>`;
}

function loginForm(uid: string, csrf: string, message: string | null, username = ""): string {
  const error = message === null ? "" : `<p role="alert">${escapeHtml(message)}</p>`;
  return page(
    "Sign in",
    `${error}<form method="post" action="${SIGN_IN_PATH}/${encodeURIComponent(uid)}/login" autocomplete="on">` +
      `<input type="hidden" name="csrf" value="${escapeHtml(csrf)}">` +
      `<label>Email or username <input name="username" type="email" autocomplete="username" required value="${escapeHtml(username)}"></label>` +
      `<label>Password <input name="password" type="password" autocomplete="current-password" required></label>` +
      `<button type="submit">Sign in</button></form>`,
  );
}

export function registerUserSignIn(app: FastifyInstance, deps: UserSignInDeps): void {
  const { provider, store } = deps;
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

  const sendPage = (reply: FastifyReply, status: number, html: string) =>
    reply.code(status).header("cache-control", "no-store").type("text/html; charset=utf-8").send(html);

  async function details(request: FastifyRequest, reply: FastifyReply) {
    try {
      const interaction = await provider.interactionDetails(request.raw, reply.raw);
      const uid = (request.params as { uid?: string }).uid;
      if (interaction.uid !== uid) return null;
      return interaction;
    } catch {
      return null;
    }
  }

  const expired = (reply: FastifyReply) =>
    sendPage(
      reply,
      400,
      page("Sign-in expired", "<p>This sign-in has expired or was opened in another browser. Start again from the application.</p>"),
    );

  void app.register(async (scope) => {
    scope.addContentTypeParser("application/x-www-form-urlencoded", { parseAs: "string", bodyLimit: 8192 }, (_request, body, done) => {
      done(null, new URLSearchParams(String(body)));
    });

    scope.get(`${SIGN_IN_PATH}/:uid`, async (request, reply) => {
      const interaction = await details(request, reply);
      if (interaction === null) return expired(reply);
      if (interaction.prompt.name !== "login" && interaction.prompt.name !== "consent") return expired(reply);
      return sendPage(reply, 200, loginForm(interaction.uid, csrfFor(interaction.uid), null));
    });

    scope.post(`${SIGN_IN_PATH}/:uid/login`, async (request, reply) => {
      const interaction = await details(request, reply);
      if (interaction === null) return expired(reply);
      const fields = request.body instanceof URLSearchParams ? request.body : new URLSearchParams();
      if (!csrfMatches(interaction.uid, fields.get("csrf"))) {
        return sendPage(
          reply,
          403,
          page("Sign-in refused", "<p>The form was not sent from this sign-in page. Start again from the application.</p>"),
        );
      }
      const username = (fields.get("username") ?? "").trim();
      const password = fields.get("password") ?? "";
      const correlationId = deps.correlationId(request);
      let user: Awaited<ReturnType<Store["users"]["getByUserPrincipalName"]>> = null;
      let passwordOk = false;
      try {
        user = username === "" ? null : await store.users.getByUserPrincipalName(username);
        const hash = user === null ? null : await store.users.getPasswordHash(user.id);
        passwordOk = (await verify(hash ?? (await dummyHash), password).catch(() => false)) && hash !== null && password !== "";
      } catch (error) {
        deps.report("sign-in refused: the directory could not be read", error);
        return sendPage(reply, 503, page("Sign-in unavailable", `<p>Try again later. Correlation ID: ${escapeHtml(correlationId)}</p>`));
      }
      if (user === null || !passwordOk || !user.accountEnabled) {
        return sendPage(
          reply,
          200,
          loginForm(interaction.uid, csrfFor(interaction.uid), "Your account or password is incorrect.", username),
        );
      }

      if (interaction.deviceCode !== undefined) {
        // The device code flow needs its own context (R30: deviceCodeFlow, the desktop client
        // type); until it is evaluated that way, it cannot be completed here.
        const url = await provider.interactionResult(
          request.raw,
          reply.raw,
          { error: "access_denied", error_description: "device code sign-in is not available yet" },
          { mergeWithLastSubmission: false },
        );
        return reply.code(303).header("cache-control", "no-store").redirect(url, 303);
      }
      const params = interaction.params as Record<string, unknown>;
      const clientId = String(params.client_id ?? "");
      const requested = typeof params.resource === "string" ? params.resource : undefined;
      const named = defaultScopeResources(params.scope);
      const indicator = requested ?? (named[0] !== undefined ? resourceIndicatorFor(named[0]) : undefined);
      const [resource, client] = await Promise.all([
        findResource(store, indicator ?? clientId).catch(() => null),
        findResource(store, clientId).catch(() => null),
      ]);
      const finish = async (result: Parameters<Provider["interactionResult"]>[2]) => {
        const url = await provider.interactionResult(request.raw, reply.raw, result, { mergeWithLastSubmission: false });
        return reply.code(303).header("cache-control", "no-store").redirect(url, 303);
      };
      if (resource === null || client === null) {
        return finish({ error: "invalid_target", error_description: "the requested resource or the client is not in this tenant" });
      }
      const verdict = await evaluateUserSignIn(deps, {
        user: { id: user.id, userPrincipalName: user.userPrincipalName, displayName: user.displayName },
        client: { appId: client.application.appId, displayName: client.application.displayName },
        resource,
        ipAddress: deps.peerAddress(request),
        correlationId,
        authenticationMethods: ["password"],
        clientAppType: "browser",
      });
      if (verdict.outcome === "unavailable") {
        deps.report("sign-in refused: Conditional Access could not be evaluated", verdict.cause);
        return finish({
          error: "temporarily_unavailable",
          error_description: `AADSTS90033: Conditional Access cannot be evaluated right now. Correlation ID: ${correlationId}`,
        });
      }
      if (verdict.outcome === "block") {
        return finish({
          error: "access_denied",
          error_description: `AADSTS${verdict.errorCode}: ${verdict.failureReason} Correlation ID: ${correlationId}`,
        });
      }
      if (verdict.outcome === "challenge") {
        // The MFA ceremonies come next; until then a required step refuses the sign-in.
        return finish({
          error: "interaction_required",
          error_description: `AADSTS${verdict.errorCode}: ${verdict.failureReason} Correlation ID: ${correlationId}`,
        });
      }
      const grant = new provider.Grant({ accountId: user.id, clientId });
      const oidcScopes = String(params.scope ?? "")
        .split(" ")
        .filter((s) => OIDC_SCOPES.has(s));
      if (oidcScopes.length > 0) grant.addOIDCScope(oidcScopes.join(" "));
      if (indicator !== undefined) grant.addResourceScope(indicator, defaultScopesOf(indicator, resource));
      const grantId = await grant.save();
      return finish({ login: { accountId: user.id, amr: ["pwd"], remember: false }, consent: { grantId } });
    });
  });
}
