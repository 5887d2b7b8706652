/**
 * The remote CLI end to end (issue 5, "How we will know"): `gatehouse serve` on a loopback port
 * (a tenant from `gatehouse init`), `gatehouse login --server` with the device code completed
 * in Debian's chromium (playwright-core), then `policies list`, `policies apply` with its plan
 * (turning "Require MFA for Gatehouse management" on and creating a policy), and
 * `signins list`, which shows the CLI's own sign-in.
 *
 * Without /usr/bin/chromium the suite is skipped with a message, except in CI (CI=true),
 * where a missing chromium is a failing test.
 */
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GATEHOUSE_CLI_APP_ID, type InitResult, initTenant, runServe, SQLITE_FILE_NAME } from "@gatehouse/server";
import { openStore } from "@gatehouse/store";
import { type BrowserContext, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBufferedIo } from "../cli-io.js";
import { runCli } from "../main.js";

const CHROMIUM = "/usr/bin/chromium";
const ADMIN = "admin@contoso.test";
const PASSWORD = "correct horse battery staple";
const OFFICE_365 = "Office365";

const haveChromium = existsSync(CHROMIUM);
const inCi = process.env.CI === "true";

if (!haveChromium) {
  if (inCi) {
    describe("remote CLI in a browser", () => {
      it(`needs chromium at ${CHROMIUM} in CI`, () => {
        expect.fail(`chromium is missing at ${CHROMIUM}: CI must install Debian's chromium for the browser tests`);
      });
    });
  } else {
    console.warn(`remote-cli.browser.test.ts skipped: chromium is not installed at ${CHROMIUM}`);
  }
}

const suite = haveChromium ? describe : describe.skip;

suite(`gatehouse login (device code in chromium at ${CHROMIUM}), then the remote commands`, () => {
  let dir: string;
  let server: string;
  let init: InitResult;
  let stop: AbortController;
  let served: Promise<number>;
  let browser: BrowserContext;
  let env: Record<string, string>;

  const cli = async (args: string[]) => {
    const io = createBufferedIo({ env });
    const code = await runCli(args, io);
    return { code, out: io.stdoutText(), err: io.stderrText() };
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "gatehouse-remote-cli-"));
    const store = await openStore({ sqlitePath: join(dir, SQLITE_FILE_NAME) });
    init = await initTenant(store, { adminUpn: ADMIN, adminPassword: PASSWORD, now: new Date() });
    await store.close();
    stop = new AbortController();
    const listening = new Promise<string>((resolve) => {
      served = runServe(
        { data: dir, port: 0, host: "127.0.0.1", countryDb: false, rateLimit: 0 },
        createBufferedIo(),
        stop.signal,
        resolve,
      );
    });
    server = await Promise.race([listening, served.then(() => Promise.reject(new Error("the server stopped")))]);
    env = { GATEHOUSE_CONFIG_DIR: join(dir, "config") };
    // A fresh profile folder (--user-data-dir) for this run.
    browser = await chromium.launchPersistentContext(join(dir, "profile"), {
      executablePath: CHROMIUM,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    stop?.abort();
    await served;
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("signs in with the device code in the browser, lists, plans and applies policies, and reads the sign-in logs", async () => {
    // gatehouse login: prints where to go and the code, then polls (RFC 8628: every 5 s).
    const loginIo = createBufferedIo({ env });
    const login = runCli(["login", "--server", server], loginIo);
    let printed: RegExpExecArray | null = null;
    for (let i = 0; i < 300 && printed === null; i++) {
      printed = /open (\S+) in a browser and enter the code (\S+)/.exec(loginIo.stderrText());
      if (printed === null) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(printed, loginIo.stderrText()).not.toBeNull();
    const [, verificationUri, userCode] = printed as RegExpExecArray;

    // The person at the browser: the code, the confirmation, the sign-in.
    const page = await browser.newPage();
    const consoleErrors: string[] = [];
    page.on("console", (message) => {
      // The browser's own request for /favicon.ico is not the pages' doing.
      const url = message.location().url;
      if (message.type() === "error" && !url.endsWith("/favicon.ico")) consoleErrors.push(`${message.text()} (${url})`);
    });
    await page.goto(verificationUri as string);
    await page.fill('input[name="user_code"]', userCode as string);
    await page.click('button[type="submit"]');
    await page.click('button[name="confirm"]');
    await page.fill('input[name="username"]', ADMIN);
    await page.fill('input[name="password"]', PASSWORD);
    await page.click('button:has-text("Sign in")');
    await page.waitForSelector("text=You are signed in");
    await page.screenshot({ path: join(dir, "device-code-done.png") });
    expect(consoleErrors).toEqual([]);
    expect(await login).toBe(0);
    expect(loginIo.stdoutText()).toMatch(new RegExp(`^Signed in to ${server} as ${ADMIN}; tokens kept in `));

    // policies list: the tenant's headline policy, in report-only (the only server: no --server needed).
    const list = await cli(["policies", "list"]);
    expect(list.code, list.err).toBe(0);
    expect(list.out).toMatch(
      new RegExp(`^${init.managementMfaPolicy.displayName}\\s+report-only\\s+\\S+\\s+${init.managementMfaPolicy.id}$`, "m"),
    );

    // policies apply: the headline policy exported and turned on in the file, plus a new report-only policy.
    const exported = await cli(["policies", "get", init.managementMfaPolicy.id, "--json", "--server", server]);
    expect(exported.code).toBe(0);
    const folder = join(dir, "policies");
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, "management-mfa.json"), JSON.stringify({ ...JSON.parse(exported.out), state: "enabled" }, null, 2));
    await writeFile(
      join(folder, "office-mfa.json"),
      JSON.stringify({
        displayName: "Require MFA for Office 365",
        state: "enabledForReportingButNotEnforced",
        conditions: {
          clientAppTypes: ["all"],
          applications: { includeApplications: [OFFICE_365] },
          users: { includeUsers: ["All"], excludeGroups: [init.emergencyAccess.groupId] },
        },
        grantControls: { operator: "OR", builtInControls: ["mfa"] },
      }),
    );
    const plan = await cli(["policies", "apply", folder, "--server", server, "--plan-only"]);
    expect(plan.code, plan.err).toBe(4);
    expect(plan.out).toContain(`  + create "Require MFA for Office 365" (${join(folder, "office-mfa.json")})\n`);
    expect(plan.out).toContain(`  ~ update "${init.managementMfaPolicy.displayName}" (${init.managementMfaPolicy.id})\n`);
    expect(plan.out).toContain(`      state: "enabledForReportingButNotEnforced" -> "enabled"\n`);
    expect(plan.out).toContain("Plan: 1 to create, 1 to update, 0 to delete, 0 unchanged.\n");
    const applied = await cli(["policies", "apply", folder, "--server", server, "--yes"]);
    expect(applied.code, applied.err).toBe(0);
    expect(applied.out).toMatch(/Apply complete: 2 changes\.\n$/);
    const after = JSON.parse((await cli(["policies", "list", "--json"])).out) as { value: { displayName: string; state: string }[] };
    expect(after.value.map((p) => [p.displayName, p.state]).sort()).toEqual(
      [
        [init.managementMfaPolicy.displayName, "enabled"],
        ["Require MFA for Office 365", "enabledForReportingButNotEnforced"],
      ].sort(),
    );
    expect((await cli(["policies", "apply", folder, "--plan-only"])).code).toBe(0);

    // signins list: the CLI's own device-code sign-in, evaluated by Conditional Access.
    const signIns = JSON.parse((await cli(["signins", "list", "--json", "--user", ADMIN])).out) as {
      value: { userPrincipalName: string; appId: string; conditionalAccessStatus: string; status: { errorCode: number } }[];
    };
    const cliSignIn = signIns.value.find((r) => r.appId === GATEHOUSE_CLI_APP_ID);
    expect(cliSignIn, JSON.stringify(signIns.value.map((r) => [r.appId, r.conditionalAccessStatus]))).toMatchObject({
      userPrincipalName: ADMIN,
      status: { errorCode: 0 },
    });
    const table = await cli(["signins", "list", "--last", "1h"]);
    expect(table.code, table.err).toBe(0);
    expect(table.out).toMatch(/^TIME\s+USER\s+APP\s+CA STATUS\s+ERROR\s+IP\s+LOCATION\n/);
    expect(table.out).toMatch(new RegExp(`^\\S+Z\\s+${ADMIN}\\s+.*\\s+0\\s+127\\.0\\.0\\.1\\s+`, "m"));
  }, 90_000);
});
