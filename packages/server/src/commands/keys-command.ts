/**
 * `gatehouse keys list | rotate --data DIR | --database-url URL`: the tenant's token signing
 * keys (ES256). `rotate` makes a new current key; the previous ones keep only their public
 * half and stay published (the Management API's `/.well-known/jwks.json` and the sign-in
 * service's `jwks_uri`) so that tokens they signed verify until they expire. Running servers
 * read the current key again every 10 seconds and sign new tokens with it; tokens of both
 * keys are accepted meanwhile. Every rotation is in the audit log (same transaction: no record, no
 * rotation).
 */
import { randomUUID } from "node:crypto";
import { appendOperatorAudit, operatorInitiator } from "../bootstrap/bootstrap-audit.js";
import { listSigningKeys, rotateSigningKey, type SigningKeyInfo } from "../signing-keys.js";
import { CommandFailure, EXIT, runCommand, type ServerCommandIo, type ServerCommandRegistrar, writeLine } from "./command-io.js";
import { type StoreLocationOptions, storeOptionsHelp, withCommandStore } from "./open-command-store.js";

export const KEY_ROTATION_ACTIVITY = "Rotated token signing key (operator)";

export interface KeysCommandOptions extends StoreLocationOptions {
  json?: boolean;
}

function printKeys(io: ServerCommandIo, keys: readonly SigningKeyInfo[], json: boolean | undefined): void {
  if (json === true) {
    writeLine(io.stdout, JSON.stringify({ value: keys }, null, 2));
    return;
  }
  for (const key of keys) {
    writeLine(io.stdout, `${key.current ? "current" : "retired"}  ${key.kid}  ${key.alg}  created ${key.createdDateTime}`);
  }
}

export async function runKeysList(options: KeysCommandOptions, io: ServerCommandIo): Promise<number> {
  const keys = await withCommandStore(options, async (store) => {
    if ((await store.tenant.get()) === null)
      throw new CommandFailure("there is no tenant in this database; run gatehouse init first", EXIT.usage);
    return listSigningKeys(store);
  });
  if (keys.length === 0 && options.json !== true) writeLine(io.stdout, "no signing key yet (one is made when the server starts)");
  else printKeys(io, keys, options.json);
  return EXIT.ok;
}

export async function runKeysRotate(options: KeysCommandOptions, io: ServerCommandIo, now: Date = new Date()): Promise<number> {
  const keys = await withCommandStore(options, async (store) => {
    const settings = await store.tenant.get();
    if (settings === null) throw new CommandFailure("there is no tenant in this database; run gatehouse init first", EXIT.usage);
    await rotateSigningKey(store, (tx, key, retiredKids) =>
      appendOperatorAudit(
        tx,
        {
          category: "KeyManagement",
          activityDisplayName: KEY_ROTATION_ACTIVITY,
          operationType: "Update",
          target: { id: settings.tenantId, displayName: settings.displayName, type: "Tenant" },
          additionalDetails: [
            { key: "newKeyId", value: key.kid },
            { key: "retiredKeyIds", value: retiredKids.join(",") },
          ],
        },
        { initiatedBy: operatorInitiator("keys rotate"), correlationId: randomUUID(), now },
      ),
    );
    return listSigningKeys(store);
  });
  if (options.json !== true) {
    writeLine(
      io.stdout,
      `New signing key ${keys[0]?.kid ?? ""}; running servers sign with it within 10 seconds (older keys still verify).`,
    );
  }
  printKeys(io, keys, options.json);
  return EXIT.ok;
}

export const registerKeysCommand: ServerCommandRegistrar = (program, io, setExitCode) => {
  const keys = program.command("keys").description("list or rotate the tenant's token signing keys");
  const list = keys.command("list").description("list the signing keys (the current one first)");
  const rotate = keys
    .command("rotate")
    .description("make a new current signing key; older keys stay published for verification until their tokens expire (audited)");
  for (const command of [list, rotate]) {
    for (const [flags, description] of storeOptionsHelp()) command.option(flags, description);
    command.option("--json", "print { value: [{ kid, alg, createdDateTime, current }] }");
  }
  list.action(async (options: KeysCommandOptions) => {
    await runCommand(io, setExitCode, () => runKeysList(options, io));
  });
  rotate.action(async (options: KeysCommandOptions) => {
    await runCommand(io, setExitCode, () => runKeysRotate(options, io));
  });
};
