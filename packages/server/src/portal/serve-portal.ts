/**
 * Serves the built admin portal (packages/portal/dist) at `/`: hashed assets with a year-long
 * immutable cache, `index.html` (never cached) for every other GET path so client-side routes
 * work, and a strict Content-Security-Policy (same origin only; style elements need the
 * per-response nonce that index.html hands to the portal's style renderer). Paths of the API,
 * the sign-in service and the service endpoints are never answered here. When the portal has
 * not been built, `/` says so in a plain page.
 */
import { randomBytes } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, extname, join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import zlib from "node:zlib";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";

/** Paths the portal never shadows: their 404s stay Graph-shaped (or the provider's). */
export const RESERVED_PREFIXES = ["/v1.0", "/oauth2", "/signin", "/.well-known", "/healthz", "/livez", "/openapi.json"] as const;

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".ico": "image/x-icon",
  ".webp": "image/webp",
  ".woff": "font/woff",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
  ".webmanifest": "application/manifest+json",
};

export const NONCE_PLACEHOLDER = "CSP-NONCE-PLACEHOLDER";

const brotli = promisify(zlib.brotliCompress);
const gzip = promisify(zlib.gzip);

/** The portal pages' policy: everything from this origin only; style elements only with the nonce. */
export function portalContentSecurityPolicy(nonce: string): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    `style-src 'self' 'nonce-${nonce}'`,
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/** `packages/portal/dist`: from the installed @gatehouse/portal package, else next to this package in the workspace. */
export function defaultPortalDistDir(): string {
  try {
    const manifest = createRequire(import.meta.url).resolve("@gatehouse/portal/package.json");
    return join(dirname(manifest), "dist");
  } catch {
    // src/portal/ and dist/portal/ are both two levels below packages/server.
    return fileURLToPath(new URL("../../../portal/dist", import.meta.url));
  }
}

const isReserved = (path: string): boolean =>
  RESERVED_PREFIXES.some((prefix) => path === prefix || path.startsWith(`${prefix}/`) || (prefix === "/openapi.json" && path === prefix));

const NOT_BUILT_PAGE =
  '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Gatehouse</title></head><body><main>' +
  "<h1>The Gatehouse portal has not been built</h1>" +
  "<p>Build it with <code>npm run build -w @gatehouse/portal</code> (or <code>npm run build</code>), then reload this page. " +
  'The Management API is at <a href="/v1.0/identity/conditionalAccess/policies">/v1.0</a>; its description at <a href="/openapi.json">/openapi.json</a>.</p>' +
  "</main></body></html>";

async function fileIfExists(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** Text worth compressing (the portal's script is about 1 MB, a quarter of that compressed). */
const COMPRESSIBLE = /^(text\/|application\/(json|manifest\+json)|image\/svg\+xml)/;
const MIN_COMPRESS_BYTES = 1024;

/** The encoding the client prefers among brotli and gzip (a q=0 refuses one), or null. */
export function negotiateEncoding(acceptEncoding: string | string[] | undefined): "br" | "gzip" | null {
  const accepted = new Map<string, number>();
  for (const part of String(acceptEncoding ?? "").split(",")) {
    const [name = "", ...params] = part.trim().toLowerCase().split(";");
    const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
    accepted.set(name.trim(), q === undefined ? 1 : Number(q));
  }
  const weight = (name: string): number => accepted.get(name) ?? (accepted.has("*") ? (accepted.get("*") ?? 0) : 0);
  const br = weight("br");
  const gzip = weight("gzip");
  if (br > 0 && br >= gzip) return "br";
  if (gzip > 0) return "gzip";
  return null;
}

/**
 * A file's body in the client's preferred encoding. Compressed copies are made once per file
 * version (path, size, mtime) and kept: the assets are few and immutable.
 */
const compressedCache = new Map<string, Promise<Buffer>>();
async function compressed(
  file: string,
  type: string,
  acceptEncoding: string | string[] | undefined,
): Promise<{ data: Buffer; encoding: "br" | "gzip" | null }> {
  const info = await stat(file);
  const data = await readFile(file);
  const encoding = COMPRESSIBLE.test(type) && data.length >= MIN_COMPRESS_BYTES ? negotiateEncoding(acceptEncoding) : null;
  if (encoding === null) return { data, encoding: null };
  const key = `${encoding}\u0000${file}\u0000${info.size}\u0000${info.mtimeMs}`;
  let packed = compressedCache.get(key);
  if (packed === undefined) {
    packed =
      encoding === "br"
        ? brotli(data, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 9, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: data.length } })
        : gzip(data, { level: 9 });
    if (compressedCache.size >= 256) compressedCache.clear();
    compressedCache.set(key, packed);
    packed.catch(() => compressedCache.delete(key));
  }
  return { data: await packed, encoding };
}

/** Registers `GET /` and `GET /*` for the portal in `distDir`. */
export function registerPortal(app: FastifyInstance, distDir: string = defaultPortalDistDir()): void {
  const root = resolve(distDir);
  let indexTemplate: Promise<string | null> | null = null;
  const index = (): Promise<string | null> => {
    indexTemplate ??= readFile(join(root, "index.html"), "utf8").catch(() => null);
    // Not cached while missing: the portal may be built while the server runs.
    void indexTemplate.then((text) => {
      if (text === null) indexTemplate = null;
    });
    return indexTemplate;
  };

  const sendIndex = async (reply: FastifyReply): Promise<FastifyReply> => {
    const template = await index();
    if (template === null) {
      return reply.code(200).type("text/html; charset=utf-8").header("cache-control", "no-store").send(NOT_BUILT_PAGE);
    }
    const nonce = randomBytes(16).toString("base64");
    return reply
      .code(200)
      .type("text/html; charset=utf-8")
      .header("cache-control", "no-cache")
      .header("content-security-policy", portalContentSecurityPolicy(nonce))
      .send(template.split(NONCE_PLACEHOLDER).join(nonce));
  };

  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    const path = decodeURIComponentSafe(request.url.split("?")[0] ?? "/");
    if (path === null || isReserved(path)) return reply.callNotFound();
    if (path === "/" || path === "/index.html") return sendIndex(reply);
    const extension = extname(path);
    if (extension === "") return sendIndex(reply); // a client-side route
    const file = resolve(root, `.${path}`);
    if (!file.startsWith(root + sep) || !(await fileIfExists(file))) return reply.callNotFound();
    const hashed = path.startsWith("/assets/");
    const type = CONTENT_TYPES[extension.toLowerCase()] ?? "application/octet-stream";
    const body = await compressed(file, type, request.headers["accept-encoding"]);
    if (body.encoding !== null) reply.header("content-encoding", body.encoding);
    return reply
      .code(200)
      .type(type)
      .header("vary", "accept-encoding")
      .header("cache-control", hashed ? "public, max-age=31536000, immutable" : "public, max-age=300")
      .header("content-security-policy", portalContentSecurityPolicy(randomBytes(16).toString("base64")))
      .send(body.data);
  };
  app.route({ method: "GET", url: "/", handler });
  app.route({ method: "GET", url: "/*", handler });
}

function decodeURIComponentSafe(text: string): string | null {
  try {
    return decodeURIComponent(text);
  } catch {
    return null;
  }
}
