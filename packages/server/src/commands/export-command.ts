/**
 * `gatehouse export --data DIR | --database-url URL --out DIR [--force]`: writes the tenant's
 * policies, named locations and custom authentication strengths as Graph JSON files, plus the
 * directory, in the tenant-folder layout of `tenant-files.ts`. Read-only on the database.
 */
import { resolve } from "node:path";
import type { Store } from "@gatehouse/store";
import { CommandFailure, EXIT, runCommand, type ServerCommandIo, type ServerCommandRegistrar, writeLine } from "./command-io.js";
import { type StoreLocationOptions, storeOptionsHelp, withCommandStore } from "./open-command-store.js";
import { type ExportedFiles, writeTenantFolder } from "./tenant-files.js";

export interface ExportCommandOptions extends StoreLocationOptions {
  out: string;
  force?: boolean;
}

/** Exports the store's tenant (read in one consistent snapshot) to `folder`. */
export async function exportTenant(store: Store, folder: string, options: { force?: boolean } = {}): Promise<ExportedFiles> {
  const settings = await store.tenant.get();
  if (settings === null) throw new CommandFailure("there is no tenant in this database; run gatehouse init first", EXIT.usage);
  const snapshot = await store.loadTenantSnapshot();
  return writeTenantFolder(
    folder,
    snapshot,
    {
      tenantId: settings.tenantId,
      displayName: settings.displayName,
      emergencyAccess: { userIds: settings.emergencyAccessUserIds, groupIds: settings.emergencyAccessGroupIds },
    },
    options,
  );
}

export async function runExport(options: ExportCommandOptions, io: ServerCommandIo): Promise<number> {
  const folder = resolve(options.out);
  const result = await withCommandStore(options, (store) => exportTenant(store, folder, { force: options.force === true }));
  writeLine(
    io.stdout,
    `Exported ${result.policies} policies, ${result.namedLocations} named locations and ${result.authenticationStrengthPolicies} authentication strengths to ${folder}`,
  );
  writeLine(
    io.stdout,
    `Check it offline: gatehouse validate ${options.out}   What If: gatehouse whatif --tenant ${options.out} --request REQUEST.json`,
  );
  return EXIT.ok;
}

export const registerExportCommand: ServerCommandRegistrar = (program, io, setExitCode) => {
  const command = program
    .command("export")
    .description("write the tenant's policies, named locations and authentication strengths (and its directory) as Graph JSON files")
    .requiredOption("--out <dir>", "folder to write (created when missing; must be empty unless --force)");
  for (const [flags, description] of storeOptionsHelp()) command.option(flags, description);
  command
    .option("--force", "replace the files of an earlier export in --out")
    .addHelpText(
      "after",
      "\nLayout: tenant.json, policies/<name>.json (one policy per file), namedLocations.json,\nauthenticationStrengthPolicies.json, emergencyAccess.json, users.json, groups.json, roleAssignments.json,\nservicePrincipals.json. gatehouse validate, gatehouse whatif --tenant and gatehouse import read it.",
    )
    .action(async (options: ExportCommandOptions) => {
      await runCommand(io, setExitCode, () => runExport(options, io));
    });
};
