/**
 * The CLI's side of the sign-in service (OpenID Connect at `<server>/oauth2`): discovery, the
 * device authorization grant (RFC 8628) with its polling rules, refresh and revocation. The
 * CLI is the public "Gatehouse CLI" client (no secret); it asks for `openid profile
 * offline_access` and the Management API (`api://gatehouse-management/.default`).
 */
import { CliError, ExitCode, oneLine } from "../cli-error.js";

/** The Gatehouse CLI client (`@gatehouse/server`'s bootstrap registers it; a test checks both agree). */
export const GATEHOUSE_CLI_CLIENT_ID = "df31e4d4-5c89-42be-9981-b5f25fd4cc52";
/** The Management API resource, Entra style. */
export const MANAGEMENT_API_SCOPE = "api://gatehouse-management/.default";
export const LOGIN_SCOPE = `openid profile offline_access ${MANAGEMENT_API_SCOPE}`;
const DEVICE_CODE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";

export type Fetch = typeof fetch;

export interface SignInEndpoints {
  issuer: string;
  deviceAuthorizationEndpoint: string;
  tokenEndpoint: string;
  revocationEndpoint: string | null;
}

export interface TokenResponse {
  access_token: string;
  refresh_token?: string;
  id_token?: string;
  expires_in?: number;
  token_type?: string;
  scope?: string;
}

/** An OAuth error answer of the token endpoint (error, error_description). */
export class OAuthError extends Error {
  override readonly name = "OAuthError";
  constructor(
    readonly error: string,
    readonly description: string,
    readonly status: number,
  ) {
    super(description === "" ? error : `${error}: ${description}`);
  }
}

/** `https://host[:port][/path]` without a trailing slash; a usage error otherwise. */
export function normalizeServerUrl(value: string | undefined): string {
  const text = (value ?? "").trim();
  const url = URL.parse(text);
  if (text === "" || url === null || (url.protocol !== "http:" && url.protocol !== "https:") || url.search !== "" || url.hash !== "") {
    throw new CliError(`--server needs the server's http(s) URL, e.g. http://127.0.0.1:8080, not "${text}"`, ExitCode.usage);
  }
  if (url.username !== "" || url.password !== "") throw new CliError("--server must not carry a user name or password", ExitCode.usage);
  return `${url.origin}${url.pathname.replace(/\/+$/, "")}`;
}

async function send(fetchImpl: Fetch, url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetchImpl(url, { ...init, redirect: "error", signal: AbortSignal.timeout(30_000) });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const detail = cause?.code ?? cause?.message ?? (error as Error).message;
    throw new CliError(`cannot reach ${new URL(url).origin}: ${detail}`, ExitCode.internal);
  }
}

async function json(response: Response, what: string): Promise<Record<string, unknown>> {
  const text = await response.text();
  try {
    const value = JSON.parse(text) as unknown;
    if (typeof value === "object" && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new CliError(`${what} answered HTTP ${response.status} without a JSON object`, ExitCode.internal);
}

const str = (value: unknown): string | undefined => (typeof value === "string" && value !== "" ? value : undefined);

/** Reads `<server>/oauth2/.well-known/openid-configuration`. */
export async function discover(fetchImpl: Fetch, server: string): Promise<SignInEndpoints> {
  const url = `${server}/oauth2/.well-known/openid-configuration`;
  const response = await send(fetchImpl, url, { headers: { accept: "application/json" } });
  if (response.status === 404) {
    throw new CliError(
      `${server} has no sign-in service (no ${url}); is it a Gatehouse server started without --no-oidc?`,
      ExitCode.internal,
    );
  }
  if (!response.ok) throw new CliError(`the sign-in service of ${server} answered HTTP ${response.status} to discovery`, ExitCode.internal);
  const doc = await json(response, "discovery");
  const issuer = str(doc.issuer);
  const device = str(doc.device_authorization_endpoint);
  const token = str(doc.token_endpoint);
  if (issuer === undefined || device === undefined || token === undefined) {
    throw new CliError(`the sign-in service of ${server} does not offer the device code flow`, ExitCode.internal);
  }
  for (const endpoint of [device, token]) {
    const protocol = URL.parse(endpoint)?.protocol;
    if (protocol !== "https:" && protocol !== "http:")
      throw new CliError(`the discovery document of ${server} has an invalid endpoint`, ExitCode.internal);
  }
  return { issuer, deviceAuthorizationEndpoint: device, tokenEndpoint: token, revocationEndpoint: str(doc.revocation_endpoint) ?? null };
}

async function postForm(
  fetchImpl: Fetch,
  url: string,
  fields: Record<string, string>,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await send(fetchImpl, url, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
    body: new URLSearchParams(fields).toString(),
  });
  return { status: response.status, body: await json(response, new URL(url).pathname) };
}

function asOAuthError(status: number, body: Record<string, unknown>): OAuthError {
  return new OAuthError(str(body.error) ?? `http_${status}`, oneLine(str(body.error_description) ?? ""), status);
}

function asTokens(body: Record<string, unknown>): TokenResponse {
  const access = str(body.access_token);
  if (access === undefined) throw new CliError("the token endpoint answered without an access token", ExitCode.internal);
  return body as unknown as TokenResponse;
}

export interface DeviceAuthorization {
  deviceCode: string;
  userCode: string;
  verificationUri: string;
  verificationUriComplete: string | null;
  expiresInSeconds: number;
  /** RFC 8628 §3.2: default 5 s. */
  intervalSeconds: number;
}

export async function startDeviceAuthorization(fetchImpl: Fetch, endpoints: SignInEndpoints): Promise<DeviceAuthorization> {
  const { status, body } = await postForm(fetchImpl, endpoints.deviceAuthorizationEndpoint, {
    client_id: GATEHOUSE_CLI_CLIENT_ID,
    scope: LOGIN_SCOPE,
  });
  if (status !== 200) throw asOAuthError(status, body);
  const deviceCode = str(body.device_code);
  const userCode = str(body.user_code);
  const verificationUri = str(body.verification_uri);
  if (deviceCode === undefined || userCode === undefined || verificationUri === undefined) {
    throw new CliError("the device authorization answer lacks its device code, user code or verification URI", ExitCode.internal);
  }
  const expires = typeof body.expires_in === "number" && body.expires_in > 0 ? body.expires_in : 600;
  const interval = typeof body.interval === "number" && body.interval > 0 ? body.interval : 5;
  return {
    deviceCode,
    userCode,
    verificationUri,
    verificationUriComplete: str(body.verification_uri_complete) ?? null,
    expiresInSeconds: expires,
    intervalSeconds: interval,
  };
}

export interface PollClock {
  sleep(ms: number): Promise<void>;
  now(): number;
}

/**
 * Polls the token endpoint until the user completes or refuses the sign-in (RFC 8628 §3.5):
 * waits `interval` between requests, adds 5 s on every `slow_down`, keeps waiting on
 * `authorization_pending`, stops at `expires_in`. Any other error ends the polling.
 */
export async function pollDeviceToken(
  fetchImpl: Fetch,
  endpoints: SignInEndpoints,
  authorization: DeviceAuthorization,
  clock: PollClock,
): Promise<TokenResponse> {
  let interval = authorization.intervalSeconds * 1000;
  const deadline = clock.now() + authorization.expiresInSeconds * 1000;
  for (;;) {
    await clock.sleep(interval);
    if (clock.now() > deadline) throw new OAuthError("expired_token", "the code expired before the sign-in was completed", 400);
    const { status, body } = await postForm(fetchImpl, endpoints.tokenEndpoint, {
      grant_type: DEVICE_CODE_GRANT,
      client_id: GATEHOUSE_CLI_CLIENT_ID,
      device_code: authorization.deviceCode,
    });
    if (status === 200) return asTokens(body);
    const error = asOAuthError(status, body);
    if (error.error === "authorization_pending") continue;
    if (error.error === "slow_down") {
      interval += 5000;
      continue;
    }
    throw error;
  }
}

export async function refreshTokens(
  fetchImpl: Fetch,
  tokenEndpoint: string,
  clientId: string,
  refreshToken: string,
): Promise<TokenResponse> {
  const { status, body } = await postForm(fetchImpl, tokenEndpoint, {
    grant_type: "refresh_token",
    client_id: clientId,
    refresh_token: refreshToken,
  });
  if (status !== 200) throw asOAuthError(status, body);
  return asTokens(body);
}

/** RFC 7009: revokes a refresh token (and, with it, the session's grant). */
export async function revokeToken(fetchImpl: Fetch, revocationEndpoint: string, clientId: string, token: string): Promise<void> {
  const response = await send(fetchImpl, revocationEndpoint, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ token, token_type_hint: "refresh_token", client_id: clientId }).toString(),
  });
  // 200 also for an unknown or already revoked token (RFC 7009 §2.2).
  if (response.status !== 200) {
    const body = await response.text();
    throw new CliError(
      `the sign-in service refused to revoke the refresh token (HTTP ${response.status}): ${oneLine(body).slice(0, 200)}`,
      ExitCode.internal,
    );
  }
}
