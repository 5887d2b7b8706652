import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

/**
 * The corpus suites (policy, filter, IP range, CLI validate) skip when `../shared/corpus`
 * is missing on a developer's machine. In CI a missing corpus is a failure, not a skip.
 */
const corpus = fileURLToPath(new URL("../../../../shared/corpus/", import.meta.url));
const present = existsSync(corpus);

describe("the shared policy corpus", () => {
  it.runIf(process.env.CI === "true")(`is present at ${corpus} in CI`, () => {
    expect(present).toBe(true);
  });
  it.skipIf(present || process.env.CI === "true")(`is not present at ${corpus}: the corpus suites were skipped`, () => {});
});
