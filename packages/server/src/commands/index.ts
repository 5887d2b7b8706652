/** The server's `gatehouse` commands (init, serve, token, export, import), registered by the CLI. */
import type { ServerCommandRegistrar } from "./command-io.js";
import { registerExportCommand } from "./export-command.js";
import { registerImportCommand } from "./import-command.js";
import { registerInitCommand } from "./init-command.js";
import { registerKeysCommand } from "./keys-command.js";
import { registerServeCommand } from "./serve-command.js";
import { registerTokenCommand } from "./token-command.js";

export {
  CommandFailure,
  type CommandInput,
  type CommandOutput,
  EXIT,
  type ServerCommandIo,
  type ServerCommandRegistrar,
} from "./command-io.js";
export { type ExportCommandOptions, exportTenant, registerExportCommand, runExport } from "./export-command.js";
export {
  type ImportCommandOptions,
  type ImportResult,
  ImportValidationError,
  importTenant,
  registerImportCommand,
  runImport,
  type UpsertCounts,
} from "./import-command.js";
export { ADMIN_PASSWORD_ENV, type InitCommandOptions, registerInitCommand, runInit } from "./init-command.js";
export { KEY_ROTATION_ACTIVITY, type KeysCommandOptions, registerKeysCommand, runKeysList, runKeysRotate } from "./keys-command.js";
export { openCommandStore, SQLITE_FILE_NAME, type StoreLocation, type StoreLocationOptions, storeLocation } from "./open-command-store.js";
export { DEFAULT_HOST, DEFAULT_PORT, registerServeCommand, runServe, type ServeCommandOptions } from "./serve-command.js";
export { type ExportedFiles, policyFileSlug, readTenantFolder, writeTenantFolder } from "./tenant-files.js";
export { issueOperatorToken, OPERATOR_TOKEN_ACTIVITY, registerTokenCommand, runToken, type TokenCommandOptions } from "./token-command.js";

/** Names and one-line descriptions of the commands below, for a CLI that loads this package on demand. */
export const SERVER_COMMANDS: readonly { name: string; description: string }[] = [
  { name: "init", description: "create a tenant (first Global Administrator, emergency access, Management API, management MFA policy)" },
  { name: "serve", description: "run the Gatehouse server (Graph-style REST API)" },
  { name: "token", description: "print a short-lived Management API token for a user (operator path; audited)" },
  { name: "export", description: "write the tenant's policies, named locations and strengths as Graph JSON files" },
  { name: "import", description: "validate and upsert policies, named locations and strengths from Graph JSON files" },
  { name: "keys", description: "list or rotate the tenant's token signing keys (audited)" },
];

/** Every server command, in the order above. */
export const SERVER_COMMAND_REGISTRARS: readonly ServerCommandRegistrar[] = [
  registerInitCommand,
  registerServeCommand,
  registerTokenCommand,
  registerExportCommand,
  registerImportCommand,
  registerKeysCommand,
];

/** Registers all server commands on `program`. */
export const registerServerCommands: ServerCommandRegistrar = (program, io, setExitCode) => {
  for (const register of SERVER_COMMAND_REGISTRARS) register(program, io, setExitCode);
};
