/**
 * "My security info" in Debian's chromium (playwright-core), against a real server on a
 * loopback port. The issuer and the portal are http://localhost:<port> (WebAuthn needs a
 * domain; localhost is a secure context). A user outside the MFA policy signs in with a
 * password, adds an authenticator app (codes computed here, as the app would), then tries to
 * add a passkey: having a method now, the API answers with a claims challenge, the page offers
 * to sign in again with the acr values it asks for, the user completes that sign-in with a
 * TOTP code and, back on the page, adds a passkey with Chromium's virtual authenticator; then
 * removes the authenticator app. Screenshots go to packages/portal/test-results/.
 */
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer, hashPassword, type InitResult, initTenant, issueManagementToken } from "@gatehouse/server";
import { openStore, type Store } from "@gatehouse/store";
import type { FastifyInstance } from "fastify";
import { generate } from "otplib";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  freePort,
  hasChromium,
  openChromium,
  PORTAL_DIST,
  recordPageProblems,
  requireChromium,
  SCREENSHOTS,
  settleAnimations,
} from "./browser-support.js";

const ADMIN = "admin@contoso.example";
const ADMIN_PASSWORD = "Correct-Horse-Battery-42";
const USER = "robin.lee@contoso.example";
const USER_PASSWORD = "Robin-Staple-Battery-77";

requireChromium("security info browser tests");

(hasChromium ? describe : describe.skip)("My security info in chromium", () => {
  let dir: string;
  let store: Store;
  let app: FastifyInstance;
  let base: string;
  let userId: string;
  let init: InitResult;
  let context: BrowserContext;
  let page: Page;
  const consoleErrors: string[] = [];
  /** API answers with an error status: each must be one the test expects (the claims challenge). */
  const failedResponses: string[] = [];
  let secret = "";

  const shot = async (name: string, fullPage = true) => {
    await settleAnimations(page);
    await page.screenshot({ path: join(SCREENSHOTS, `security-info-${name}.png`), fullPage });
  };
  /** The administrator's token (with MFA), for the policy changes the scenario needs. */
  const adminToken = () =>
    issueManagementToken(store, { userId: init.admin.id, appId: init.applications.portal.appId, amr: ["pwd", "otp", "mfa"] });
  const methodsTable = () => page.getByRole("table", { name: "Authentication methods" });
  const rowOf = (type: string) => methodsTable().getByRole("row").filter({ hasText: type });

  beforeAll(async () => {
    if (!existsSync(join(PORTAL_DIST, "index.html"))) {
      throw new Error(`the portal is not built (${PORTAL_DIST}): run npm run build -w @gatehouse/portal first`);
    }
    await mkdir(SCREENSHOTS, { recursive: true });
    dir = await mkdtemp(join(tmpdir(), "gatehouse-security-info-e2e-"));
    store = await openStore({ sqlitePath: join(dir, "gatehouse.db") });
    init = await initTenant(store, { adminUpn: ADMIN, adminPassword: ADMIN_PASSWORD, now: new Date() });
    // The init's MFA policy for the Management API stays in report-only: a password signs this user in.
    expect(init.managementMfaPolicy.state).toBe("enabledForReportingButNotEnforced");
    const user = await store.users.create({ userPrincipalName: USER, displayName: "Robin Lee" });
    await store.users.setPasswordHash(user.id, await hashPassword(USER_PASSWORD));
    userId = user.id;
    const port = await freePort();
    base = `http://localhost:${port}`;
    app = await createServer({ store, oidc: { issuer: `${base}/oauth2` }, portalDir: PORTAL_DIST, signInRetentionIntervalMs: 0 });
    await app.listen({ port, host: "127.0.0.1" });
    ({ context, page } = await openChromium(join(dir, "profile")));
    recordPageProblems(page, consoleErrors, failedResponses);
    // Chromium's virtual authenticator: a platform passkey with user verification.
    const cdp = await context.newCDPSession(page);
    await cdp.send("WebAuthn.enable");
    await cdp.send("WebAuthn.addVirtualAuthenticator", {
      options: { protocol: "ctap2", transport: "internal", hasResidentKey: true, hasUserVerification: true, isUserVerified: true },
    });
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    await app?.close();
    await store?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("signs the user in with a password, back to My security info (a section of the navigation)", async () => {
    // Not an administrator: the other pages are refused by the API, so the portal offers only this one, every user's own.
    await page.goto(`${base}/security-info`);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(/\/signin\//);
    await page.getByLabel("Email or username").fill(USER);
    await page.getByLabel("Password").fill(USER_PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(`${base}/security-info`);
    await page.getByRole("heading", { name: "My security info", level: 1 }).waitFor();
    const link = page.getByRole("navigation", { name: "Sections" }).getByRole("link", { name: "My security info", exact: true });
    expect(await link.getAttribute("aria-current")).toBe("page");
    await expect
      .poll(() => page.getByRole("navigation", { name: "Sections" }).getByRole("link").allTextContents())
      .toEqual(["My security info"]);
    await expect.poll(() => rowOf("Password").count()).toBe(1);
    await shot("01-password-only");
  }, 60_000);

  it("adds an authenticator app: the secret, the otpauth link and a QR code, confirmed with a code", async () => {
    await page.getByRole("button", { name: "Add authenticator app" }).click();
    const setup = page.getByRole("region", { name: "Set up your authenticator app" });
    await setup.waitFor();
    secret = ((await page.locator("#security-info-totp-secret").textContent()) ?? "").replace(/\s+/g, "");
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    const link = setup.getByRole("link", { name: /^otpauth:\/\/totp\// });
    expect(await link.getAttribute("href")).toContain(`secret=${secret}`);
    expect(await setup.getByRole("img", { name: "QR code of the authenticator key" }).isVisible()).toBe(true);
    await shot("02-authenticator-setup");
    await setup.getByRole("textbox", { name: "Name" }).fill("Robin's phone");
    await setup.getByLabel("Code from your authenticator app").fill(await generate({ secret }));
    await setup.getByRole("button", { name: "Verify" }).click();
    await expect.poll(() => rowOf("Authenticator app (TOTP)").textContent()).toContain("Robin's phone");
    expect(await page.getByRole("status").filter({ hasText: "was added" }).isVisible()).toBe(true);
    expect(await store.authenticationMethods.listForUser(userId)).toMatchObject([{ methodType: "softwareOath" }]);
    await shot("03-authenticator-added");
  }, 60_000);

  it("asks for MFA before a passkey is added (claims challenge), signs in again with the code, then adds the passkey", async () => {
    await page.getByRole("button", { name: "Add passkey" }).click();
    const setup = page.getByRole("region", { name: "Add a passkey" });
    await setup.getByRole("button", { name: "Create passkey" }).click();
    const again = page.getByRole("button", { name: "Sign in again to continue" });
    await again.waitFor();
    expect(await page.getByRole("alert").filter({ hasText: "More verification is needed" }).textContent()).toMatch(
      /multifactor authentication/,
    );
    // The claims challenge does not sign the user out: the tokens are still there.
    expect(await page.evaluate('sessionStorage.getItem("gatehouse.tokens") !== null')).toBe(true);
    await shot("04-claims-challenge");

    const [authorize] = await Promise.all([page.waitForRequest(/\/oauth2\/auth\?/), again.click()]);
    // The authorization request asks for the acr values of the challenge (the sign-in service then asks for MFA).
    expect(new URL(authorize.url()).searchParams.get("acr_values")).toBe("urn:gatehouse:acr:mfa urn:gatehouse:acr:phr");
    await page.waitForURL(/\/signin\//);
    const username = page.getByLabel("Email or username");
    if (await username.isVisible()) {
      await username.fill(USER);
      await page.getByLabel("Password").fill(USER_PASSWORD);
      await page.getByRole("button", { name: "Sign in" }).click();
    }
    const code = page.getByLabel("Code from your authenticator app");
    await code.waitFor();
    await shot("05-step-up-sign-in");
    // The code of the next time step (the current one was spent registering the app; ±1 step is accepted).
    await code.fill(await generate({ secret, epoch: Math.floor(Date.now() / 1000) + 30 }));
    await page.getByRole("button", { name: "Verify" }).click();
    await page.waitForURL(`${base}/security-info`);
    const tokens = JSON.parse((await page.evaluate('sessionStorage.getItem("gatehouse.tokens")')) as string) as { accessToken: string };
    const claims = JSON.parse(Buffer.from(tokens.accessToken.split(".")[1] ?? "", "base64url").toString("utf8")) as { amr: string[] };
    expect(claims.amr).toEqual(["pwd", "otp", "mfa"]);

    await page.getByRole("button", { name: "Add passkey" }).click();
    const again2 = page.getByRole("region", { name: "Add a passkey" });
    await again2.getByRole("textbox", { name: "Passkey name" }).fill("This laptop");
    await again2.getByRole("button", { name: "Create passkey" }).click();
    await expect.poll(() => rowOf("Passkey").textContent()).toContain("This laptop");
    expect(await rowOf("Authenticator app (TOTP)").count()).toBe(1);
    expect((await store.authenticationMethods.listForUser(userId)).map((m) => m.methodType).sort()).toEqual(["fido2", "softwareOath"]);
    await shot("06-passkey-added");
  }, 90_000);

  it("removes the authenticator app after a confirmation", async () => {
    await rowOf("Authenticator app (TOTP)").getByRole("button", { name: "Remove Robin's phone" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain("Remove Robin's phone?");
    // The passkey stays: this is not the last method.
    expect(await dialog.textContent()).not.toContain("last method");
    await shot("07-remove-confirmation", false);
    await dialog.getByRole("button", { name: "Remove", exact: true }).click();
    await expect.poll(() => page.getByRole("dialog").count()).toBe(0);
    await expect.poll(() => page.getByRole("status").filter({ hasText: "was removed" }).isVisible()).toBe(true);
    await expect.poll(() => rowOf("Authenticator app (TOTP)").count()).toBe(0);
    expect(await rowOf("Passkey").count()).toBe(1);
    expect(await store.authenticationMethods.listForUser(userId)).toMatchObject([{ methodType: "fido2" }]);
    await shot("08-authenticator-removed");
  }, 60_000);

  it("warns before the last method is removed", async () => {
    await rowOf("Passkey").getByRole("button", { name: "Remove This laptop" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain("This is your last method besides your password");
    await shot("09-last-method-warning", false);
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await expect.poll(() => page.getByRole("dialog").count()).toBe(0);
    // The page is back to the user (no longer hidden behind the modal), the passkey still there.
    await expect.poll(() => rowOf("Passkey").count()).toBe(1);
    expect(await store.authenticationMethods.listForUser(userId)).toMatchObject([{ methodType: "fido2" }]);
  }, 60_000);

  it("removes the last method while Conditional Access requires MFA, and shows the server's warning", async () => {
    // The administrator turns the init's MFA policy for the Management API On (through the API, acknowledged).
    const patched = await fetch(`${base}/v1.0/identity/conditionalAccess/policies/${init.managementMfaPolicy.id}`, {
      method: "PATCH",
      headers: { authorization: `Bearer ${await adminToken()}`, "content-type": "application/json", prefer: "allow-unsafe-policy" },
      body: JSON.stringify({ state: "enabled" }),
    });
    expect(patched.status, await patched.text()).toBe(204);

    await rowOf("Passkey").getByRole("button", { name: "Remove This laptop" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain("This is your last method besides your password");
    await dialog.getByRole("button", { name: "Remove", exact: true }).click();
    await expect.poll(() => page.getByRole("dialog").count()).toBe(0);
    const warning = page.getByRole("alert").filter({ hasText: "Last method removed" });
    await expect.poll(() => warning.isVisible()).toBe(true);
    expect(await warning.textContent()).toContain("you will be asked to register a method at your next sign-in");
    await expect.poll(() => rowOf("Passkey").count()).toBe(0);
    expect(await store.authenticationMethods.listForUser(userId)).toEqual([]);
    await shot("10-last-method-removed");
  }, 60_000);

  it("shows a Conditional Access block with its AADSTS code and correlation id", async () => {
    const created = await fetch(`${base}/v1.0/identity/conditionalAccess/policies`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${await adminToken()}`,
        "content-type": "application/json",
        prefer: "allow-unsafe-policy",
      },
      body: JSON.stringify({
        displayName: "Block security info registration for Robin",
        state: "enabled",
        conditions: {
          clientAppTypes: ["all"],
          users: { includeUsers: [userId] },
          applications: { includeUserActions: ["urn:user:registersecurityinfo"] },
        },
        grantControls: { operator: "OR", builtInControls: ["block"] },
      }),
    });
    expect(created.status, await created.text()).toBe(201);
    const [refused] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith("/softwareOathMethods/registration")),
      page.getByRole("button", { name: "Add authenticator app" }).click(),
    ]);
    expect(refused.status()).toBe(403);
    const blocked = page.getByRole("alert").filter({ hasText: "Blocked by Conditional Access" });
    await blocked.waitFor();
    const text = (await blocked.textContent()) ?? "";
    expect(text).toContain("AADSTS53003");
    expect(text).toContain(`Correlation ID: ${refused.headers()["request-id"]}`);
    expect(await page.getByRole("region", { name: "Set up your authenticator app" }).count()).toBe(0);
    await shot("11-blocked");
  }, 60_000);

  it("stays readable at a phone width", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByRole("heading", { name: "My security info", level: 1 }).waitFor();
    const overflow = (await page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")) as number;
    expect(overflow).toBeLessThanOrEqual(0);
    await shot("12-phone");
    await page.setViewportSize({ width: 1280, height: 800 });
  }, 60_000);

  it("logged no console errors, and the only refusals were the claims challenge and the block", () => {
    expect(consoleErrors).toEqual([]);
    // The portal asks once per load whether the account may read Conditional Access: Robin may not.
    const probe = "403 GET /v1.0/identity/conditionalAccess/policies";
    expect(failedResponses.filter((r) => r === probe).length).toBeGreaterThan(0);
    expect(failedResponses.filter((r) => r !== probe)).toEqual([
      "401 POST /v1.0/me/authentication/fido2Methods/registration",
      "403 POST /v1.0/me/authentication/softwareOathMethods/registration",
    ]);
  });
});
