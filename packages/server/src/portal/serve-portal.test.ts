import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { openStore, type Store } from "@gatehouse/store";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServer } from "../create-server.js";
import { NONCE_PLACEHOLDER, negotiateEncoding } from "./serve-portal.js";

/** Big enough to be worth compressing (the real bundle is about 1 MB). */
const BIG_SCRIPT = Array.from({ length: 400 }, (_, i) => `export const value${i} = "portal module ${i}";`).join("\n");

let dir: string;
let store: Store;
let app: FastifyInstance;
let unbuilt: FastifyInstance;

const INDEX = `<!doctype html><html><head><meta name="gatehouse-csp-nonce" content="${NONCE_PLACEHOLDER}"></head><body><div id="root"></div><script type="module" src="/assets/index-abc123.js"></script></body></html>`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "gatehouse-portal-"));
  const dist = join(dir, "dist");
  await mkdir(join(dist, "assets"), { recursive: true });
  await writeFile(join(dist, "index.html"), INDEX);
  await writeFile(join(dist, "assets", "index-abc123.js"), "console.log('portal');");
  await writeFile(join(dist, "assets", "index-abc123.css"), "body{margin:0}");
  await writeFile(join(dist, "assets", "vendor-def456.js"), BIG_SCRIPT);
  await writeFile(join(dir, "secret.txt"), "outside the portal");
  store = await openStore({ sqlitePath: join(dir, "gatehouse.db") });
  app = await createServer({ store, portalDir: dist, signInRetentionIntervalMs: 0, rateLimitPerMinute: 0 });
  unbuilt = await createServer({ store, portalDir: join(dir, "missing"), signInRetentionIntervalMs: 0, rateLimitPerMinute: 0 });
});

afterAll(async () => {
  await app.close();
  await unbuilt.close();
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

describe("the portal served at /", () => {
  it("answers index.html with a fresh nonce in the page and in a same-origin-only Content-Security-Policy", async () => {
    const first = await app.inject({ method: "GET", url: "/" });
    const second = await app.inject({ method: "GET", url: "/" });
    expect(first.statusCode).toBe(200);
    expect(first.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(first.headers["cache-control"]).toBe("no-cache");
    const nonce = /content="([^"]+)"/.exec(first.body)?.[1];
    expect(nonce).toBeDefined();
    expect(nonce).not.toBe(NONCE_PLACEHOLDER);
    expect(second.body).not.toContain(`content="${nonce}"`);
    const csp = String(first.headers["content-security-policy"]);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self';");
    expect(csp).toContain(`style-src 'self' 'nonce-${nonce}'`);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain("unsafe-inline");
  });

  it("answers index.html for client-side routes (with a query string too)", async () => {
    for (const url of ["/policies", "/policies/8f1c", "/auth/callback?code=abc&state=xyz", "/signins?policy=1"]) {
      const res = await app.inject({ method: "GET", url });
      expect(res.statusCode, url).toBe(200);
      expect(res.body, url).toContain('<div id="root">');
    }
  });

  it("serves hashed assets with their content type and a year-long immutable cache", async () => {
    const js = await app.inject({ method: "GET", url: "/assets/index-abc123.js" });
    expect(js.statusCode).toBe(200);
    expect(js.headers["content-type"]).toBe("text/javascript; charset=utf-8");
    expect(js.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    expect(js.body).toBe("console.log('portal');");
    const css = await app.inject({ method: "GET", url: "/assets/index-abc123.css" });
    expect(css.headers["content-type"]).toBe("text/css; charset=utf-8");
  });

  it("compresses scripts with brotli or gzip as the browser prefers, and says so (Vary)", async () => {
    const url = "/assets/vendor-def456.js";
    const br = await app.inject({ method: "GET", url, headers: { "accept-encoding": "gzip, deflate, br" } });
    expect(br.statusCode).toBe(200);
    expect(br.headers["content-encoding"]).toBe("br");
    expect(br.headers.vary).toContain("accept-encoding");
    expect(br.rawPayload.length).toBeLessThan(BIG_SCRIPT.length / 4);
    expect(brotliDecompressSync(br.rawPayload).toString("utf8")).toBe(BIG_SCRIPT);
    const gz = await app.inject({ method: "GET", url, headers: { "accept-encoding": "br;q=0, gzip" } });
    expect(gz.headers["content-encoding"]).toBe("gzip");
    expect(gunzipSync(gz.rawPayload).toString("utf8")).toBe(BIG_SCRIPT);
    const plain = await app.inject({ method: "GET", url, headers: { "accept-encoding": "identity" } });
    expect(plain.headers["content-encoding"]).toBeUndefined();
    expect(plain.body).toBe(BIG_SCRIPT);
    // Small files are sent as they are.
    const small = await app.inject({ method: "GET", url: "/assets/index-abc123.js", headers: { "accept-encoding": "br" } });
    expect(small.headers["content-encoding"]).toBeUndefined();
    expect(small.body).toBe("console.log('portal');");
  });

  it("answers 404 for a missing file and never serves files outside the portal folder", async () => {
    expect((await app.inject({ method: "GET", url: "/assets/missing-1.js" })).statusCode).toBe(404);
    for (const url of ["/../secret.txt", "/%2e%2e/secret.txt", "/assets/..%2f..%2fsecret.txt", "/..%5csecret.txt"]) {
      const res = await app.inject({ method: "GET", url });
      expect(res.body, url).not.toContain("outside the portal");
    }
  });

  it("never shadows the API, the sign-in service or the service endpoints", async () => {
    const api = await app.inject({ method: "GET", url: "/v1.0/no-such-thing" });
    expect(api.statusCode).toBe(404);
    expect(api.json().error.code).toBeDefined();
    const policies = await app.inject({ method: "GET", url: "/v1.0/identity/conditionalAccess/policies" });
    expect(policies.statusCode).toBe(401);
    const openapi = await app.inject({ method: "GET", url: "/openapi.json" });
    expect(openapi.headers["content-type"]).toContain("application/json");
    expect((await app.inject({ method: "GET", url: "/livez" })).json()).toEqual({ status: "ok" });
    for (const url of ["/oauth2/anything", "/signin/xyz", "/.well-known/nothing", "/healthz/x"]) {
      const res = await app.inject({ method: "GET", url });
      expect(res.statusCode, url).toBe(404);
      expect(res.body, url).not.toContain('<div id="root">');
    }
  });

  it("says plainly that the portal has not been built when its folder is missing", async () => {
    const res = await unbuilt.inject({ method: "GET", url: "/" });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain("The Gatehouse portal has not been built");
    expect(res.body).toContain("npm run build -w @gatehouse/portal");
    expect((await unbuilt.inject({ method: "GET", url: "/policies" })).body).toContain("has not been built");
  });
});

describe("negotiateEncoding", () => {
  it("prefers brotli, honours q=0 and *, and falls back to none", () => {
    expect(negotiateEncoding("gzip, deflate, br")).toBe("br");
    expect(negotiateEncoding("gzip;q=1.0, br;q=0.5")).toBe("gzip");
    expect(negotiateEncoding("br;q=0, gzip")).toBe("gzip");
    expect(negotiateEncoding("*")).toBe("br");
    expect(negotiateEncoding("*, br;q=0")).toBe("gzip");
    expect(negotiateEncoding("identity")).toBeNull();
    expect(negotiateEncoding("gzip;q=0")).toBeNull();
    expect(negotiateEncoding(undefined)).toBeNull();
  });
});
