/**
 * `gatehouse init --data DIR | --database-url URL --admin UPN [--demo]`: creates the tenant
 * (see `initTenant`). The administrator's password comes from `GATEHOUSE_ADMIN_PASSWORD` or,
 * on a terminal, a hidden prompt (typed twice); without either the command refuses. There is
 * no default password. The break-glass passwords are printed once, here.
 */
import { type InitResult, initTenant, MIN_ADMIN_PASSWORD_LENGTH } from "../bootstrap/index.js";
import { CommandFailure, EXIT, runCommand, type ServerCommandIo, type ServerCommandRegistrar, writeLine } from "./command-io.js";
import {
  describeLocation,
  type StoreLocation,
  type StoreLocationOptions,
  storeOptionsHelp,
  withCommandStore,
} from "./open-command-store.js";
import { promptPassword } from "./prompt-password.js";

export const ADMIN_PASSWORD_ENV = "GATEHOUSE_ADMIN_PASSWORD";

export interface InitCommandOptions extends StoreLocationOptions {
  admin: string;
  demo?: boolean;
  displayName?: string;
}

async function adminPassword(io: ServerCommandIo, upn: string): Promise<string> {
  const fromEnv = io.env[ADMIN_PASSWORD_ENV];
  if (fromEnv !== undefined && fromEnv !== "") return fromEnv;
  const stdin = io.stdin ?? process.stdin;
  if (stdin.isTTY !== true) {
    throw new CommandFailure(
      `no password for ${upn}: set ${ADMIN_PASSWORD_ENV} or run gatehouse init on a terminal to type it (there is no default password)`,
      EXIT.usage,
    );
  }
  const first = await promptPassword(stdin, io.stderr, `Password for ${upn}: `);
  if (first === "") throw new CommandFailure("the password is empty; nothing was created", EXIT.usage);
  const second = await promptPassword(stdin, io.stderr, "Type it again: ");
  if (first !== second) throw new CommandFailure("the two passwords differ; nothing was created", EXIT.usage);
  return first;
}

const quote = (text: string): string => (/^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, "'\\''")}'`);

/** The `--data`/`--database-url` part of a follow-up command line. */
export function locationArguments(options: StoreLocationOptions): string {
  if (options.databaseUrl)
    return `--database-url ${quote(options.databaseUrl)}${options.schema ? ` --schema ${quote(options.schema)}` : ""}`;
  return `--data ${quote(options.data ?? "")}`;
}

function report(io: ServerCommandIo, result: InitResult, location: StoreLocation, options: InitCommandOptions): void {
  const out = io.stdout;
  const apps = result.applications;
  writeLine(out, `Created the Gatehouse tenant "${result.displayName}" (tenant id ${result.tenantId}) in ${describeLocation(location)}`);
  writeLine(out, `  Global Administrator   ${result.admin.userPrincipalName}`);
  writeLine(
    out,
    `  Emergency access       group "${result.emergencyAccess.groupDisplayName}" (${result.emergencyAccess.groupId}): ${result.emergencyAccess.accounts
      .map((a) => a.userPrincipalName)
      .join(", ")}`,
  );
  for (const app of [apps.managementApi, apps.portal, apps.cli])
    writeLine(out, `  Application            ${app.displayName} (appId ${app.appId})`);
  writeLine(
    out,
    `  Policy                 "${result.managementMfaPolicy.displayName}" (report-only; excludes you and the emergency-access group)`,
  );
  writeLine(out, "  Signing key            ES256, for Management API tokens");
  if (result.demo) {
    const p = result.demo.policies;
    writeLine(
      out,
      `  Demo tenant            ${result.demo.users} users, ${result.demo.groups} groups, ${result.demo.namedLocations} named locations, ${
        p.enabled + p.enabledForReportingButNotEnforced + p.disabled
      } policies (${p.enabled} enabled, ${p.enabledForReportingButNotEnforced} report-only, ${p.disabled} disabled)`,
    );
  }
  writeLine(out);
  writeLine(out, "Emergency-access passwords, shown this once (only their hashes are stored). Keep them offline, e.g. in a safe:");
  for (const account of result.emergencyAccess.accounts) writeLine(out, `  ${account.userPrincipalName}   ${account.password}`);
  writeLine(out);
  writeLine(out, "Next: start the server");
  writeLine(out, `  gatehouse serve ${locationArguments(options)} --port 8080`);
}

export async function runInit(options: InitCommandOptions, io: ServerCommandIo, now: () => Date = () => new Date()): Promise<number> {
  const upn = options.admin.trim();
  const password = await adminPassword(io, upn);
  if (password.length < MIN_ADMIN_PASSWORD_LENGTH) {
    throw new CommandFailure(
      `the administrator's password must have at least ${MIN_ADMIN_PASSWORD_LENGTH} characters; nothing was created`,
      EXIT.usage,
    );
  }
  return withCommandStore(options, async (store, location) => {
    const result = await initTenant(store, {
      adminUpn: upn,
      adminPassword: password,
      demo: options.demo === true,
      now: now(),
      ...(options.displayName ? { displayName: options.displayName } : {}),
    });
    report(io, result, location, options);
    return EXIT.ok;
  });
}

export const registerInitCommand: ServerCommandRegistrar = (program, io, setExitCode) => {
  const command = program
    .command("init")
    .description(
      "create a tenant: the first Global Administrator, emergency-access accounts, the Management API and its clients, the management MFA policy (report-only)",
    )
    .requiredOption("--admin <upn>", "userPrincipalName of the first Global Administrator, e.g. admin@contoso.com");
  for (const [flags, description] of storeOptionsHelp()) command.option(flags, description);
  command
    .option("--demo", "also seed a small demo tenant: users, nested groups, named locations, a dozen policies in mixed states")
    .option("--display-name <name>", "the tenant's display name (default: the administrator's domain)")
    .addHelpText(
      "after",
      `\nThe administrator's password is read from ${ADMIN_PASSWORD_ENV}, or typed on a terminal. There is no default password.`,
    )
    .action(async (options: InitCommandOptions) => {
      await runCommand(io, setExitCode, () => runInit(options, io));
    });
};
