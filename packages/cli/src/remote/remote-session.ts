/**
 * `remoteSession(server)`: a fresh Management API access token for the remote commands, from
 * the tokens `gatehouse login` stored. An access token that expires within a minute is
 * refreshed first (under the credentials lock; the rotated refresh token is stored at once).
 * The sign-in service re-runs Conditional Access at every refresh (spec R2): when it refuses,
 * the user gets one line telling them to run `gatehouse login` again, exit code 3.
 */
import { CliError, ExitCode } from "../cli-error.js";
import { readServerCredentials, type ServerCredentials, saveServerCredentials, withCredentialsLock } from "./credentials-file.js";
import { type Fetch, normalizeServerUrl, OAuthError, refreshTokens, type TokenResponse } from "./sign-in-client.js";

/** Refresh an access token this long before it expires. */
const EXPIRY_MARGIN_MS = 60_000;

export interface RemoteSessionOptions {
  env?: Readonly<Record<string, string | undefined>>;
  fetch?: Fetch;
  now?: () => number;
}

export interface RemoteSession {
  server: string;
  accessToken: string;
  account: string;
}

/** A JWT's claims, unverified (the CLI only reads what it was given; the server verifies). */
export function jwtClaims(token: string | undefined): Record<string, unknown> | null {
  const part = token?.split(".")[1];
  if (part === undefined) return null;
  try {
    const value = JSON.parse(Buffer.from(part, "base64url").toString("utf8")) as unknown;
    return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** The earlier of the access token's own expiry and `expires_in` from now. */
export function expiryOf(tokens: TokenResponse, now: number): string {
  const byAnswer = now + (typeof tokens.expires_in === "number" ? tokens.expires_in : 300) * 1000;
  const exp = jwtClaims(tokens.access_token)?.exp;
  const byToken = typeof exp === "number" ? exp * 1000 : Number.POSITIVE_INFINITY;
  return new Date(Math.min(byAnswer, byToken)).toISOString();
}

/** The credentials entry after a successful token answer (login or refresh). */
export function withTokens(
  entry: Omit<ServerCredentials, "accessToken" | "accessTokenExpiresAt" | "refreshToken">,
  tokens: TokenResponse,
  now: number,
  previousRefresh: string | null,
): ServerCredentials {
  return {
    ...entry,
    accessToken: tokens.access_token,
    accessTokenExpiresAt: expiryOf(tokens, now),
    // Rotation: a new refresh token replaces the old one (which is now spent).
    refreshToken: tokens.refresh_token ?? previousRefresh,
  };
}

const loginAgain = (server: string, why: string): CliError =>
  new CliError(`${why}; run gatehouse login --server ${server} again`, ExitCode.internal);

function fresh(entry: ServerCredentials, now: number): boolean {
  return Date.parse(entry.accessTokenExpiresAt) - EXPIRY_MARGIN_MS > now;
}

export async function remoteSession(server: string, options: RemoteSessionOptions = {}): Promise<RemoteSession> {
  const env = options.env ?? process.env;
  const fetchImpl = options.fetch ?? fetch;
  const now = options.now ?? Date.now;
  const url = normalizeServerUrl(server);
  const stored = await readServerCredentials(env, url);
  if (stored === null) throw loginAgain(url, `you are not signed in to ${url}`);
  if (fresh(stored, now())) return { server: url, accessToken: stored.accessToken, account: stored.account };

  return withCredentialsLock(env, async () => {
    // Another command may have refreshed while this one waited for the lock.
    const entry = await readServerCredentials(env, url);
    if (entry === null) throw loginAgain(url, `you are not signed in to ${url}`);
    if (fresh(entry, now())) return { server: url, accessToken: entry.accessToken, account: entry.account };
    if (entry.refreshToken === null) throw loginAgain(url, `the sign-in to ${url} has expired`);
    let tokens: TokenResponse;
    try {
      tokens = await refreshTokens(fetchImpl, entry.tokenEndpoint, entry.clientId, entry.refreshToken);
    } catch (error) {
      if (!(error instanceof OAuthError)) throw error;
      if (error.error === "invalid_grant") {
        // Refused by Conditional Access (AADSTS53003, 530036, 50076...) or the session ended.
        throw loginAgain(url, `the sign-in service refused to renew your sign-in to ${url} (${error.description || error.error})`);
      }
      if (error.error === "temporarily_unavailable") {
        throw new CliError(
          `the sign-in service of ${url} cannot decide right now (${error.description}); try again later`,
          ExitCode.internal,
        );
      }
      throw loginAgain(url, `the sign-in service of ${url} refused to renew your sign-in (${error.message})`);
    }
    const updated = withTokens(entry, tokens, now(), entry.refreshToken);
    await saveServerCredentials(env, updated);
    return { server: url, accessToken: updated.accessToken, account: updated.account };
  });
}
