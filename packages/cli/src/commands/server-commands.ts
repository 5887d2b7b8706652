import { Command } from "commander";
import { CliError, ExitCode } from "../cli-error.js";
import type { CliIo } from "../cli-io.js";
import type { CommandRegistrar } from "../main.js";

/**
 * `gatehouse init | serve | token | export | import`: the server's commands, which live in
 * @gatehouse/server (`registerServerCommands`). That package (Fastify, SQLite, PostgreSQL) is
 * loaded only when one of them runs: each is registered here as a thin forwarder that hands its
 * arguments, `--help` included, to the real command.
 */
const SERVER_COMMANDS: readonly [name: string, description: string][] = [
  ["init", "create a tenant (first Global Administrator, emergency access, Management API, management MFA policy)"],
  ["serve", "run the Gatehouse server (Graph-style REST API)"],
  ["token", "print a short-lived Management API token for a user (operator path; audited)"],
  ["export", "write the tenant's policies, named locations and strengths as Graph JSON files"],
  ["import", "validate and upsert policies, named locations and strengths from Graph JSON files"],
  ["keys", "list or rotate the tenant's token signing keys (audited)"],
];

export const registerServerCommands: CommandRegistrar = (program: Command, io: CliIo, setExitCode) => {
  for (const [name, description] of SERVER_COMMANDS) {
    program
      .command(name)
      .description(description)
      .helpOption(false)
      .allowUnknownOption()
      .allowExcessArguments()
      .argument("[arguments...]", "see gatehouse " + name + " --help")
      .action(async (_arguments: string[], _options: unknown, command: Command) => {
        const server: Readonly<Record<string, unknown>> = await import("@gatehouse/server");
        const register = server.registerServerCommands;
        if (typeof register !== "function") {
          throw new CliError("this build of @gatehouse/server does not export registerServerCommands", ExitCode.internal);
        }
        const inner = new Command(program.name())
          .helpOption("-h, --help", "print help")
          .helpCommand(false)
          .showSuggestionAfterError(true)
          .configureOutput(program.configureOutput())
          .exitOverride();
        (register as CommandRegistrar)(inner, io, setExitCode);
        await inner.parseAsync([name, ...command.args], { from: "user" });
      });
  }
};
