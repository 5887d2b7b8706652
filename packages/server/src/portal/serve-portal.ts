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
    return reply
      .code(200)
      .type(CONTENT_TYPES[extension.toLowerCase()] ?? "application/octet-stream")
      .header("cache-control", hashed ? "public, max-age=31536000, immutable" : "public, max-age=300")
      .header("content-security-policy", portalContentSecurityPolicy(randomBytes(16).toString("base64")))
      .send(await readFile(file));
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
