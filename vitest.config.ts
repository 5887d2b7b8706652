import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const BROWSER = "packages/*/src/**/*.browser.test.ts";
// scripts/test.mjs runs the browser suites apart from the rest (GATEHOUSE_TEST_PHASE); a bare
// `npx vitest` runs everything.
const phase = process.env.GATEHOUSE_TEST_PHASE;

export default defineConfig({
  resolve: {
    alias: {
      "@gatehouse/engine": fileURLToPath(new URL("./packages/engine/src/index.ts", import.meta.url)),
      "@gatehouse/geoip": fileURLToPath(new URL("./packages/geoip/src/index.ts", import.meta.url)),
      "@gatehouse/admin": fileURLToPath(new URL("./packages/admin/src/index.ts", import.meta.url)),
      "@gatehouse/insight": fileURLToPath(new URL("./packages/insight/src/index.ts", import.meta.url)),
      "@gatehouse/store": fileURLToPath(new URL("./packages/store/src/index.ts", import.meta.url)),
      "@gatehouse/server": fileURLToPath(new URL("./packages/server/src/index.ts", import.meta.url)),
      "@gatehouse/bench": fileURLToPath(new URL("./packages/bench/src/index.ts", import.meta.url)),
      "@gatehouse/mfa": fileURLToPath(new URL("./packages/mfa/src/index.ts", import.meta.url)),
      "@gatehouse/oidc": fileURLToPath(new URL("./packages/oidc/src/index.ts", import.meta.url)),
    },
  },
  test: {
    include: phase === "browser" ? [BROWSER] : ["packages/*/src/**/*.test.ts"],
    exclude: phase === "unit" ? ["**/node_modules/**", BROWSER] : ["**/node_modules/**"],
    testTimeout: 30_000,
  },
});
