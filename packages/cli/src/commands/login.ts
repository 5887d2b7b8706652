/**
 * `gatehouse login --server URL`: signs in with the device code flow (RFC 8628) as the
 * "Gatehouse CLI" client: prints the verification URI and the user code (stderr), polls the
 * token endpoint by the interval / slow_down rules, and keeps the tokens in the user's config
 * folder (0600 file, 0700 folder; see credentials-file.ts). The sign-in and any MFA happen in
 * a browser, where Conditional Access evaluates the sign-in as a desktop client using the
 * device code flow (R30).
 * `gatehouse logout [--server URL]`: revokes the refresh token(s) and deletes the stored tokens.
 * Every error is one line on stderr; exit 2 for usage errors, 3 for every other failure
 * (the server is unreachable, the sign-in was refused or expired).
 */
import type { Command } from "commander";
import { CliError, ExitCode } from "../cli-error.js";
import type { CliIo } from "../cli-io.js";
import { readAllCredentials, readServerCredentials, removeServerCredentials, saveServerCredentials } from "../remote/credentials-file.js";
import { jwtClaims, withTokens } from "../remote/remote-session.js";
import {
  discover,
  type Fetch,
  GATEHOUSE_CLI_CLIENT_ID,
  normalizeServerUrl,
  OAuthError,
  type PollClock,
  pollDeviceToken,
  revokeToken,
  startDeviceAuthorization,
} from "../remote/sign-in-client.js";

export interface LoginOptions {
  server?: string;
}

export interface LoginDeps {
  fetch?: Fetch;
  clock?: PollClock;
}

const realClock: PollClock = {
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  now: () => Date.now(),
};

function refusal(server: string, error: OAuthError): CliError {
  switch (error.error) {
    case "access_denied":
      return new CliError(`the sign-in to ${server} was refused: ${error.description || "access denied"}`, ExitCode.internal);
    case "expired_token":
      return new CliError(`the code expired before the sign-in to ${server} was completed; run gatehouse login again`, ExitCode.internal);
    default:
      return new CliError(`the sign-in to ${server} failed: ${error.message}`, ExitCode.internal);
  }
}

export async function runLogin(options: LoginOptions, io: CliIo, deps: LoginDeps = {}): Promise<number> {
  const server = normalizeServerUrl(options.server);
  const fetchImpl = deps.fetch ?? fetch;
  const clock = deps.clock ?? realClock;
  const endpoints = await discover(fetchImpl, server);
  try {
    const authorization = await startDeviceAuthorization(fetchImpl, endpoints);
    io.stderr.write(
      `To sign in, open ${authorization.verificationUri} in a browser and enter the code ${authorization.userCode}\n` +
        (authorization.verificationUriComplete === null ? "" : `(or open ${authorization.verificationUriComplete})\n`) +
        `Waiting for the sign-in (the code expires in ${Math.round(authorization.expiresInSeconds / 60)} minutes)...\n`,
    );
    const tokens = await pollDeviceToken(fetchImpl, endpoints, authorization, clock);
    const idClaims = jwtClaims(tokens.id_token);
    const account =
      (typeof idClaims?.preferred_username === "string" && idClaims.preferred_username) ||
      (typeof idClaims?.sub === "string" && idClaims.sub) ||
      String(jwtClaims(tokens.access_token)?.sub ?? "");
    const entry = withTokens(
      {
        server,
        issuer: endpoints.issuer,
        tokenEndpoint: endpoints.tokenEndpoint,
        revocationEndpoint: endpoints.revocationEndpoint,
        clientId: GATEHOUSE_CLI_CLIENT_ID,
        account,
        signedInDateTime: new Date(clock.now()).toISOString(),
      },
      tokens,
      clock.now(),
      null,
    );
    const previous = await readServerCredentials(io.env, server).catch(() => null);
    const path = await saveServerCredentials(io.env, entry);
    // A sign-in replaces the previous one: its refresh token is revoked (best effort).
    if (previous?.refreshToken && previous.revocationEndpoint !== null && previous.refreshToken !== entry.refreshToken) {
      await revokeToken(fetchImpl, previous.revocationEndpoint, previous.clientId, previous.refreshToken).catch(() => {});
    }
    io.stdout.write(`Signed in to ${server} as ${account}; tokens kept in ${path}\n`);
    return ExitCode.ok;
  } catch (error) {
    if (error instanceof OAuthError) throw refusal(server, error);
    throw error;
  }
}

export interface LogoutOptions {
  server?: string;
}

export async function runLogout(options: LogoutOptions, io: CliIo, deps: LoginDeps = {}): Promise<number> {
  const fetchImpl = deps.fetch ?? fetch;
  const entries =
    options.server === undefined
      ? await readAllCredentials(io.env)
      : await readServerCredentials(io.env, normalizeServerUrl(options.server)).then((e) => (e === null ? [] : [e]));
  if (entries.length === 0) {
    io.stdout.write(
      options.server === undefined ? "Not signed in to any server\n" : `Not signed in to ${normalizeServerUrl(options.server)}\n`,
    );
    return ExitCode.ok;
  }
  let failed: CliError | null = null;
  for (const entry of entries) {
    try {
      if (entry.refreshToken !== null && entry.revocationEndpoint !== null) {
        await revokeToken(fetchImpl, entry.revocationEndpoint, entry.clientId, entry.refreshToken);
      }
    } catch (error) {
      // The tokens are deleted anyway; say that the server may still honour the refresh token.
      failed = new CliError(
        `signed out locally, but ${entry.server} did not confirm the revocation (${error instanceof Error ? error.message : String(error)})`,
        ExitCode.internal,
      );
    }
    await removeServerCredentials(io.env, entry.server);
    io.stdout.write(`Signed out of ${entry.server}\n`);
  }
  if (failed !== null) throw failed;
  return ExitCode.ok;
}

const LOGIN_HELP = `
Tokens are kept in $GATEHOUSE_CONFIG_DIR, else $XDG_CONFIG_HOME/gatehouse, else
~/.config/gatehouse (credentials.json, readable by you only).

Exit codes: 0 signed in / out; 2 usage error; 3 the server cannot be reached, or the
sign-in was refused, cancelled or expired (errors are one line on stderr).`;

export function registerLoginCommands(program: Command, io: CliIo, setExitCode: (code: number) => void): void {
  program
    .command("login")
    .description("sign in to a Gatehouse server with the device code flow (the sign-in and any MFA happen in a browser)")
    .requiredOption("--server <url>", "the server's URL, e.g. http://127.0.0.1:8080")
    .addHelpText("after", LOGIN_HELP)
    .action(async (options: LoginOptions) => {
      setExitCode(await runLogin(options, io));
    });
  program
    .command("logout")
    .description("revoke the stored refresh token and delete the stored tokens (of one server, or of all)")
    .option("--server <url>", "the server to sign out of (default: every server)")
    .addHelpText("after", LOGIN_HELP)
    .action(async (options: LogoutOptions) => {
      setExitCode(await runLogout(options, io));
    });
}
