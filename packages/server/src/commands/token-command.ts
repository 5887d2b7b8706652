/**
 * `gatehouse token --data DIR | --database-url URL --user UPN [--lifetime MINUTES]`: prints a
 * short-lived Management API access token for the user, signed with the tenant's key. The
 * operator's recovery and automation path: whoever can read the database can sign anything
 * anyway, so it grants nothing new; every use is in the audit log (written before the token
 * is printed: no audit record, no token).
 */
import { randomUUID } from "node:crypto";
import type { Store } from "@gatehouse/store";
import { decodeJwt } from "jose";
import { appendOperatorAudit, operatorInitiator } from "../bootstrap/bootstrap-audit.js";
import { GATEHOUSE_CLI_APP_ID } from "../bootstrap/well-known-applications.js";
import { issueManagementToken } from "../signing-keys.js";
import { CommandFailure, EXIT, runCommand, type ServerCommandIo, type ServerCommandRegistrar, writeLine } from "./command-io.js";
import { type StoreLocationOptions, storeOptionsHelp, withCommandStore } from "./open-command-store.js";

export const DEFAULT_TOKEN_LIFETIME_MINUTES = 15;
export const MAX_TOKEN_LIFETIME_MINUTES = 24 * 60;
export const OPERATOR_TOKEN_ACTIVITY = "Issued management token (operator)";

export interface TokenCommandOptions extends StoreLocationOptions {
  user: string;
  lifetime?: string | number;
}

export function parseLifetimeMinutes(value: string | number | undefined): number {
  if (value === undefined) return DEFAULT_TOKEN_LIFETIME_MINUTES;
  const text = String(value).trim();
  const minutes = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!(minutes >= 1 && minutes <= MAX_TOKEN_LIFETIME_MINUTES)) {
    throw new CommandFailure(`--lifetime needs whole minutes from 1 to ${MAX_TOKEN_LIFETIME_MINUTES}, got "${text}"`, EXIT.usage);
  }
  return minutes;
}

/** Issues the token and writes its audit record; returns the token. */
export async function issueOperatorToken(store: Store, upn: string, lifetimeMinutes: number, now: Date = new Date()): Promise<string> {
  if ((await store.tenant.get()) === null)
    throw new CommandFailure("there is no tenant in this database; run gatehouse init first", EXIT.usage);
  const user = await store.users.getByUserPrincipalName(upn.trim());
  if (user === null) throw new CommandFailure(`there is no user ${upn.trim()} in this tenant`, EXIT.problemsFound);
  if (!user.accountEnabled) throw new CommandFailure(`the account ${user.userPrincipalName} is disabled`, EXIT.problemsFound);
  const token = await issueManagementToken(store, { userId: user.id, appId: GATEHOUSE_CLI_APP_ID, lifetimeSeconds: lifetimeMinutes * 60 });
  const claims = decodeJwt(token);
  await appendOperatorAudit(
    store,
    {
      category: "Authentication",
      activityDisplayName: OPERATOR_TOKEN_ACTIVITY,
      operationType: "Add",
      target: { id: user.id, displayName: user.displayName, type: "User", userPrincipalName: user.userPrincipalName },
      additionalDetails: [
        { key: "tokenId", value: String(claims.jti ?? "") },
        { key: "appId", value: GATEHOUSE_CLI_APP_ID },
        { key: "lifetimeMinutes", value: String(lifetimeMinutes) },
        { key: "expiresDateTime", value: typeof claims.exp === "number" ? new Date(claims.exp * 1000).toISOString() : "" },
      ],
    },
    { initiatedBy: operatorInitiator("token"), correlationId: randomUUID(), now },
  );
  return token;
}

export async function runToken(options: TokenCommandOptions, io: ServerCommandIo): Promise<number> {
  const minutes = parseLifetimeMinutes(options.lifetime);
  const token = await withCommandStore(options, (store) => issueOperatorToken(store, options.user, minutes));
  writeLine(io.stdout, token);
  return EXIT.ok;
}

export const registerTokenCommand: ServerCommandRegistrar = (program, io, setExitCode) => {
  const command = program
    .command("token")
    .description("print a short-lived Management API access token for a user (operator recovery and automation; audited)")
    .requiredOption("--user <upn>", "userPrincipalName of the user the token is for");
  for (const [flags, description] of storeOptionsHelp()) command.option(flags, description);
  command
    .option(
      "--lifetime <minutes>",
      `token lifetime in minutes, 1..${MAX_TOKEN_LIFETIME_MINUTES} (default ${DEFAULT_TOKEN_LIFETIME_MINUTES})`,
    )
    .action(async (options: TokenCommandOptions) => {
      await runCommand(io, setExitCode, () => runToken(options, io));
    });
};
