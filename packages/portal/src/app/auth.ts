/**
 * Sign-in for the portal: OpenID Connect authorization code + PKCE against the server's
 * `/oauth2` as the "Gatehouse Portal" public client, for the Gatehouse Management API.
 * Tokens live in sessionStorage (this tab only); a refresh token is used when the server
 * issues one; otherwise an expired access token sends the user through sign-in again.
 */

export const PORTAL_CLIENT_ID = "d524cdec-f8d4-45b4-80ef-bccae60cc8e9";
export const MANAGEMENT_API_APP_ID = "09ad88fd-851b-4fff-8032-826b4dc695e0";
export const SCOPE = `openid profile offline_access ${MANAGEMENT_API_APP_ID}/.default`;
export const CALLBACK_PATH = "/auth/callback";

const TOKENS_KEY = "gatehouse.tokens";
const PENDING_KEY = "gatehouse.signin";

export interface Tokens {
  accessToken: string;
  /** Epoch milliseconds. */
  expiresAt: number;
  refreshToken?: string;
  idToken?: string;
}

export interface Account {
  id: string;
  name: string;
  userPrincipalName: string;
}

interface PendingSignIn {
  state: string;
  nonce: string;
  verifier: string;
  returnTo: string;
}

interface Discovery {
  authorization_endpoint: string;
  token_endpoint: string;
  end_session_endpoint?: string;
}

let discovery: Promise<Discovery> | null = null;

function discover(): Promise<Discovery> {
  discovery ??= fetch("/oauth2/.well-known/openid-configuration").then(async (response) => {
    if (!response.ok) throw new Error(`The sign-in service is not available (HTTP ${response.status}). Is the server run with --oidc?`);
    return (await response.json()) as Discovery;
  });
  discovery.catch(() => {
    discovery = null;
  });
  return discovery;
}

const base64Url = (bytes: Uint8Array): string =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");

function randomString(bytes = 32): string {
  return base64Url(crypto.getRandomValues(new Uint8Array(bytes)));
}

async function challengeOf(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return base64Url(new Uint8Array(digest));
}

export function redirectUri(): string {
  return `${window.location.origin}${CALLBACK_PATH}`;
}

export function readTokens(): Tokens | null {
  const text = sessionStorage.getItem(TOKENS_KEY);
  if (text === null) return null;
  try {
    const tokens = JSON.parse(text) as Tokens;
    return typeof tokens.accessToken === "string" && typeof tokens.expiresAt === "number" ? tokens : null;
  } catch {
    return null;
  }
}

export function storeTokens(tokens: Tokens): void {
  sessionStorage.setItem(TOKENS_KEY, JSON.stringify(tokens));
}

export function clearTokens(): void {
  sessionStorage.removeItem(TOKENS_KEY);
}

function decodeJwtPayload(token: string): Record<string, unknown> | null {
  const part = token.split(".")[1];
  if (part === undefined) return null;
  try {
    const json = atob(part.replace(/-/g, "+").replace(/_/g, "/"));
    const bytes = Uint8Array.from(json, (c) => c.charCodeAt(0));
    return JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
  } catch {
    return null;
  }
}

export function accountOf(tokens: Tokens): Account | null {
  const claims = decodeJwtPayload(tokens.idToken ?? tokens.accessToken) ?? {};
  const access = decodeJwtPayload(tokens.accessToken) ?? {};
  const id = String(access.oid ?? claims.sub ?? "");
  if (id === "") return null;
  const upn = String(claims.preferred_username ?? access.upn ?? access.preferred_username ?? "");
  return { id, name: String(claims.name ?? access.name ?? upn ?? id), userPrincipalName: upn };
}

export interface SignInOptions {
  /**
   * `acr_values` of the authorization request (space-separated): the assurance a claims
   * challenge asked for, e.g. a second factor; the sign-in service then asks for it.
   */
  acrValues?: readonly string[];
}

/** Starts the authorization code flow: the browser leaves for the sign-in page. */
export async function signIn(
  returnTo: string = window.location.pathname + window.location.search,
  options: SignInOptions = {},
): Promise<never> {
  const config = await discover();
  const pending: PendingSignIn = {
    state: randomString(16),
    nonce: randomString(16),
    verifier: randomString(48),
    returnTo: returnTo.startsWith("/") && !returnTo.startsWith(CALLBACK_PATH) ? returnTo : "/",
  };
  sessionStorage.setItem(PENDING_KEY, JSON.stringify(pending));
  const url = new URL(config.authorization_endpoint, window.location.origin);
  url.search = new URLSearchParams({
    client_id: PORTAL_CLIENT_ID,
    response_type: "code",
    redirect_uri: redirectUri(),
    scope: SCOPE,
    state: pending.state,
    nonce: pending.nonce,
    code_challenge: await challengeOf(pending.verifier),
    code_challenge_method: "S256",
    ...(options.acrValues !== undefined && options.acrValues.length > 0 ? { acr_values: options.acrValues.join(" ") } : {}),
  }).toString();
  window.location.assign(url.toString());
  return new Promise<never>(() => {});
}

interface TokenResponse {
  access_token?: string;
  expires_in?: number;
  refresh_token?: string;
  id_token?: string;
  error?: string;
  error_description?: string;
}

async function postToken(body: Record<string, string>): Promise<Tokens> {
  const config = await discover();
  const response = await fetch(config.token_endpoint, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(body).toString(),
  });
  const json = (await response.json().catch(() => ({}))) as TokenResponse;
  if (!response.ok || typeof json.access_token !== "string") {
    throw new SignInError(json.error ?? `http_${response.status}`, json.error_description ?? "The token request was refused.");
  }
  const tokens: Tokens = { accessToken: json.access_token, expiresAt: Date.now() + (json.expires_in ?? 3600) * 1000 };
  if (json.refresh_token) tokens.refreshToken = json.refresh_token;
  if (json.id_token) tokens.idToken = json.id_token;
  return tokens;
}

export class SignInError extends Error {
  override readonly name = "SignInError";
  constructor(
    readonly code: string,
    description: string,
  ) {
    super(description);
  }
}

/** Completes the flow on the callback page: returns where to go next. */
export async function completeSignIn(search: string): Promise<string> {
  const params = new URLSearchParams(search);
  const pendingText = sessionStorage.getItem(PENDING_KEY);
  sessionStorage.removeItem(PENDING_KEY);
  const error = params.get("error");
  if (error !== null) throw new SignInError(error, params.get("error_description") ?? "The sign-in did not complete.");
  if (pendingText === null) throw new SignInError("no_pending_sign_in", "This sign-in was not started in this tab. Sign in again.");
  const pending = JSON.parse(pendingText) as PendingSignIn;
  if (params.get("state") !== pending.state) throw new SignInError("state_mismatch", "The sign-in answer does not match its request.");
  const code = params.get("code");
  if (code === null) throw new SignInError("no_code", "The sign-in answer carries no authorization code.");
  const tokens = await postToken({
    grant_type: "authorization_code",
    code,
    redirect_uri: redirectUri(),
    client_id: PORTAL_CLIENT_ID,
    code_verifier: pending.verifier,
  });
  if (tokens.idToken !== undefined && decodeJwtPayload(tokens.idToken)?.nonce !== pending.nonce) {
    throw new SignInError("nonce_mismatch", "The ID token does not answer this sign-in.");
  }
  storeTokens(tokens);
  return pending.returnTo;
}

let refreshing: Promise<Tokens | null> | null = null;

/** A current access token: refreshed with the refresh token when it is about to expire; null when sign-in is needed. */
export async function currentAccessToken(): Promise<string | null> {
  const tokens = readTokens();
  if (tokens === null) return null;
  if (tokens.expiresAt - Date.now() > 60_000) return tokens.accessToken;
  if (tokens.refreshToken === undefined) return tokens.expiresAt > Date.now() ? tokens.accessToken : null;
  refreshing ??= postToken({ grant_type: "refresh_token", refresh_token: tokens.refreshToken, client_id: PORTAL_CLIENT_ID })
    .then((fresh) => {
      storeTokens({
        ...fresh,
        idToken: fresh.idToken ?? tokens.idToken,
        refreshToken: fresh.refreshToken ?? tokens.refreshToken,
      } as Tokens);
      return fresh;
    })
    .catch(() => null)
    .finally(() => {
      refreshing = null;
    });
  const fresh = await refreshing;
  return fresh?.accessToken ?? null;
}

/** Forgets this tab's tokens (the sign-in service keeps no single sign-on session for the portal). */
export function signOut(): void {
  clearTokens();
  window.location.assign("/");
}
