/**
 * Shared by the portal's browser tests: Debian's chromium and its flags, the built portal,
 * the screenshots folder, a free loopback port.
 */
import { existsSync } from "node:fs";
import { createServer as createNetServer } from "node:net";
import { fileURLToPath } from "node:url";

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
