/**
 * `gatehouse serve --data DIR | --database-url URL [--port N] [--host H]`: runs the REST API
 * and the sign-in service (OpenID Connect at /oauth2; `--no-oidc` turns it off) until SIGTERM
 * or SIGINT, then closes the server (in-flight requests finish) and the store.
 * `--country-db [PATH]` / `--no-country-db`: IP -> country for country named locations; the
 * bundled database is the default. `--trusted-proxy CIDR` (repeatable): reverse proxies whose
 * `X-Forwarded-For` the sign-in service believes.
 */
import { type AddressInfo, createServer as createNetServer, isIP } from "node:net";
import { CommandFailure, EXIT, runCommand, type ServerCommandIo, type ServerCommandRegistrar, writeLine } from "./command-io.js";
import { locationArguments } from "./init-command.js";
import { describeLocation, openCommandStore, type StoreLocationOptions, storeOptionsHelp } from "./open-command-store.js";

export const DEFAULT_PORT = 8080;
export const DEFAULT_HOST = "127.0.0.1";

export interface ServeCommandOptions extends StoreLocationOptions {
  port?: string | number;
  host?: string;
  log?: boolean;
  rateLimit?: string | number;
  /** Serve the OpenID Connect sign-in service at /oauth2; on unless false (`--no-oidc`). */
  oidc?: boolean;
  /** `--trusted-proxy CIDR` (repeatable): reverse proxies whose X-Forwarded-For is believed. */
  trustedProxy?: string[];
  /** The public URL clients use (default http://HOST:PORT); the OIDC issuer is URL/oauth2. */
  publicUrl?: string;
  /** undefined or true = the bundled IP-to-country database; a string = that .mmdb file; false = no lookup. */
  countryDb?: boolean | string;
}

export interface ServeCountryLookup {
  lookupCountry: (ip: string) => string | null;
  /** One line for the operator, e.g. "bundled IP-to-country database (built 2026-06-17)". */
  description: string;
}

/** Opens the country database `--country-db` asks for (loaded only then); undefined for `--no-country-db`. */
export async function openServeCountryLookup(countryDb: boolean | string | undefined): Promise<ServeCountryLookup | undefined> {
  if (countryDb === false) return undefined;
  if (typeof countryDb === "string" && countryDb.trim() === "")
    throw new CommandFailure("--country-db needs a file path (or no value for the bundled database)", EXIT.usage);
  const { openCountryDatabase } = await import("@gatehouse/geoip");
  try {
    const database = openCountryDatabase(typeof countryDb === "string" ? { path: countryDb } : {});
    const built = database.info.buildDate.slice(0, 10);
    return {
      lookupCountry: (ip) => database.lookup(ip),
      description: `${database.info.bundled ? "bundled IP-to-country database" : countryDb} (built ${built})`,
    };
  } catch (error) {
    throw new CommandFailure(error instanceof Error ? error.message : String(error), EXIT.usage);
  }
}

/** `--rate-limit N`: requests per minute per client address; 0 turns it off. */
export function parseRateLimit(value: string | number | undefined): number | undefined {
  if (value === undefined) return undefined;
  const text = String(value).trim();
  if (!/^\d+$/.test(text))
    throw new CommandFailure(`--rate-limit must be a whole number of requests per minute, not "${text}"`, EXIT.usage);
  return Number(text);
}

export function parsePort(value: string | number | undefined): number {
  if (value === undefined) return DEFAULT_PORT;
  const text = String(value).trim();
  const port = /^\d{1,5}$/.test(text) ? Number(text) : Number.NaN;
  if (!(port >= 0 && port <= 65_535)) throw new CommandFailure(`--port needs 0..65535 (0 picks a free port), got "${text}"`, EXIT.usage);
  return port;
}

/**
 * The OIDC issuer: `--public-url` + `/oauth2`, else `http://HOST:PORT/oauth2`; undefined with
 * `--no-oidc`. Tokens name their issuer, so it must be known before listening: `runServe`
 * picks the free port first when `--port 0` is given without `--public-url`.
 */
export function oidcIssuerFor(options: ServeCommandOptions, port: number): string | undefined {
  if (options.oidc === false) return undefined;
  if (options.publicUrl !== undefined) {
    let url: URL;
    try {
      url = new URL(options.publicUrl);
    } catch {
      throw new CommandFailure(`--public-url must be an absolute http(s) URL, not "${options.publicUrl}"`, EXIT.usage);
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new CommandFailure(`--public-url must be an http(s) URL, not "${options.publicUrl}"`, EXIT.usage);
    }
    return `${url.origin}${url.pathname.replace(/\/+$/, "")}/oauth2`;
  }
  if (port === 0)
    throw new CommandFailure("the sign-in service needs a fixed --port (or --public-url): the issuer is in every token", EXIT.usage);
  const host = options.host?.trim() || DEFAULT_HOST;
  return `http://${host.includes(":") ? `[${host}]` : host}:${port}/oauth2`;
}

/** `--trusted-proxy` values: each a CIDR range or an IP address (checked again by the sign-in service). */
export function parseTrustedProxies(values: readonly string[] | undefined): string[] {
  const out: string[] = [];
  for (const value of values ?? []) {
    const text = value.trim();
    const [address, prefix, ...rest] = text.split("/");
    const family = isIP(address ?? "");
    const max = family === 4 ? 32 : 128;
    const okPrefix = prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= max);
    if (family === 0 || rest.length > 0 || !okPrefix) {
      throw new CommandFailure(`--trusted-proxy needs a CIDR range or an IP address (e.g. 10.0.0.0/8), not "${value}"`, EXIT.usage);
    }
    out.push(text);
  }
  return out;
}

/** A free TCP port on `host` (for `--port 0` when the issuer must name the port before listening). */
async function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createNetServer();
    probe.once("error", reject);
    probe.listen({ port: 0, host }, () => {
      const address = probe.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/** `http://host:port`, with IPv6 addresses in brackets. */
export function serverUrl(address: AddressInfo): string {
  const host = address.family === "IPv6" || address.address.includes(":") ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}

/**
 * Serves until `signal` aborts. Resolves to the exit code once the server and the store are
 * closed. `onListening` receives the URL (tests).
 */
export async function runServe(
  options: ServeCommandOptions,
  io: ServerCommandIo,
  signal: AbortSignal,
  onListening?: (url: string) => void,
): Promise<number> {
  const host = options.host?.trim() || DEFAULT_HOST;
  let port = parsePort(options.port);
  const rateLimitPerMinute = parseRateLimit(options.rateLimit);
  const trustedProxies = parseTrustedProxies(options.trustedProxy);
  if (trustedProxies.length > 0 && options.oidc === false) {
    throw new CommandFailure("--trusted-proxy is for the sign-in service, which --no-oidc turns off", EXIT.usage);
  }
  // The issuer names the port: with --port 0 and no --public-url, take a free port now.
  if (port === 0 && options.oidc !== false && options.publicUrl === undefined) {
    try {
      port = await freePort(host);
    } catch {
      throw new CommandFailure(`cannot listen on ${host}: no such local address`, EXIT.usage);
    }
  }
  const oidcIssuer = oidcIssuerFor(options, port);
  const country = await openServeCountryLookup(options.countryDb);
  const { store, location } = await openCommandStore(options);
  let app: Awaited<ReturnType<typeof import("../create-server.js").createServer>> | undefined;
  try {
    if ((await store.tenant.get()) === null) {
      throw new CommandFailure(
        `there is no tenant in ${describeLocation(location)}; run gatehouse init ${locationArguments(options)} --admin admin@example.com first`,
        EXIT.usage,
      );
    }
    // Loaded here so that the other commands never load Fastify.
    const { createServer } = await import("../create-server.js");
    app = await createServer({
      store,
      logger: options.log === true,
      ...(rateLimitPerMinute === undefined ? {} : { rateLimitPerMinute }),
      ...(oidcIssuer === undefined ? {} : { oidc: { issuer: oidcIssuer, trustedProxies } }),
      ...(country === undefined ? {} : { lookupCountry: country.lookupCountry }),
    });
    await app.listen({ port, host });
    const address = app.server.address();
    if (address === null || typeof address === "string") throw new Error("the server is not listening on a TCP port");
    const url = serverUrl(address);
    writeLine(io.stdout, `Gatehouse is listening on ${url} (tenant in ${describeLocation(location)}); stop with Ctrl-C`);
    writeLine(io.stdout, `Country lookup: ${country === undefined ? "off (--no-country-db)" : country.description}`);
    writeLine(
      io.stdout,
      oidcIssuer === undefined
        ? "Sign-in service: off (--no-oidc)"
        : `Sign-in service (OpenID Connect): ${oidcIssuer}${trustedProxies.length > 0 ? `; trusted proxies ${trustedProxies.join(", ")}` : ""}`,
    );
    onListening?.(url);
    if (!signal.aborted) await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
    writeLine(io.stderr, "gatehouse: shutting down");
    return EXIT.ok;
  } catch (error) {
    if (error instanceof Error && (error as NodeJS.ErrnoException).code === "EADDRINUSE") {
      throw new CommandFailure(`${host}:${port} is already in use; choose another --port (0 picks a free one)`, EXIT.usage);
    }
    if (error instanceof Error && (error as NodeJS.ErrnoException).code === "EADDRNOTAVAIL") {
      throw new CommandFailure(`cannot listen on ${host}: no such local address`, EXIT.usage);
    }
    throw error;
  } finally {
    await app?.close().catch(() => {});
    await store.close();
  }
}

export const registerServeCommand: ServerCommandRegistrar = (program, io, setExitCode) => {
  const command = program.command("serve").description("run the Gatehouse server (the Graph-style REST API) until SIGTERM or Ctrl-C");
  for (const [flags, description] of storeOptionsHelp()) command.option(flags, description);
  command
    .option("--port <n>", `TCP port; 0 picks a free one (the URL is printed) (default ${DEFAULT_PORT})`)
    .option("--host <address>", `address to listen on (default ${DEFAULT_HOST}; 0.0.0.0 or :: for every interface)`)
    .option("--log", "log every request (JSON lines on stdout)")
    .option("--rate-limit <n>", "requests per minute per client address (default 1200; 0 = off, e.g. behind a gateway)")
    .option("--oidc", "serve the sign-in service (OpenID Connect) at /oauth2 (the default)")
    .option("--no-oidc", "do not serve the sign-in service (only gatehouse token tokens are then accepted)")
    .option("--public-url <url>", "the URL clients reach this server at (the OIDC issuer is URL/oauth2)")
    .option(
      "--trusted-proxy <cidr>",
      "a reverse proxy (CIDR range or address) whose X-Forwarded-For is believed; repeatable",
      (value: string, previous: string[] | undefined) => [...(previous ?? []), value],
    )
    .option("--country-db [path]", "IP-to-country database (.mmdb) for country named locations (default: the bundled one)")
    .option("--no-country-db", "no IP-to-country lookup (country locations match only a request's own country)")
    .action(async (options: ServeCommandOptions) => {
      const controller = new AbortController();
      const stop = (): void => controller.abort();
      process.once("SIGTERM", stop);
      process.once("SIGINT", stop);
      try {
        await runCommand(io, setExitCode, () => runServe(options, io, controller.signal));
      } finally {
        process.removeListener("SIGTERM", stop);
        process.removeListener("SIGINT", stop);
      }
    });
};
