#!/usr/bin/env node
// Runs the whole test suite (vitest), then the CLI's golden scenarios through the built
// binary, and closes with one plain summary line: "Tests: N passed, N failed, N skipped".
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const dir = mkdtempSync(join(tmpdir(), "gatehouse-test-"));
const args = process.argv.slice(2);
let passed = 0;
let failed = 0;
let skipped = 0;
let vitestFailed = false;

/**
 * One vitest run; adds its counts to the totals. Browser suites run in a second phase, one file
 * at a time: on two cores a chromium beside a full parallel run starves and its clicks time out.
 */
function vitest(name, extra, env = {}) {
  const resultsFile = join(dir, `${name}.json`);
  const run = spawnSync(
    process.execPath,
    ["node_modules/vitest/vitest.mjs", "run", "--reporter=default", "--reporter=json", `--outputFile.json=${resultsFile}`, ...extra, ...args],
    { stdio: "inherit", env: { ...process.env, ...env } },
  );
  if (run.status !== 0) vitestFailed = true;
  try {
    const results = JSON.parse(readFileSync(resultsFile, "utf8"));
    passed += results.numPassedTests ?? 0;
    const own = results.numFailedTests ?? 0;
    failed += own;
    // A suite that fails to load has no failed tests of its own: count it.
    if (run.status !== 0 && own === 0) failed += Math.max(1, results.numFailedTestSuites ?? 0);
    skipped += (results.numPendingTests ?? 0) + (results.numTodoTests ?? 0);
  } catch {
    failed += 1;
    console.error(`test: vitest (${name}) wrote no results`);
  }
}

// vitest.config.ts picks the files of each phase.
vitest("unit", ["--passWithNoTests"], { GATEHOUSE_TEST_PHASE: "unit" });
vitest("browser", ["--no-file-parallelism", "--passWithNoTests"], { GATEHOUSE_TEST_PHASE: "browser" });
rmSync(dir, { recursive: true, force: true });

// The golden scenarios again, through the CLI a user runs (`npx gatehouse test`).
const cli = spawnSync(process.execPath, ["packages/cli/dist/main.js", "test", "packages/engine/scenarios", "examples/scenarios"], {
  encoding: "utf8",
});
const cliLine = (cli.stdout ?? "").trim().split("\n").pop() ?? "";
const match = /^(\d+) passed, (\d+) failed/.exec(cliLine);
if (cli.status === 0 && match) {
  console.log(`gatehouse test: ${cliLine}`);
} else {
  failed += 1;
  process.stderr.write(cli.stdout ?? "");
  process.stderr.write(cli.stderr ?? "");
  console.error(`gatehouse test exited with ${cli.status}`);
}

console.log(`Tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(vitestFailed || failed > 0 ? 1 : 0);
