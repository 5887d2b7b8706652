/**
 * Shared by the portal's browser tests: Debian's chromium and its flags, the built portal,
 * the screenshots folder, a free loopback port, an authenticator app's codes.
 */
import { createHmac } from "node:crypto";
import { existsSync } from "node:fs";
import { createServer as createNetServer } from "node:net";
import { fileURLToPath } from "node:url";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { describe, it } from "vitest";

export const CHROMIUM = "/usr/bin/chromium";
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
export const PORTAL_DIST = fileURLToPath(new URL("../../dist", import.meta.url));
export const SCREENSHOTS = fileURLToPath(new URL("../../test-results", import.meta.url));

export const hasChromium = existsSync(CHROMIUM);

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createNetServer();
    probe.once("error", reject);
    probe.listen({ port: 0, host: "127.0.0.1" }, () => {
      const address = probe.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/** RFC 6238 TOTP (SHA-1, 6 digits, 30 s) of a base32 secret, as an authenticator app computes it. */
export function totp(base32: string, at = Date.now()): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const c of base32.replace(/=+$/, "").toUpperCase()) bits += alphabet.indexOf(c).toString(2).padStart(5, "0");
  const key = Buffer.from((bits.match(/.{8}/g) ?? []).map((b) => Number.parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at / 30_000)));
  const mac = createHmac("sha1", key).update(counter).digest();
  const offset = (mac[mac.length - 1] ?? 0) & 0x0f;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, "0");
}

/**
 * The demo tenant's enforced "MFA for admins" policy asks the administrator for MFA at sign-in:
 * the returned function sets up an authenticator app on the sign-in pages (TOTP codes computed
 * here, as the app would), or answers with it when it is already set up (the secret is kept
 * between calls).
 */
export function authenticatorMfa(): (page: Page, base: string) => Promise<void> {
  let totpSecret: string | null = null;
  return async (page, base) => {
    for (
      let step = 0;
      step < 6 && !page.url().startsWith(`${base}/auth/callback`) && new URL(page.url()).pathname.startsWith("/signin/");
      step++
    ) {
      const setUp = page.getByRole("button", { name: "Set up an authenticator app" });
      const secret = page.locator("#totp-secret");
      const code = page.getByLabel(/Enter the code the app shows|Code from your authenticator app/);
      const back = page.getByRole("button", { name: "Back to the application" });
      if (await secret.isVisible()) totpSecret = ((await secret.textContent()) ?? "").replace(/\s+/g, "");
      if (await code.isVisible()) {
        if (totpSecret === null) throw new Error("the sign-in asks for an authenticator code before one was set up");
        await code.fill(totp(totpSecret));
        await page.getByRole("button", { name: "Verify" }).click();
      } else if (await setUp.isVisible()) await setUp.click();
      else if (await back.isVisible()) await back.click();
      else break;
      await page.waitForLoadState("load");
    }
  };
}

/**
 * Waits for running animations (panels sliding in) before a screenshot. An animation that React
 * cancels mid-way (a panel re-rendered) rejects `finished` with an AbortError, so settle rather
 * than require every one to complete.
 */
export async function settleAnimations(page: Page): Promise<void> {
  await page.evaluate("Promise.allSettled(document.getAnimations().map((a) => a.finished))");
}

/**
 * Says plainly that a suite is skipped without chromium; with CI=true the missing browser is a
 * failing test instead (CI must install it).
 */
export function requireChromium(suite: string): void {
  if (hasChromium) return;
  if (process.env.CI !== "true") {
    console.warn(`${suite} skipped: Debian's chromium is not installed at ${CHROMIUM} (apt-get install chromium)`);
    return;
  }
  describe(suite, () => {
    it("need Debian's chromium in CI", () => {
      throw new Error(`chromium is missing at ${CHROMIUM}: CI must install it (apt-get install chromium)`);
    });
  });
}

/** Debian's chromium, headless, on a persistent profile at 1280x800; its first page waits 15 s at most. */
export async function openChromium(profileDir: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    args: CHROMIUM_ARGS,
    headless: true,
    viewport: { width: 1280, height: 800 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(15_000);
  return { context, page };
}

/**
 * Collects what a suite asserts at its end: console errors and page errors (CSP violations
 * included), and every answer with an error status (`401 POST /path`). Chromium also logs each
 * error status of a fetch to the console; those are counted as answers, not console errors.
 */
export function recordPageProblems(page: Page, consoleErrors: string[], failedResponses: string[]): void {
  page.on("console", (message) => {
    if (message.type() === "error" && !message.text().startsWith("Failed to load resource")) consoleErrors.push(message.text());
  });
  page.on("response", (response) => {
    if (response.status() >= 400)
      failedResponses.push(`${response.status()} ${response.request().method()} ${new URL(response.url()).pathname}`);
  });
  page.on("pageerror", (error) => consoleErrors.push(String(error)));
}
