import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CliError, ExitCode } from "../cli-error.js";
import { createBufferedIo } from "../cli-io.js";
import { runTest, type TestReport } from "./test.js";

const DEMO_SCENARIOS = fileURLToPath(new URL("../../../../examples/scenarios", import.meta.url));
const USER = "0d7f4a52-1c3b-4e5f-8a9b-0c1d2e3f4a5b";
const BREAK_GLASS = "1e8a5b63-2d4c-4f6a-9b0c-1d2e3f4a5b6c";
const BREAK_GLASS_GROUP = "2f9b6c74-3e5d-4a7b-8c1d-2e3f4a5b6c7d";
const APP = "3a0c7d85-4f6e-4b8c-9d2e-3f4a5b6c7d8e";
const POLICY = "4b1d8e96-5a7f-4c9d-8e3f-4a5b6c7d8e9f";

function mfaPolicy(excludeGroups: string[] = [BREAK_GLASS_GROUP]): Record<string, unknown> {
  return {
    id: POLICY,
    displayName: "Require MFA for the app",
    state: "enabled",
    conditions: {
      users: { includeUsers: ["All"], excludeUsers: [], includeGroups: [], excludeGroups, includeRoles: [], excludeRoles: [] },
      applications: { includeApplications: [APP], excludeApplications: [], includeUserActions: [] },
      clientAppTypes: ["all"],
    },
    grantControls: { operator: "OR", builtInControls: ["mfa"] },
    sessionControls: null,
  };
}

const signIn = (userId: string, methods: string[] = ["password"]) => ({
  signInIdentity: { "@odata.type": "#microsoft.graph.userSignIn", userId },
  signInContext: { "@odata.type": "#microsoft.graph.applicationContext", includeApplications: [APP] },
  signInConditions: { devicePlatform: "windows", clientAppType: "browser" },
  satisfied: { authenticationMethods: methods },
});

const passingCases = [
  { name: "a user without MFA is challenged", request: signIn(USER), expect: { outcome: "challenge", requiredControls: ["mfa"] } },
  {
    name: "break glass is excluded",
    request: signIn(BREAK_GLASS),
    expect: { outcome: "grant", policies: { [POLICY]: { result: "notApplied", analysisReasons: "users" } } },
  },
];
const failingCase = { name: "a user without MFA is wrongly expected to get in", request: signIn(USER), expect: { outcome: "grant" } };

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "gatehouse-test-cmd-"));
  await mkdir(join(dir, "tenant", "policies"), { recursive: true });
  await writeFile(join(dir, "tenant", "tenant.json"), JSON.stringify({ tenantId: "5b2e9fa7-6b8a-4dae-9f4a-5b6c7d8e9fa0" }));
  await writeFile(join(dir, "tenant", "users.json"), JSON.stringify([{ id: USER }, { id: BREAK_GLASS }]));
  await writeFile(join(dir, "tenant", "groups.json"), JSON.stringify([{ id: BREAK_GLASS_GROUP, members: [BREAK_GLASS] }]));
  await writeFile(join(dir, "tenant", "policies", "mfa.json"), JSON.stringify(mfaPolicy()));
  await mkdir(join(dir, "scenarios"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function scenario(name: string, doc: unknown): Promise<string> {
  const file = join(dir, "scenarios", name);
  await writeFile(file, JSON.stringify(doc));
  return file;
}

async function run(paths: string[], json = false): Promise<{ code: number; out: string; err: string }> {
  const io = createBufferedIo();
  const code = await runTest(paths, { json }, io);
  return { code, out: io.stdoutText(), err: io.stderrText() };
}

describe("gatehouse test", () => {
  it("prints ✓ per passing case and closes with exactly 'N passed, N failed'", async () => {
    const file = await scenario("ok.json", { description: "All good", tenant: "../tenant", cases: passingCases });
    const { code, out, err } = await run([file]);
    expect(out).toBe(`${file} - All good\n  ✓ a user without MFA is challenged\n  ✓ break glass is excluded\n2 passed, 0 failed\n`);
    expect(code).toBe(ExitCode.ok);
    expect(err).toBe("");
  });

  it("prints ✗ with the mismatches indented and exits 1 when a case fails", async () => {
    const file = await scenario("mixed.json", { tenant: "../tenant", cases: [...passingCases, failingCase] });
    const { code, out } = await run([file]);
    expect(code).toBe(ExitCode.problemsFound);
    expect(out.split("\n")).toEqual([
      file,
      "  ✓ a user without MFA is challenged",
      "  ✓ break glass is excluded",
      "  ✗ a user without MFA is wrongly expected to get in",
      "      outcome: expected grant, got challenge",
      "2 passed, 1 failed",
      "",
    ]);
  });

  it("runs a single-case file with an inline tenant", async () => {
    const tenant = { tenantId: "t", policies: [mfaPolicy([])], users: [{ id: USER }] };
    const file = await scenario("single.json", { tenant, ...passingCases[0] });
    const { code, out } = await run([file]);
    expect(out.trimEnd().split("\n").at(-1)).toBe("1 passed, 0 failed");
    expect(code).toBe(ExitCode.ok);
  });

  it("searches folders for scenario files only, and counts all of them in the closing line", async () => {
    await scenario("a.json", { tenant: "../tenant", cases: passingCases });
    await mkdir(join(dir, "scenarios", "more"));
    await writeFile(join(dir, "scenarios", "more", "b.json"), JSON.stringify({ tenant: "../../tenant", cases: [failingCase] }));
    await writeFile(join(dir, "scenarios", "notes.md"), "# not a scenario");
    const { code, out } = await run([dir]);
    expect(code).toBe(ExitCode.problemsFound);
    const lines = out.trimEnd().split("\n");
    expect(lines.filter((l) => !l.startsWith(" "))).toEqual([
      join(dir, "scenarios", "a.json"),
      join(dir, "scenarios", "more", "b.json"),
      "2 passed, 1 failed",
    ]);
  });

  it("prints structured results with --json", async () => {
    const file = await scenario("mixed.json", { description: "Mixed", tenant: "../tenant", cases: [passingCases[0], failingCase] });
    const { code, out } = await run([file], true);
    expect(code).toBe(ExitCode.problemsFound);
    const report = JSON.parse(out) as TestReport;
    expect(report).toEqual({
      files: [
        {
          path: file,
          description: "Mixed",
          cases: [
            { name: "a user without MFA is challenged", rules: [], passed: true, mismatches: [] },
            {
              name: "a user without MFA is wrongly expected to get in",
              rules: [],
              passed: false,
              mismatches: ["outcome: expected grant, got challenge"],
            },
          ],
          issues: [],
        },
      ],
      passed: 1,
      failed: 1,
    });
  });

  it("fails a file whose tenant path cannot be loaded, as a file issue", async () => {
    const file = await scenario("lost.json", { tenant: "../nowhere", cases: passingCases });
    const { code, out } = await run([file]);
    expect(code).toBe(ExitCode.problemsFound);
    expect(out.split("\n")).toEqual([
      file,
      `  ✗ ${file}: $.tenant: error tenantNotLoaded: cannot read ${join(dir, "scenarios", "..", "nowhere")}: no such file or directory`,
      "1 file with problems",
      "0 passed, 0 failed",
      "",
    ]);
  });

  it("fails a file whose tenant has an invalid policy, naming the policy file once", async () => {
    await writeFile(join(dir, "tenant", "policies", "mfa.json"), JSON.stringify(mfaPolicy(["<BreakGlassGroup>"])));
    const file = await scenario("invalid.json", { tenant: "../tenant", cases: [passingCases[0]] });
    const { code, out } = await run([file]);
    expect(code).toBe(ExitCode.problemsFound);
    const issueLines = out.split("\n").filter((l) => l.includes("placeholder"));
    expect(issueLines).toEqual([
      `  ✗ ${join(dir, "scenarios", "..", "tenant", "policies", "mfa.json")}: $.conditions.users.excludeGroups[0]: error placeholder: "<BreakGlassGroup>" in excludeGroups is a placeholder, not an object id; replace it with the real id before deploying`,
    ]);
    expect(out.trimEnd().split("\n").slice(-2)).toEqual(["1 file with problems", "1 passed, 0 failed"]);
  });

  it("reports an unparseable scenario file and one without cases", async () => {
    const broken = join(dir, "scenarios", "broken.json");
    await writeFile(broken, "{");
    const empty = await scenario("empty.json", { tenant: "../tenant", cases: [] });
    const { code, out } = await run([broken, empty]);
    expect(code).toBe(ExitCode.problemsFound);
    expect(out).toMatch(/ {2}✗ .*broken\.json: \$: error invalidJson: /);
    expect(out).toMatch(/ {2}✗ .*empty\.json: \$: error noCases: /);
    expect(out.trimEnd().split("\n").at(-1)).toBe("0 passed, 0 failed");
  });

  it("exits 1 with a stderr line when no scenario file is found", async () => {
    const { code, out, err } = await run([join(dir, "tenant")]);
    expect(code).toBe(ExitCode.problemsFound);
    expect(out).toBe("0 passed, 0 failed\n");
    expect(err).toBe(`gatehouse: no scenario files found in ${join(dir, "tenant")}\n`);
  });

  it("throws a usage error (exit 2) for a path that does not exist", async () => {
    const io = createBufferedIo();
    const error = await runTest([join(dir, "missing")], {}, io).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CliError);
    expect(error).toMatchObject({ exitCode: ExitCode.usage, message: `cannot read ${join(dir, "missing")}: no such file or directory` });
  });

  it("passes the demo scenarios against the demo tenant folder", async () => {
    const { code, out } = await run([DEMO_SCENARIOS]);
    expect(out.trimEnd().split("\n").at(-1)).toBe("6 passed, 0 failed");
    expect(out).not.toContain("✗");
    expect(code).toBe(ExitCode.ok);
  });
});
