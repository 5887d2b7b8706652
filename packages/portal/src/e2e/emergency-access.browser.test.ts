/**
 * Emergency access in the portal, in Debian's chromium (playwright-core) against a real server
 * on a loopback port with the demo tenant: the Overview warns about a policy that would apply to
 * the emergency-access accounts; under Users and groups a Global Administrator sees the
 * declared accounts, adds a user, meets the server's 409 (the user is in the scope of an
 * enforced MFA policy), acknowledges it (resent with Prefer: allow-unsafe-policy) and removes
 * the user again. Screenshots go to packages/portal/test-results/ (ignored by git).
 */
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer, type InitResult, initTenant, issueManagementToken } from "@gatehouse/server";
import { openStore, type Store } from "@gatehouse/store";
import type { FastifyInstance } from "fastify";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  authenticatorMfa,
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
const EXPOSING_POLICY = "Report-only MFA for everyone";

requireChromium("emergency-access browser tests");

(hasChromium ? describe : describe.skip)("emergency access in the portal", () => {
  let dir: string;
  let store: Store;
  let app: FastifyInstance;
  let init: InitResult;
  let base: string;
  let context: BrowserContext;
  let page: Page;
  const consoleErrors: string[] = [];
  const failedResponses: string[] = [];

  const shot = async (name: string) => {
    await settleAnimations(page);
    await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
  };
  const nav = async (label: string) => {
    await page.getByRole("navigation", { name: "Sections" }).getByRole("link", { name: label, exact: true }).click();
  };
  const declared = async () => {
    const settings = await store.tenant.get();
    return { userIds: settings?.emergencyAccessUserIds ?? [], groupIds: settings?.emergencyAccessGroupIds ?? [] };
  };

  const authenticator = authenticatorMfa();
  const completeMfa = () => authenticator(page, base);

  beforeAll(async () => {
    if (!existsSync(join(PORTAL_DIST, "index.html"))) {
      throw new Error(`the portal is not built (${PORTAL_DIST}): run npm run build -w @gatehouse/portal first`);
    }
    await mkdir(SCREENSHOTS, { recursive: true });
    dir = await mkdtemp(join(tmpdir(), "gatehouse-portal-emergency-"));
    store = await openStore({ sqlitePath: join(dir, "gatehouse.db") });
    init = await initTenant(store, { adminUpn: ADMIN, adminPassword: ADMIN_PASSWORD, demo: true, now: new Date() });
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    app = await createServer({ store, oidc: { issuer: `${base}/oauth2` }, portalDir: PORTAL_DIST, signInRetentionIntervalMs: 0 });
    await app.listen({ port, host: "127.0.0.1" });

    // A report-only policy without the emergency-access exclusion (acknowledged): the Overview must warn about it.
    const token = await issueManagementToken(store, { userId: init.admin.id, amr: ["pwd", "mfa"] });
    const created = await fetch(`${base}/v1.0/identity/conditionalAccess/policies`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json", prefer: "allow-unsafe-policy" },
      body: JSON.stringify({
        displayName: EXPOSING_POLICY,
        state: "enabledForReportingButNotEnforced",
        conditions: { users: { includeUsers: ["All"] }, applications: { includeApplications: ["All"] }, clientAppTypes: ["all"] },
        grantControls: { operator: "OR", builtInControls: ["mfa"] },
      }),
    });
    expect(created.status).toBe(201);

    ({ context, page } = await openChromium(join(dir, "profile")));
    recordPageProblems(page, consoleErrors, failedResponses);
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    await app?.close();
    await store?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("warns on the Overview about the policy that would apply to the emergency-access accounts", async () => {
    await page.goto(`${base}/`);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(/\/signin\//);
    await page.getByLabel("Email or username").fill(ADMIN);
    await page.getByLabel("Password").fill(ADMIN_PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await completeMfa();
    await page.waitForURL(`${base}/`);
    const card = page.getByRole("group", { name: "Policies that apply to emergency-access accounts" });
    await expect.poll(() => card.isVisible()).toBe(true);
    expect(await card.getByRole("link", { name: EXPOSING_POLICY }).isVisible()).toBe(true);
    const accounts = init.emergencyAccess.accounts.map((a) => a.userPrincipalName);
    for (const upn of accounts) expect(await card.textContent()).toContain(upn);
    await shot("emergency-01-overview-warning");
  }, 60_000);

  it("shows the emergency-access accounts and groups under Users and groups", async () => {
    await nav("Users and groups");
    const first = init.emergencyAccess.accounts[0];
    if (first === undefined) throw new Error("init declared no emergency-access account");
    const row = page.getByRole("row").filter({ hasText: first.userPrincipalName });
    await expect.poll(() => row.getByText("Emergency access", { exact: true }).isVisible()).toBe(true);
    await page.getByRole("tab", { name: "Emergency access" }).click();
    const groups = page.getByRole("list", { name: "Emergency-access groups" });
    await expect.poll(() => groups.getByText(init.emergencyAccess.groupDisplayName).isVisible()).toBe(true);
    const accounts = page.getByRole("list", { name: "Emergency-access accounts" });
    for (const a of init.emergencyAccess.accounts) await expect.poll(() => accounts.getByText(a.userPrincipalName).isVisible()).toBe(true);
    await shot("emergency-02-users-and-groups");
  });

  it("adds a user exposed to an enforced policy only after acknowledging the 409, then removes it", async () => {
    const before = await declared();
    const megan = await store.users.getByUserPrincipalName("megan.bowen@contoso.example");
    if (megan === null) throw new Error("the demo tenant has no Megan Bowen");
    const box = page.getByRole("combobox", { name: "Add emergency-access users or groups", exact: true });
    await box.click();
    await box.fill("Megan");
    await page
      .getByRole("option", { name: /^Megan Bowen/ })
      .first()
      .click();
    await page.getByRole("button", { name: "Add to emergency access" }).click();

    const alert = page.getByRole("alert").filter({ hasText: "This change puts emergency access at risk" });
    await expect.poll(() => alert.isVisible()).toBe(true);
    expect(await alert.textContent()).toMatch(/Exposed:.*megan\.bowen@contoso\.example/);
    expect(await declared()).toEqual(before);
    expect(failedResponses).toEqual(["409 PATCH /v1.0/identity/conditionalAccess/emergencyAccess"]);
    await shot("emergency-03-refused");

    const saveAnyway = alert.getByRole("button", { name: "Save anyway" });
    expect(await saveAnyway.isDisabled()).toBe(true);
    await alert.getByRole("checkbox", { name: "I understand the risk and want to save this change anyway" }).check();
    await saveAnyway.click();
    await expect.poll(() => page.getByText("The emergency-access accounts were saved.").isVisible()).toBe(true);
    expect((await declared()).userIds).toEqual([...before.userIds, megan.id]);
    const users = page.getByRole("list", { name: "Emergency-access users" });
    await expect.poll(() => users.getByText(/Megan Bowen/).isVisible()).toBe(true);
    const audit = await store.audit.list({ filter: { activityDisplayName: "Update emergency-access accounts" } });
    expect(audit.value[0]?.additionalDetails).toContainEqual({ key: "Prefer", value: "allow-unsafe-policy" });

    await users.getByRole("button", { name: /^Remove Megan Bowen/ }).click();
    await expect.poll(async () => (await declared()).userIds).toEqual(before.userIds);
    await expect.poll(() => users.getByText(/Megan Bowen/).count()).toBe(0);
    await shot("emergency-04-saved");
    expect(failedResponses).toEqual(["409 PATCH /v1.0/identity/conditionalAccess/emergencyAccess"]);
    expect(consoleErrors).toEqual([]);
  }, 60_000);
});
