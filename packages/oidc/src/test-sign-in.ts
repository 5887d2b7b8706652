/** Test helpers for the interactive sign-in: an in-process browser (cookie jar), the portal's flow, users, codes. */
import { createHash } from "node:crypto";
import type { SignInLogEntry } from "@gatehouse/engine";
import { hashPassword } from "@gatehouse/server";
import type { Store, UserRecord } from "@gatehouse/store";
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import { decodeJwt } from "jose";
import { generate } from "otplib";
import { expect } from "vitest";
import { GATEHOUSE_PORTAL_APP_ID } from "./index.js";
import { form } from "./test-tenant.js";

export const FORM = { "content-type": "application/x-www-form-urlencoded" };
export const REDIRECT_URI = "http://127.0.0.1:8080/auth/callback";
export const VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk-long-enough-verifier";
export const CHALLENGE = createHash("sha256").update(VERIFIER).digest("base64url");
export const CHROME_ON_WINDOWS =
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.6723.58 Safari/537.36";

export interface TestBrowser {
  get(url: string): Promise<LightMyRequestResponse>;
  post(url: string, fields: Record<string, string>): Promise<LightMyRequestResponse>;
}

/** A browser that never leaves the test: cookies kept, a User-Agent and a client address of our choosing. */
export function testBrowser(
  app: () => FastifyInstance,
  /** `userAgent: null` sends none of our own (light-my-request's default then). */
  options: { userAgent?: string | null; remoteAddress?: string; headers?: Record<string, string> } = {},
): TestBrowser {
  const jar = new Map<string, string>();
  const keep = (res: LightMyRequestResponse) => {
    for (const c of res.cookies as Array<{ name: string; value: string; expires?: Date }>) {
      if (c.value === "" || (c.expires !== undefined && c.expires.getTime() < Date.now())) jar.delete(c.name);
      else jar.set(c.name, c.value);
    }
    return res;
  };
  const headers = () => ({
    cookie: [...jar].map(([k, v]) => `${k}=${v}`).join("; "),
    ...(options.userAgent === null ? {} : { "user-agent": options.userAgent ?? CHROME_ON_WINDOWS }),
    ...options.headers,
  });
  const remoteAddress = options.remoteAddress ?? "127.0.0.1";
  return {
    get: async (url) => keep(await app().inject({ method: "GET", url, headers: headers(), remoteAddress })),
    post: async (url, fields) =>
      keep(await app().inject({ method: "POST", url, headers: { ...FORM, ...headers() }, payload: form(fields), remoteAddress })),
  };
}

export const pathOf = (location: unknown): string => {
  const url = new URL(String(location), "http://localhost");
  return `${url.pathname}${url.search}`;
};

export const csrfOf = (body: string): string => {
  const csrf = /name="csrf" value="([^"]+)"/.exec(body)?.[1];
  if (csrf === undefined) throw new Error(`no anti-CSRF token in the page: ${body.slice(0, 400)}`);
  return csrf;
};

/** The portal's authorization request (code + PKCE) for the Management API; the sign-in page's path and token. */
export async function startPortalSignIn(b: TestBrowser, extra: Record<string, string> = {}): Promise<{ signInPath: string; csrf: string }> {
  const authorize = await b.get(
    `/oauth2/auth?${form({
      ...extra,
      client_id: GATEHOUSE_PORTAL_APP_ID,
      response_type: "code",
      redirect_uri: REDIRECT_URI,
      scope: "openid profile api://gatehouse-management/.default",
      state: "st-1",
      nonce: "n-1",
      code_challenge: CHALLENGE,
      code_challenge_method: "S256",
    })}`,
  );
  expect(authorize.statusCode).toBe(303);
  const signInPath = pathOf(authorize.headers.location);
  expect(signInPath).toMatch(/^\/signin\/[A-Za-z0-9_-]+$/);
  const formPage = await b.get(signInPath);
  expect(formPage.statusCode).toBe(200);
  return { signInPath, csrf: csrfOf(formPage.body) };
}

/** Follows an interaction result (303 to the provider's resume URL) back to the portal's redirect URI. */
export async function backToPortal(b: TestBrowser, res: LightMyRequestResponse): Promise<URL> {
  expect(res.statusCode).toBe(303);
  const resume = await b.get(pathOf(res.headers.location));
  expect(resume.statusCode).toBe(303);
  const back = new URL(String(resume.headers.location));
  expect(`${back.origin}${back.pathname}`).toBe(REDIRECT_URI);
  return back;
}

export async function redeemCode(app: FastifyInstance, code: string) {
  const token = await app.inject({
    method: "POST",
    url: "/oauth2/token",
    headers: FORM,
    payload: form({
      grant_type: "authorization_code",
      code,
      redirect_uri: REDIRECT_URI,
      client_id: GATEHOUSE_PORTAL_APP_ID,
      code_verifier: VERIFIER,
    }),
  });
  expect(token.statusCode).toBe(200);
  const body = token.json() as { access_token: string; id_token: string };
  return { accessToken: decodeJwt(body.access_token), idToken: decodeJwt(body.id_token), raw: body };
}

export async function createUser(store: Store, userPrincipalName: string, password: string): Promise<UserRecord> {
  const user = await store.users.create({ userPrincipalName, displayName: userPrincipalName.split("@")[0] ?? userPrincipalName });
  await store.users.setPasswordHash(user.id, await hashPassword(password));
  return user;
}

/** A TOTP code for `secret` (base32) at a time. */
export const totpAt = (secret: string, at: Date): Promise<string> => generate({ secret, epoch: Math.floor(at.getTime() / 1000) });

/** The secret shown on the registration page (grouped by four). */
export const shownSecret = (body: string): string => {
  const shown = /id="totp-secret">([^<]+)</.exec(body)?.[1];
  if (shown === undefined) throw new Error("no TOTP secret on the page");
  return shown.replace(/\s+/g, "");
};

/** The WebAuthn options of a passkey page. */
export const webauthnOptionsOf = (body: string): { challenge: string; rpId?: string; rp?: { id: string } } => {
  const json = /<script type="application\/json" id="webauthn-options">([^<]*)<\/script>/.exec(body)?.[1];
  if (json === undefined) throw new Error("no WebAuthn options in the page");
  return JSON.parse(json);
};

export async function signInsOf(store: Store, userId: string): Promise<SignInLogEntry[]> {
  const records = (await store.signIns.list({ filter: { userId } })).value as SignInLogEntry[];
  return [...records].sort((a, b) => a.createdDateTime.localeCompare(b.createdDateTime));
}

/** A policy's result in a record. */
export const resultOf = (record: SignInLogEntry | undefined, policyId: string): string | undefined =>
  record?.appliedConditionalAccessPolicies.find((p) => p.id === policyId)?.result;

const AUDIT = {
  initiatedBy: { user: { id: "00000000-0000-4000-8000-00000000000a", userPrincipalName: "test@contoso.test" } },
  correlationId: "c0ffee00-0000-4000-8000-000000000002",
};

/** Turns a stored policy on, off or to report-only. */
export async function setPolicyState(
  store: Store,
  id: string,
  state: "enabled" | "disabled" | "enabledForReportingButNotEnforced",
): Promise<void> {
  const record = await store.policies.get(id);
  if (record === null) throw new Error(`no policy ${id}`);
  await store.policies.update(id, { ...record.policy, state }, { audit: AUDIT });
}
