import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CliError, ExitCode } from "../cli-error.js";
import { createBufferedIo } from "../cli-io.js";
import { runValidate, type ValidateReport } from "./validate.js";

const EXAMPLES = fileURLToPath(new URL("../../../../examples", import.meta.url));
const CORPUS = fileURLToPath(new URL("../../../../../shared/corpus", import.meta.url));
const ISSUE_LINE = /^(.+?): (\$\S*): (error|warning) ([A-Za-z]+): (.+)$/;
const SUMMARY_LINE = /^(\d+) files, (\d+) policies, (\d+) errors, (\d+) warnings$/;

function cleanPolicy(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: "0f9a3b52-6a3e-4c1e-9d0e-3f1b2c4d5e6f",
    displayName: "CA100 - Require MFA for all users",
    state: "enabled",
    conditions: {
      users: {
        includeUsers: ["All"],
        excludeUsers: [],
        includeGroups: [],
        excludeGroups: ["9a0b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d"],
        includeRoles: [],
        excludeRoles: [],
      },
      applications: { includeApplications: ["All"], excludeApplications: [], includeUserActions: [] },
      clientAppTypes: ["all"],
    },
    grantControls: { operator: "OR", builtInControls: ["mfa"], customAuthenticationFactors: [], termsOfUse: [] },
    sessionControls: null,
    ...overrides,
  };
}

const placeholderPolicy = (): Record<string, unknown> =>
  cleanPolicy({
    displayName: "CA101 - Block legacy authentication",
    conditions: {
      users: { includeUsers: ["All"], excludeGroups: ["<EmergencyAccessAccountsGroup>"] },
      applications: { includeApplications: ["All"] },
      clientAppTypes: ["exchangeActiveSync", "other"],
    },
    grantControls: { operator: "OR", builtInControls: ["block"] },
  });

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "gatehouse-validate-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function validate(paths: string[], json = false): Promise<{ code: number; out: string; err: string }> {
  const io = createBufferedIo();
  const code = await runValidate(paths, { json }, io);
  return { code, out: io.stdoutText(), err: io.stderrText() };
}

describe("gatehouse validate", () => {
  it("exits 0 for a clean policy and prints only the summary line", async () => {
    const file = join(dir, "clean.json");
    await writeFile(file, JSON.stringify(cleanPolicy()));
    const { code, out, err } = await validate([file]);
    expect(code).toBe(ExitCode.ok);
    expect(out).toBe("1 files, 1 policies, 0 errors, 0 warnings\n");
    expect(err).toBe("");
  });

  it("exits 1 for a placeholder group and prints FILE: JSONPATH: severity code: message", async () => {
    const file = join(dir, "placeholder.json");
    await writeFile(file, JSON.stringify(placeholderPolicy()));
    const { code, out } = await validate([file]);
    expect(code).toBe(ExitCode.problemsFound);
    const lines = out.trimEnd().split("\n");
    expect(lines[0]).toMatch(ISSUE_LINE);
    expect(lines[0]).toBe(
      `${file}: $.conditions.users.excludeGroups[0]: error placeholder: "<EmergencyAccessAccountsGroup>" in excludeGroups is a placeholder, not an object id; replace it with the real id before deploying`,
    );
    expect(lines.at(-1)).toBe("1 files, 1 policies, 1 errors, 0 warnings");
  });

  it("walks folders recursively, skips non-JSON files silently and reports unparseable files", async () => {
    await mkdir(join(dir, "nested", "deeper"), { recursive: true });
    await writeFile(join(dir, "a.json"), JSON.stringify(cleanPolicy()));
    await writeFile(join(dir, "notes.txt"), "not a policy");
    await writeFile(join(dir, "nested", "b.JSON"), JSON.stringify({ value: [cleanPolicy({ id: "b1" }), cleanPolicy({ id: "b2" })] }));
    await writeFile(join(dir, "nested", "deeper", "broken.json"), '{ "displayName": ');
    await mkdir(join(dir, ".git"));
    await writeFile(join(dir, ".git", "ignored.json"), "{");
    const { code, out } = await validate([dir]);
    expect(code).toBe(ExitCode.problemsFound);
    const lines = out.trimEnd().split("\n");
    expect(lines).toEqual([
      expect.stringMatching(new RegExp(`^${join(dir, "nested", "deeper", "broken.json")}: \\$: error invalidJson: invalid JSON at line 1`)),
      "3 files, 3 policies, 1 errors, 0 warnings",
    ]);
  });

  it("validates a tenant snapshot file as a tenant, checking references against it", async () => {
    const file = join(dir, "snapshot.json");
    await writeFile(file, JSON.stringify({ tenantId: "t", policies: [cleanPolicy()], groups: [{ id: "another-group", members: [] }] }));
    const { code, out } = await validate([file]);
    expect(code).toBe(ExitCode.ok);
    expect(out).toBe(
      `${file}: $.policies[0].conditions.users.excludeGroups[0]: warning unknownReference: excludeGroups refers to 9a0b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d, which is not in the tenant\n1 files, 1 policies, 0 errors, 1 warnings\n`,
    );
  });

  it("validates a tenant folder as one tenant and names the file of each issue", async () => {
    await writeFile(join(dir, "tenant.json"), JSON.stringify({ tenantId: "t" }));
    await writeFile(join(dir, "users.json"), JSON.stringify({ value: [{ displayName: "no id" }] }));
    await mkdir(join(dir, "policies"));
    await writeFile(
      join(dir, "policies", "legacy.json"),
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(JSON.stringify(placeholderPolicy()), "utf16le")]),
    );
    const { code, out } = await validate([dir], true);
    expect(code).toBe(ExitCode.problemsFound);
    const report = JSON.parse(out) as ValidateReport;
    expect(report.files.map((f) => [f.path.slice(dir.length + 1), f.policies, f.issues.map((i) => `${i.path} ${i.code}`)])).toEqual([
      ["tenant.json", 0, []],
      ["users.json", 0, ["$.value[0].id missingId"]],
      [join("policies", "legacy.json"), 1, ["$.conditions.users.excludeGroups[0] placeholder"]],
    ]);
    expect(report).toMatchObject({ errors: 2, warnings: 0 });
  });

  it("prints { files: [{ path, policies, issues }], errors, warnings } with --json", async () => {
    const clean = join(dir, "clean.json");
    const placeholder = join(dir, "placeholder.json");
    await writeFile(clean, JSON.stringify(cleanPolicy()));
    await writeFile(placeholder, JSON.stringify(placeholderPolicy()));
    const { code, out } = await validate([clean, placeholder], true);
    expect(code).toBe(ExitCode.problemsFound);
    const report = JSON.parse(out) as ValidateReport;
    expect(Object.keys(report)).toEqual(["files", "errors", "warnings"]);
    expect(report.files).toEqual([
      { path: clean, policies: 1, issues: [] },
      {
        path: placeholder,
        policies: 1,
        issues: [
          {
            code: "placeholder",
            severity: "error",
            path: "$.conditions.users.excludeGroups[0]",
            message: expect.stringContaining("placeholder"),
          },
        ],
      },
    ]);
    expect(report.errors).toBe(1);
    expect(report.warnings).toBe(0);
  });

  it("validates the examples folder (tenant folder, requests and scenario) without problems", async () => {
    const { code, out } = await validate([EXAMPLES]);
    expect(out).toBe("18 files, 5 policies, 0 errors, 0 warnings\n"); // incl. demo-tenant/emergencyAccess.json
    expect(code).toBe(ExitCode.ok);
  });

  it("reports what is wrong in a What-If request file and in a scenario's cases", async () => {
    await writeFile(
      join(dir, "request.json"),
      JSON.stringify({ signInIdentity: { userId: 5 }, signInContext: { includeApplications: ["x"] } }),
    );
    await writeFile(
      join(dir, "scenario.json"),
      JSON.stringify({
        tenant: { policies: [placeholderPolicy()] },
        cases: [{ name: "no expect", request: { signInIdentity: { userId: "u" }, signInContext: { includeApplications: ["x"] } } }],
      }),
    );
    const { code, out } = await validate([dir], true);
    expect(code).toBe(ExitCode.problemsFound);
    const report = JSON.parse(out) as ValidateReport;
    const byFile = Object.fromEntries(report.files.map((f) => [f.path.slice(dir.length + 1), f.issues.map((i) => `${i.path} ${i.code}`)]));
    expect(byFile["request.json"]).toEqual([expect.stringMatching(/^\$\.signInIdentity\.userId /)]);
    expect(byFile["scenario.json"]).toEqual([
      "$.tenant.policies[0].conditions.users.excludeGroups[0] placeholder",
      "$.cases[0] missingExpect",
    ]);
  });

  it("throws a usage error (exit 2) for a path that does not exist, before printing anything", async () => {
    const io = createBufferedIo();
    const error = await runValidate([dir, join(dir, "missing.json")], {}, io).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CliError);
    expect(error).toMatchObject({
      exitCode: ExitCode.usage,
      message: `cannot read ${join(dir, "missing.json")}: no such file or directory`,
    });
    expect(io.stdoutText()).toBe("");
  });

  it.runIf(existsSync(CORPUS))(
    "validates the whole shared corpus without crashing, naming files and JSON paths (exit 1: it has placeholders)",
    async () => {
      const { code, out, err } = await validate([CORPUS]);
      expect(err).toBe("");
      expect(code).toBe(ExitCode.problemsFound);
      const lines = out.trimEnd().split("\n");
      const summary = SUMMARY_LINE.exec(lines.at(-1) ?? "");
      expect(summary).not.toBeNull();
      const [, files, policies, errors, warnings] = (summary as RegExpExecArray).map(Number);
      expect(files).toBeGreaterThan(300);
      expect(policies).toBeGreaterThan(300);
      expect(errors).toBeGreaterThan(0);
      expect(lines.length - 1).toBe((errors as number) + (warnings as number));
      for (const line of lines.slice(0, -1)) {
        const match = ISSUE_LINE.exec(line);
        expect(match, line).not.toBeNull();
        expect(match?.[1]?.startsWith(CORPUS)).toBe(true);
        expect(match?.[1]).toMatch(/\.json$/i);
      }
      expect(out).toMatch(
        /AlexFilipin__ConditionalAccess\/.*\.json: \$\.conditions\.users\.(include|exclude)Groups\[\d+\]: error placeholder: /,
      );
      const report = JSON.parse((await validate([CORPUS], true)).out) as ValidateReport;
      expect(report.files).toHaveLength(files as number);
      const demodata = (name: string) => report.files.find((f) => f.path === join(CORPUS, "jsa2__caOptics", "demodata", name));
      // A folder with policies.json and namedLocations.json is one tenant; its other files are policy documents.
      expect(demodata("policies.json")).toMatchObject({ policies: 3, issues: [] });
      expect(demodata("namedLocations.json")).toMatchObject({ policies: 0, issues: [] });
      expect(demodata("largePol.json")).toMatchObject({ policies: 7, issues: [] });
    },
  );
});
