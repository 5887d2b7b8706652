/**
 * Where `gatehouse login` keeps its tokens: `credentials.json` in the user's config folder
 * (`$GATEHOUSE_CONFIG_DIR`, else `$XDG_CONFIG_HOME/gatehouse`, else `~/.config/gatehouse`),
 * the folder 0700 and the file 0600 (written to a temporary file of the same folder, then
 * renamed, so a reader never sees half a file). One entry per server URL.
 */
import { randomBytes } from "node:crypto";
import { chmod, mkdir, open, readFile, rename, rm, stat } from "node:fs/promises";
import { homedir } from "node:os";
import { isAbsolute, join } from "node:path";
import { CliError, ExitCode } from "../cli-error.js";

export const CREDENTIALS_FILE_NAME = "credentials.json";

/** One signed-in server. */
export interface ServerCredentials {
  /** The server URL as given to `gatehouse login --server` (normalized). */
  server: string;
  issuer: string;
  tokenEndpoint: string;
  /** RFC 7009 endpoint; null when the server publishes none. */
  revocationEndpoint: string | null;
  clientId: string;
  accessToken: string;
  /** ISO time. */
  accessTokenExpiresAt: string;
  refreshToken: string | null;
  /** Who signed in (the ID token's preferred_username, else its sub). */
  account: string;
  signedInDateTime: string;
}

interface CredentialsDocument {
  version: 1;
  servers: Record<string, ServerCredentials>;
}

/** The config folder for these environment variables. */
export function configDir(env: Readonly<Record<string, string | undefined>>): string {
  const explicit = env.GATEHOUSE_CONFIG_DIR?.trim();
  if (explicit) return explicit;
  const xdg = env.XDG_CONFIG_HOME?.trim();
  // XDG: a relative path is invalid and must be ignored.
  if (xdg && isAbsolute(xdg)) return join(xdg, "gatehouse");
  const home = env.HOME?.trim() || homedir();
  return join(home, ".config", "gatehouse");
}

export const credentialsPath = (env: Readonly<Record<string, string | undefined>>): string => join(configDir(env), CREDENTIALS_FILE_NAME);

function isEntry(value: unknown): value is ServerCredentials {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.server === "string" &&
    typeof v.tokenEndpoint === "string" &&
    typeof v.clientId === "string" &&
    typeof v.accessToken === "string" &&
    typeof v.accessTokenExpiresAt === "string" &&
    (v.refreshToken === null || typeof v.refreshToken === "string")
  );
}

async function readDocument(path: string): Promise<CredentialsDocument> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { version: 1, servers: {} };
    throw new CliError(`cannot read ${path}: ${(error as Error).message}`, ExitCode.internal);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new CliError(`${path} is not valid JSON; delete it and run gatehouse login again`, ExitCode.internal);
  }
  const servers: Record<string, ServerCredentials> = {};
  const raw = (parsed as { servers?: unknown }).servers;
  if (typeof raw === "object" && raw !== null) {
    for (const [key, value] of Object.entries(raw)) if (isEntry(value)) servers[key] = value;
  }
  return { version: 1, servers };
}

/** The stored credentials of `server`, or null. */
export async function readServerCredentials(
  env: Readonly<Record<string, string | undefined>>,
  server: string,
): Promise<ServerCredentials | null> {
  return (await readDocument(credentialsPath(env))).servers[server] ?? null;
}

/** Every stored server. */
export async function readAllCredentials(env: Readonly<Record<string, string | undefined>>): Promise<ServerCredentials[]> {
  return Object.values((await readDocument(credentialsPath(env))).servers);
}

async function ensureDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  // Our own folder: whatever created it, only the user may list or enter it.
  const info = await stat(dir);
  if ((info.mode & 0o077) !== 0) await chmod(dir, 0o700);
}

async function writeDocument(path: string, dir: string, document: CredentialsDocument): Promise<void> {
  if (Object.keys(document.servers).length === 0) {
    await rm(path, { force: true });
    return;
  }
  await ensureDir(dir);
  const temporary = join(dir, `.${CREDENTIALS_FILE_NAME}.${process.pid}.${randomBytes(6).toString("hex")}`);
  const handle = await open(temporary, "wx", 0o600);
  try {
    await handle.writeFile(`${JSON.stringify(document, null, 2)}\n`, "utf8");
    await handle.chmod(0o600);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/** Stores (or replaces) one server's credentials. */
export async function saveServerCredentials(env: Readonly<Record<string, string | undefined>>, entry: ServerCredentials): Promise<string> {
  const dir = configDir(env);
  const path = join(dir, CREDENTIALS_FILE_NAME);
  const document = await readDocument(path);
  document.servers[entry.server] = entry;
  await writeDocument(path, dir, document);
  return path;
}

/** Removes one server's credentials (all of them when `server` is undefined); the file goes when empty. */
export async function removeServerCredentials(env: Readonly<Record<string, string | undefined>>, server?: string): Promise<void> {
  const dir = configDir(env);
  const path = join(dir, CREDENTIALS_FILE_NAME);
  const document = await readDocument(path);
  if (server === undefined) document.servers = {};
  else delete document.servers[server];
  await writeDocument(path, dir, document);
}

/**
 * Runs `work` holding the credentials lock (a `credentials.lock` file created exclusively), so
 * two commands never refresh with the same (rotating) refresh token at once — which the server
 * treats as a replay and answers by revoking the session. A lock older than 30 s is stale.
 */
export async function withCredentialsLock<T>(env: Readonly<Record<string, string | undefined>>, work: () => Promise<T>): Promise<T> {
  const dir = configDir(env);
  await ensureDir(dir);
  const lock = join(dir, "credentials.lock");
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      const handle = await open(lock, "wx", 0o600);
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const age = await stat(lock).then(
        (s) => Date.now() - s.mtimeMs,
        () => 0,
      );
      if (age > 30_000) {
        await rm(lock, { force: true });
        continue;
      }
      if (Date.now() > deadline) throw new CliError(`another gatehouse command holds ${lock}; try again (or delete it)`, ExitCode.internal);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  try {
    return await work();
  } finally {
    await rm(lock, { force: true });
  }
}
