#!/usr/bin/env node
// `npm start`: the first run creates a demo tenant on an embedded SQLite file
// (gatehouse init --demo), every run then serves it (gatehouse serve). The admin's password
// comes from GATEHOUSE_ADMIN_PASSWORD or a prompt; without a terminal a random one is generated
// and shown once (and kept in DATA/initial-admin-password, mode 0600); there is no default password.
import { spawnSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const cli = fileURLToPath(new URL("../packages/cli/dist/main.js", import.meta.url));
const data = process.env.GATEHOUSE_DATA ?? ".gatehouse";
const admin = process.env.GATEHOUSE_ADMIN ?? "admin@gatehouse.example";
const port = process.env.PORT ?? "8080";

if (!existsSync(join(data, "gatehouse.sqlite"))) {
  console.log(`Creating a demo tenant in ${data}/ (administrator ${admin})`);
  const env = { ...process.env };
  let generated = null;
  // No terminal to type a password on (a script, a container) and none given: generate one
  // for the demo administrator and keep it where only this user can read it.
  if (!env.GATEHOUSE_ADMIN_PASSWORD && !process.stdin.isTTY) {
    generated = randomBytes(18).toString("base64url");
    env.GATEHOUSE_ADMIN_PASSWORD = generated;
  }
  const init = spawnSync(process.execPath, [cli, "init", "--data", data, "--admin", admin, "--demo"], { stdio: "inherit", env });
  if (init.status !== 0) process.exit(init.status ?? 1);
  if (generated !== null) {
    const file = join(data, "initial-admin-password");
    writeFileSync(file, `${generated}\n`, { mode: 0o600 });
    console.log(`No terminal to ask on: generated the administrator's password: ${generated} (also in ${file}, readable by you only).`);
  }
}

console.log(`
Open http://127.0.0.1:${port}/ for the portal and sign in as ${admin}.

Next, in another terminal:
  npx gatehouse login --server http://127.0.0.1:${port}        # device code sign-in in your browser (tokens kept for the remote commands)
  TOKEN=$(npx gatehouse token --data ${data} --user ${admin})   # or an operator's 15-minute Management API token
  curl -H "Authorization: Bearer $TOKEN" http://127.0.0.1:${port}/v1.0/identity/conditionalAccess/policies
  curl http://127.0.0.1:${port}/openapi.json                   # every route, with the roles it needs
  npx gatehouse export --data ${data} --out tenant-export      # then: npx gatehouse whatif --tenant tenant-export --request ...
`);
const serve = spawn(process.execPath, [cli, "serve", "--data", data, "--port", port], { stdio: "inherit" });
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => serve.kill(signal));
serve.on("exit", (code) => process.exit(code ?? 0));
