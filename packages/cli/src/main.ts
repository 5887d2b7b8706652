#!/usr/bin/env node
/**
 * `gatehouse`: the offline CLI. Commander wiring only; each command lives in `commands/`
 * as `runX(options, io)` returning an exit code.
 */
import { readFileSync, realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Command, CommanderError } from "commander";
import { CliError, ExitCode, oneLine } from "./cli-error.js";
import { type CliIo, processIo } from "./cli-io.js";
import { registerBenchCommand } from "./commands/bench.js";
import { registerInsightCommands } from "./commands/insight-commands.js";
import { registerLoginCommands } from "./commands/login.js";
import { registerPoliciesCommands } from "./commands/policies.js";
import { registerPoliciesApplyCommand } from "./commands/policies-apply.js";
import { runWhatifCommand, type WhatifCommandOptions } from "./commands/remote-whatif.js";
import { registerServerCommands } from "./commands/server-commands.js";
import { registerSignInsCommands } from "./commands/signins.js";
import { runTest } from "./commands/test.js";
import { runValidate } from "./commands/validate.js";
import { COUNTRY_DB_OPTION } from "./commands/whatif.js";

/** The CLI package's version (package.json sits next to `src/` and `dist/`). */
export function cliVersion(): string {
  try {
    const manifest = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version?: unknown };
    return typeof manifest.version === "string" ? manifest.version : "0.0.0";
  } catch {
    return "0.0.0";
  }
}

const EXIT_CODES_HELP = `
Exit codes:
  0  success: nothing wrong found
  1  the input was read but has problems: validation errors (validate), failing
     scenarios or scenario file issues (test), invalid requests (whatif)
  2  usage error, or an input file or folder that cannot be read or parsed
  3  internal error (a bug; set GATEHOUSE_DEBUG=1 to print the stack)

Errors are printed as one line on stderr: "gatehouse: <message>".`;

const TENANT_HELP = `
The tenant (--tenant PATH) is a JSON snapshot with the keys tenantId, policies,
namedLocations, authenticationStrengthPolicies, users, groups, roleAssignments and
servicePrincipals; or a folder holding them as files (tenant.json, policies.json,
namedLocations.json, users.json, ...; policies may be a sub-folder policies/ of
policy files); or a folder or file of policies only. Files may be UTF-8 or UTF-16
and Graph collections { "value": [...] }.

The request (--request PATH) is the body of Graph's
POST /identity/conditionalAccess/evaluate plus the "satisfied" extension.
--requests FILE.ndjson answers one request per line, one JSON answer per line.`;

/**
 * Hook for commands that live in other packages (`gatehouse bench` from
 * @gatehouse/bench, which exports `runBenchmark`). A registrar adds its command to the
 * program and reports its exit code through `setExitCode`.
 */
export type CommandRegistrar = (program: Command, io: CliIo, setExitCode: (code: number) => void) => void;

function writeError(io: CliIo, message: string): void {
  io.stderr.write(`gatehouse: ${oneLine(message)}\n`);
}

/** Commander's error text ("error: unknown option '--x'\n(Did you mean --json?)") as one line without the prefix. */
function commanderMessage(text: string): string {
  return oneLine(text.replace(/^error:\s*/i, ""));
}

/** Builds the program; nothing runs until `parseAsync`. */
export function createProgram(io: CliIo, setExitCode: (code: number) => void, registrars: readonly CommandRegistrar[] = []): Command {
  const program = new Command("gatehouse");
  program
    .description("Offline Conditional Access tools with Microsoft Entra ID semantics: What If, validation, golden tests")
    .version(cliVersion(), "-V, --version", "print the version")
    .helpOption("-h, --help", "print help")
    .helpCommand(false)
    .showSuggestionAfterError(true)
    .configureOutput({
      writeOut: (text) => {
        io.stdout.write(text);
      },
      writeErr: (text) => {
        io.stderr.write(text);
      },
      outputError: (text) => writeError(io, commanderMessage(text)),
    })
    .exitOverride()
    .addHelpText("after", `${TENANT_HELP}\n${EXIT_CODES_HELP}`);

  program
    .command("whatif")
    .description("evaluate sign-in requests against a tenant snapshot or a server, like Graph's What If (evaluate) API")
    .option("--tenant <path>", "tenant snapshot: a JSON file or a folder")
    .option("--server <url>", "evaluate on a Gatehouse server instead (after gatehouse login; default $GATEHOUSE_SERVER)")
    .option("--request <path>", "one What-If request (JSON)")
    .option("--requests <file>", "many requests, one JSON object per line (NDJSON); answers one JSON line each")
    .option("--json", "print the answer as JSON: { value, decision }")
    .option(COUNTRY_DB_OPTION.flags, COUNTRY_DB_OPTION.description)
    .addHelpText("after", `${TENANT_HELP}\n${EXIT_CODES_HELP}`)
    .action(async (options: WhatifCommandOptions) => {
      setExitCode(await runWhatifCommand(options, io));
    });

  program
    .command("validate")
    .description("validate policy files, tenant snapshots and folders of them (recursively, *.json)")
    .argument("<paths...>", "files or folders")
    .option("--json", "print { files: [{ path, policies, issues }], errors, warnings }")
    .addHelpText("after", EXIT_CODES_HELP)
    .action(async (paths: string[], options: { json?: boolean }) => {
      setExitCode(await runValidate(paths, options, io));
    });

  program
    .command("test")
    .description("run golden scenario files (files, or folders searched recursively for *.json scenarios)")
    .argument("<paths...>", "scenario files or folders")
    .option("--json", "print structured results: { files: [{ path, cases, issues }], passed, failed }")
    .addHelpText("after", EXIT_CODES_HELP)
    .action(async (paths: string[], options: { json?: boolean }) => {
      setExitCode(await runTest(paths, options, io));
    });

  // `gatehouse bench` is registered here, by a registrar from @gatehouse/bench (runBenchmark).
  // `gatehouse login` / `logout`: tokens of a remote server (device code flow).
  registerLoginCommands(program, io, setExitCode);
  // `gatehouse lint` / `baseline` / `impact` / `gaps` / `diff` (@gatehouse/insight).
  registerInsightCommands(program, io, setExitCode);
  // `gatehouse policies ...` / `policies apply` / `signins list` (remote; `whatif --server` above).
  registerPoliciesApplyCommand(registerPoliciesCommands(program, io, setExitCode), io, setExitCode);
  registerSignInsCommands(program, io, setExitCode);

  for (const register of registrars) register(program, io, setExitCode);
  return program;
}

/** Runs the CLI with `argv` (without `node` and the script); resolves to the exit code. Never throws. */
export async function runCli(argv: readonly string[], io: CliIo, registrars: readonly CommandRegistrar[] = []): Promise<number> {
  if (argv.length === 0) {
    writeError(io, "missing command; run gatehouse --help");
    return ExitCode.usage;
  }
  let exitCode: number = ExitCode.ok;
  const program = createProgram(
    io,
    (code) => {
      exitCode = code;
    },
    registrars,
  );
  try {
    await program.parseAsync([...argv], { from: "user" });
    return exitCode;
  } catch (cause) {
    if (cause instanceof CommanderError) {
      if (cause.code === "commander.helpDisplayed" || cause.code === "commander.version") return ExitCode.ok;
      // Commander has already printed its (one-line) message through outputError.
      return ExitCode.usage;
    }
    if (cause instanceof CliError) {
      writeError(io, cause.message);
      return cause.exitCode;
    }
    const detail = cause instanceof Error ? cause.message : String(cause);
    writeError(io, `internal error: ${detail}`);
    if (io.env.GATEHOUSE_DEBUG && cause instanceof Error && cause.stack) io.stderr.write(`${cause.stack}\n`);
    return ExitCode.internal;
  }
}

/** True when this module is the process's entry script (also through npm's bin symlink). */
function isEntryPoint(): boolean {
  const entry = process.argv[1];
  if (entry === undefined) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  // A closed pipe (`gatehouse ... | head`) ends the output, not in a stack trace.
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw error;
  });
  process.exitCode = await runCli(process.argv.slice(2), processIo(), [registerBenchCommand, registerServerCommands]);
}
