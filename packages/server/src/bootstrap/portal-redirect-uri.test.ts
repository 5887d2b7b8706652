import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openStore, type Store } from "@gatehouse/store";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { initTenant } from "./init-tenant.js";
import { ensurePortalRedirectUri, portalRedirectUriFor } from "./portal-redirect-uri.js";
import { GATEHOUSE_PORTAL_APP_ID } from "./well-known-applications.js";

let dir: string;
let store: Store;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "gatehouse-portal-uri-"));
  store = await openStore({ sqlitePath: join(dir, "gatehouse.db") });
});

afterEach(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

describe("the Portal's redirect URI for the server's public address", () => {
  it("is the issuer's origin with /auth/callback (the portal is served at the root)", () => {
    expect(portalRedirectUriFor("https://gatehouse.contoso.com/oauth2")).toBe("https://gatehouse.contoso.com/auth/callback");
    expect(portalRedirectUriFor("http://127.0.0.1:41234/oauth2")).toBe("http://127.0.0.1:41234/auth/callback");
  });

  it("init registers the default addresses; another address is added once, with an audit record", async () => {
    const now = new Date("2026-11-27T10:00:00Z");
    await initTenant(store, { adminUpn: "admin@contoso.example", adminPassword: "Correct-Horse-42", now });
    const before = await store.applications.getByAppId(GATEHOUSE_PORTAL_APP_ID);
    expect(before?.redirectUris).toEqual(["http://127.0.0.1:8080/auth/callback", "http://localhost:8080/auth/callback"]);
    expect(await ensurePortalRedirectUri(store, "http://127.0.0.1:8080/oauth2", now)).toBe(false);

    expect(await ensurePortalRedirectUri(store, "https://gatehouse.contoso.com/oauth2", now)).toBe(true);
    expect(await ensurePortalRedirectUri(store, "https://gatehouse.contoso.com/oauth2", now)).toBe(false);
    const after = await store.applications.getByAppId(GATEHOUSE_PORTAL_APP_ID);
    expect(after?.redirectUris).toEqual([...(before?.redirectUris ?? []), "https://gatehouse.contoso.com/auth/callback"]);
    const audits = (await store.audit.list({ top: 999 })).value.filter(
      (a) => a.activityDisplayName === "Update application" && a.targetResources.some((t) => t.id === after?.id),
    );
    expect(audits).toHaveLength(1);
    expect(audits[0]?.targetResources[0]?.modifiedProperties?.[0]).toMatchObject({
      displayName: "RedirectUris",
      newValue: JSON.stringify(after?.redirectUris),
    });
  });

  it("does nothing in a store without the Portal application", async () => {
    expect(await ensurePortalRedirectUri(store, "https://gatehouse.contoso.com/oauth2", new Date())).toBe(false);
  });
});
