import { readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createBufferedIo } from "./cli-io.js";
import { type CommandRegistrar, runCli } from "./main.js";

const examples = (path: string): string => fileURLToPath(new URL(`../../../examples/${path}`, import.meta.url));
const VERSION = (JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }).version;

async function cli(
  argv: string[],
  registrars: CommandRegistrar[] = [],
  env: Record<string, string> = {},
): Promise<{ code: number; out: string; err: string }> {
  const io = createBufferedIo({ env });
  const code = await runCli(argv, io, registrars);
  return { code, out: io.stdoutText(), err: io.stderrText() };
}

/** Exactly one line on stderr, `gatehouse: ...`, and no stack trace. */
function expectOneErrorLine(err: string): void {
  expect(err).toMatch(/^gatehouse: [^\n]+\n$/);
  expect(err).not.toMatch(/\bat .*\(.*:\d+:\d+\)/);
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "gatehouse-main-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("gatehouse (runCli)", () => {
  it("prints the package version with --version and exits 0", async () => {
    expect(await cli(["--version"])).toEqual({ code: 0, out: `${VERSION}\n`, err: "" });
  });

  it("documents the commands and the exit codes in --help", async () => {
    const { code, out, err } = await cli(["--help"]);
    expect(code).toBe(0);
    expect(err).toBe("");
    for (const text of [
      "whatif",
      "validate",
      "test",
      "Exit codes:",
      "0  success",
      "1  the input was read but has problems",
      "2  usage error",
    ]) {
      expect(out).toContain(text);
    }
    const whatifHelp = await cli(["whatif", "--help"]);
    expect(whatifHelp.code).toBe(0);
    for (const text of ["--tenant <path>", "--request <path>", "--requests <file>", "--json", "Exit codes:"])
      expect(whatifHelp.out).toContain(text);
  });

  it("answers a What-If request on the demo tenant", async () => {
    const { code, out, err } = await cli([
      "whatif",
      "--tenant",
      examples("demo-tenant"),
      "--request",
      examples("requests/admin-portal-no-mfa.json"),
    ]);
    expect(err).toBe("");
    expect(code).toBe(0);
    expect(out.split("\n")[0]).toBe("Decision: challenge (required, in order: mfa)");
    const json = await cli(["whatif", "--json", "--tenant", examples("demo-tenant"), "--request", examples("requests/legacy-imap.json")]);
    expect(Object.keys(JSON.parse(json.out) as object)).toEqual(["value", "decision"]);
  });

  it("reports usage errors as one line on stderr with exit code 2", async () => {
    const cases: [string[], RegExp][] = [
      [[], /^gatehouse: missing command; run gatehouse --help\n$/],
      [["frobnicate"], /^gatehouse: unknown command 'frobnicate'/],
      [["validate", "--jsno", "x"], /^gatehouse: unknown option '--jsno' \(Did you mean --json\?\)\n$/],
      [["whatif", "--request", "r.json"], /^gatehouse: required option '--tenant <path>' not specified\n$/],
      [["validate"], /^gatehouse: missing required argument 'paths'\n$/],
      [["whatif", "--tenant", examples("demo-tenant")], /^gatehouse: missing --request PATH \(or --requests FILE\.ndjson\)\n$/],
    ];
    for (const [argv, message] of cases) {
      const { code, out, err } = await cli(argv);
      expect({ argv, code }).toEqual({ argv, code: 2 });
      expect(out).toBe("");
      expect(err).toMatch(message);
      expectOneErrorLine(err);
    }
  });

  it("reports unreadable input as one line with exit code 2, never a stack trace", async () => {
    const missing = join(dir, "missing-tenant");
    const tenant = await cli(["whatif", "--tenant", missing, "--request", examples("requests/legacy-imap.json")]);
    expect(tenant).toEqual({ code: 2, out: "", err: `gatehouse: cannot read ${missing}: no such file or directory\n` });
    const broken = join(dir, "broken.json");
    await writeFile(broken, '{"signInIdentity": ');
    const request = await cli(["whatif", "--tenant", examples("demo-tenant"), "--request", broken]);
    expect(request.code).toBe(2);
    expect(request.err).toMatch(/^gatehouse: cannot parse .*broken\.json: invalid JSON at line 1, column 20: /);
    expectOneErrorLine(request.err);
    for (const command of ["validate", "test"]) {
      const result = await cli([command, join(dir, "nothing-here")]);
      expect(result).toEqual({ code: 2, out: "", err: `gatehouse: cannot read ${join(dir, "nothing-here")}: no such file or directory\n` });
    }
  });

  it("exits 1 from validate on a placeholder policy and 0 on a clean one", async () => {
    const placeholder = join(dir, "placeholder.json");
    await writeFile(
      placeholder,
      JSON.stringify({
        displayName: "Block legacy",
        state: "enabled",
        conditions: {
          users: { includeUsers: ["All"], excludeGroups: ["<EmergencyAccessAccountsGroup>"] },
          applications: { includeApplications: ["All"] },
          clientAppTypes: ["other"],
        },
        grantControls: { operator: "OR", builtInControls: ["block"] },
      }),
    );
    expect((await cli(["validate", placeholder])).code).toBe(1);
    expect((await cli(["validate", examples("demo-tenant")])).code).toBe(0);
  });

  it("runs commands registered by other packages (the bench hook) and uses their exit code", async () => {
    const bench: CommandRegistrar = (program, io, setExitCode) => {
      program
        .command("bench")
        .option("--json")
        .action((options: { json?: boolean }) => {
          io.stdout.write(options.json ? "{}\n" : "bench\n");
          setExitCode(0);
        });
    };
    expect(await cli(["bench", "--json"], [bench])).toEqual({ code: 0, out: "{}\n", err: "" });
    expect((await cli(["bench"])).code).toBe(2);
  });

  it("turns an unexpected exception into one 'internal error' line with exit code 3", async () => {
    const broken: CommandRegistrar = (program) => {
      program.command("explode").action(() => {
        throw new Error("boom\nsecond line");
      });
    };
    const plain = await cli(["explode"], [broken]);
    expect(plain).toEqual({ code: 3, out: "", err: "gatehouse: internal error: boom second line\n" });
    const debug = await cli(["explode"], [broken], { GATEHOUSE_DEBUG: "1" });
    expect(debug.err.split("\n")[0]).toBe("gatehouse: internal error: boom second line");
    expect(debug.err).toContain("main.test.ts");
  });
});
