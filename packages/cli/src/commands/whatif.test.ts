import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { WhatIfRequest, WhatIfResponse } from "@gatehouse/engine";
import { compileTenant, normalizeWhatIfRequest, whatIf } from "@gatehouse/engine";
import { bundledDatabasePath, openCountryDatabase } from "@gatehouse/geoip";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CliError, ExitCode } from "../cli-error.js";
import { type CliIo, createBufferedIo, type OutputStream } from "../cli-io.js";
import { loadTenant } from "../load-tenant.js";
import { runCli } from "../main.js";
import { runWhatif } from "./whatif.js";

const examples = (path: string): string => fileURLToPath(new URL(`../../../../examples/${path}`, import.meta.url));
const DEMO_TENANT = examples("demo-tenant");
const request = (name: string): string => examples(`requests/${name}.json`);

const CA001 = "7ab5b7e7-64bc-40ef-a36a-883711b5afef";
const CA003 = "98566a33-d321-45d7-81f2-24218d87cacc";

async function readRequest(name: string): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(request(name), "utf8")) as Record<string, unknown>;
}

async function expectedAnswer(name: string): Promise<WhatIfResponse> {
  const loaded = await loadTenant(DEMO_TENANT);
  const { request: normalized } = normalizeWhatIfRequest(await readRequest(name));
  return whatIf(compileTenant(loaded.tenant), normalized as WhatIfRequest);
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "gatehouse-whatif-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("gatehouse whatif --request", () => {
  it("prints exactly the engine's { value, decision } as one JSON document with --json", async () => {
    const io = createBufferedIo();
    const code = await runWhatif({ tenant: DEMO_TENANT, request: request("admin-portal-no-mfa"), json: true }, io);
    expect(code).toBe(ExitCode.ok);
    const printed = JSON.parse(io.stdoutText()) as WhatIfResponse;
    expect(Object.keys(printed)).toEqual(["value", "decision"]);
    expect(printed).toEqual(JSON.parse(JSON.stringify(await expectedAnswer("admin-portal-no-mfa"))));
    expect(printed.decision.outcome).toBe("challenge");
    expect(printed.decision.requiredControls.map((c) => c.control)).toEqual(["mfa"]);
    expect(printed.value).toHaveLength(5);
    expect(io.stderrText()).toBe("");
  });

  it("answers the five demo requests as the scenario expects", async () => {
    const outcomes: Record<string, string> = {};
    for (const name of [
      "admin-portal-no-mfa",
      "admin-portal-with-mfa",
      "emergency-access",
      "legacy-imap",
      "service-principal-untrusted-ip",
    ]) {
      const io = createBufferedIo();
      await runWhatif({ tenant: DEMO_TENANT, request: request(name), json: true }, io);
      const answer = JSON.parse(io.stdoutText()) as WhatIfResponse;
      outcomes[name] = answer.decision.outcome;
      if (name === "emergency-access") expect(answer.value.find((p) => p.id === CA001)?.result).toBe("notApplied");
    }
    expect(outcomes).toEqual({
      "admin-portal-no-mfa": "challenge",
      "admin-portal-with-mfa": "grant",
      "emergency-access": "grant",
      "legacy-imap": "block",
      "service-principal-untrusted-ip": "block",
    });
  });

  it("honours appliedPoliciesOnly from the request", async () => {
    const file = join(dir, "applied-only.json");
    await writeFile(file, JSON.stringify({ ...(await readRequest("admin-portal-no-mfa")), appliedPoliciesOnly: true }));
    const io = createBufferedIo();
    await runWhatif({ tenant: DEMO_TENANT, request: file, json: true }, io);
    const answer = JSON.parse(io.stdoutText()) as WhatIfResponse;
    expect(answer.value.map((p) => p.id)).toEqual([CA001, CA003]);
    expect(answer.value.every((p) => p.policyApplies)).toBe(true);
  });

  it("gives the same answer for a tenant folder and the same tenant in one file", async () => {
    const snapshot: Record<string, unknown> = { tenantId: "5da35dea-3048-4cbf-9208-b59f6fb08c30" };
    for (const key of ["users", "groups", "roleAssignments", "servicePrincipals", "namedLocations"]) {
      snapshot[key] = JSON.parse(await readFile(join(DEMO_TENANT, `${key}.json`), "utf8"));
    }
    const loaded = await loadTenant(DEMO_TENANT);
    snapshot.policies = { value: loaded.tenant.policies };
    const file = join(dir, "snapshot.json");
    await writeFile(file, JSON.stringify(snapshot));
    const fromFolder = createBufferedIo();
    const fromFile = createBufferedIo();
    await runWhatif({ tenant: DEMO_TENANT, request: request("service-principal-untrusted-ip"), json: true }, fromFolder);
    await runWhatif({ tenant: file, request: request("service-principal-untrusted-ip"), json: true }, fromFile);
    expect(fromFile.stdoutText()).toBe(fromFolder.stdoutText());
    expect((JSON.parse(fromFile.stdoutText()) as WhatIfResponse).decision.outcome).toBe("block");
  });

  it("prints a readable table that fits 100 columns, without colours when stdout is not a terminal", async () => {
    const io = createBufferedIo();
    await runWhatif({ tenant: DEMO_TENANT, request: request("admin-portal-no-mfa") }, io);
    const lines = io.stdoutText().trimEnd().split("\n");
    expect(lines[0]).toBe("Decision: challenge (required, in order: mfa)");
    expect(lines).toContain("Policies that will apply (2)");
    expect(lines).toContain("Policies that will not apply (3)");
    expect(
      lines
        .find((l) => l.trim().startsWith("NAME"))
        ?.split(/\s{2,}/)
        .map((s) => s.trim()),
    ).toEqual(["", "NAME", "STATE", "RESULT", "GRANT", "SESSION"]);
    expect(io.stdoutText()).toContain("CA002 - Block legacy authentication");
    expect(io.stdoutText()).toMatch(/CA002 - Block legacy authentication\s+enabled\s+clientApps/);
    expect(io.stdoutText()).toMatch(/report-only\s+reportOnlyInterrupted/);
    for (const line of lines) expect([...line].length).toBeLessThanOrEqual(100);
    expect(io.stdoutText()).not.toContain("\u001b[");
  });

  it("colours the table on a terminal unless NO_COLOR is set", async () => {
    const tty = createBufferedIo({ isTTY: true });
    await runWhatif({ tenant: DEMO_TENANT, request: request("legacy-imap") }, tty);
    expect(tty.stdoutText()).toContain("\u001b[");
    const noColor = createBufferedIo({ isTTY: true, env: { NO_COLOR: "1" } });
    await runWhatif({ tenant: DEMO_TENANT, request: request("legacy-imap") }, noColor);
    expect(noColor.stdoutText()).not.toContain("\u001b[");
    expect(noColor.stdoutText().split("\n")[0]).toBe('Decision: block (Policy "CA002 - Block legacy authentication" blocks access)');
  });

  it("answers an invalid request with one stderr line and exit code 1", async () => {
    const file = join(dir, "bad.json");
    await writeFile(file, JSON.stringify({ signInContext: { includeApplications: ["x"] } }));
    const io = createBufferedIo();
    expect(await runWhatif({ tenant: DEMO_TENANT, request: file, json: true }, io)).toBe(ExitCode.problemsFound);
    expect(io.stdoutText()).toBe("");
    const err = io.stderrText();
    expect(err.split("\n")).toHaveLength(2);
    expect(err).toMatch(/^gatehouse: .*bad\.json: invalid request: \$\.signInIdentity: /);
  });

  it("warns on stderr, in one line, when the tenant has validation errors, and still answers", async () => {
    const tenant = join(dir, "tenant.json");
    const placeholder = {
      id: "p1",
      displayName: "Placeholder",
      state: "enabled",
      conditions: {
        users: { includeUsers: ["All"], excludeGroups: ["<EmergencyAccessAccountsGroup>"] },
        applications: { includeApplications: ["All"] },
      },
      grantControls: { operator: "OR", builtInControls: ["mfa"] },
    };
    await writeFile(
      tenant,
      JSON.stringify({ tenantId: "t", policies: [placeholder], users: [{ id: "4cb9ffb7-280e-4963-8e9e-d86fac1034fb" }] }),
    );
    const io = createBufferedIo();
    expect(await runWhatif({ tenant, request: request("admin-portal-no-mfa"), json: true }, io)).toBe(ExitCode.ok);
    expect(io.stderrText()).toMatch(
      /^gatehouse: warning: .*tenant\.json has 1 validation error \(run "gatehouse validate .*"\); invalid policies are enforced as blocks\n$/,
    );
    expect((JSON.parse(io.stdoutText()) as WhatIfResponse).value).toHaveLength(1);
  });

  it("throws one-line usage errors (exit 2) for missing files and conflicting options", async () => {
    const io = createBufferedIo();
    const failure = (options: Parameters<typeof runWhatif>[0]): Promise<CliError> =>
      runWhatif(options, io).then(
        (code) => {
          throw new Error(`expected a CliError, got exit code ${code}`);
        },
        (e: unknown) => e as CliError,
      );
    const missingTenant = await failure({ tenant: join(dir, "nope"), request: request("legacy-imap") });
    expect(missingTenant).toBeInstanceOf(CliError);
    expect(missingTenant).toMatchObject({
      exitCode: ExitCode.usage,
      message: `cannot read ${join(dir, "nope")}: no such file or directory`,
    });
    const missingRequest = await failure({ tenant: DEMO_TENANT, request: join(dir, "none.json") });
    expect(missingRequest).toMatchObject({
      exitCode: ExitCode.usage,
      message: `cannot read ${join(dir, "none.json")}: no such file or directory`,
    });
    await writeFile(join(dir, "garbage.json"), "{ nope");
    const garbage = await failure({ tenant: DEMO_TENANT, request: join(dir, "garbage.json") });
    expect(garbage).toMatchObject({ exitCode: ExitCode.usage });
    expect(garbage.message).toMatch(/^cannot parse .*garbage\.json: invalid JSON at line 1, column 3/);
    expect(await failure({ tenant: DEMO_TENANT, request: "a", requests: "b" })).toMatchObject({
      exitCode: ExitCode.usage,
      message: expect.stringContaining("not both"),
    });
    expect(await failure({ tenant: DEMO_TENANT })).toMatchObject({
      exitCode: ExitCode.usage,
      message: expect.stringContaining("missing --request"),
    });
    expect(io.stdoutText()).toBe("");
  });
});

describe("gatehouse whatif --requests", () => {
  async function ndjson(lines: readonly string[], name = "sign-ins.ndjson"): Promise<string> {
    const file = join(dir, name);
    await writeFile(file, lines.join("\n"));
    return file;
  }

  it("answers every line in order, skips blank lines, and marks invalid lines with their line number", async () => {
    const admin = JSON.stringify(await readRequest("admin-portal-no-mfa"));
    const sp = JSON.stringify(await readRequest("service-principal-untrusted-ip"));
    const file = await ndjson([
      admin,
      "",
      "   ",
      "{ not json",
      '{"signInIdentity": 5, "signInContext": {"includeApplications": ["x"]}}',
      sp,
      "",
    ]);
    const io = createBufferedIo();
    const code = await runWhatif({ tenant: DEMO_TENANT, requests: file }, io);
    expect(code).toBe(ExitCode.problemsFound);
    const out = io.stdoutText().split("\n");
    expect(out.pop()).toBe("");
    expect(out).toHaveLength(4);
    const answers = out.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect((answers[0] as unknown as WhatIfResponse).decision.outcome).toBe("challenge");
    expect(answers[1]).toEqual({
      error: { code: "invalidRequest", message: expect.stringMatching(/^line 4: invalid JSON at column 3: /) },
    });
    expect(answers[2]).toEqual({ error: { code: "invalidRequest", message: expect.stringMatching(/^line 5: \$\.signInIdentity/) } });
    expect((answers[3] as unknown as WhatIfResponse).decision.outcome).toBe("block");
    expect(io.stderrText()).toBe("");
  });

  it("exits 0 when every line is a valid request, and answers like --request --json", async () => {
    const file = await ndjson([JSON.stringify(await readRequest("legacy-imap")), JSON.stringify(await readRequest("emergency-access"))]);
    const io = createBufferedIo();
    expect(await runWhatif({ tenant: DEMO_TENANT, requests: file }, io)).toBe(ExitCode.ok);
    const lines = io.stdoutText().trimEnd().split("\n");
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      JSON.parse(JSON.stringify(await expectedAnswer("legacy-imap"))),
      JSON.parse(JSON.stringify(await expectedAnswer("emergency-access"))),
    ]);
  });

  it("reads CRLF line ends, a UTF-8 BOM and UTF-16 LE files", async () => {
    const line = JSON.stringify(await readRequest("legacy-imap"));
    const crlf = join(dir, "crlf.ndjson");
    await writeFile(crlf, `\ufeff${line}\r\n\r\n${line}\r\n`);
    const utf16 = join(dir, "utf16.ndjson");
    await writeFile(utf16, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`${line}\n${line}\n`, "utf16le")]));
    for (const file of [crlf, utf16]) {
      const io = createBufferedIo();
      expect(await runWhatif({ tenant: DEMO_TENANT, requests: file }, io)).toBe(ExitCode.ok);
      const outcomes = io
        .stdoutText()
        .trimEnd()
        .split("\n")
        .map((l) => (JSON.parse(l) as WhatIfResponse).decision.outcome);
      expect(outcomes).toEqual(["block", "block"]);
    }
  });

  it("waits for the output to drain when stdout is full, and keeps the order", async () => {
    const request = JSON.stringify(await readRequest("legacy-imap"));
    const emergency = JSON.stringify(await readRequest("emergency-access"));
    const lines = Array.from({ length: 60 }, (_, i) => (i % 2 === 0 ? request : emergency));
    const file = await ndjson(lines);
    const written: string[] = [];
    let pendingDrain: (() => void) | null = null;
    let drains = 0;
    const slow: OutputStream = {
      write(chunk: string): boolean {
        if (pendingDrain !== null) throw new Error("written while the buffer was full");
        written.push(chunk);
        return false;
      },
      once(_event: "drain", listener: () => void): unknown {
        pendingDrain = listener;
        setImmediate(() => {
          drains++;
          pendingDrain = null;
          listener();
        });
        return undefined;
      },
    };
    const io: CliIo = { ...createBufferedIo(), stdout: slow };
    expect(await runWhatif({ tenant: DEMO_TENANT, requests: file }, io)).toBe(ExitCode.ok);
    expect(drains).toBe(60);
    expect(written.map((l) => (JSON.parse(l) as WhatIfResponse).decision.outcome)).toEqual(
      lines.map((_, i) => (i % 2 === 0 ? "block" : "grant")),
    );
  });

  it("throws a usage error for a requests file that does not exist", async () => {
    const io = createBufferedIo();
    await expect(runWhatif({ tenant: DEMO_TENANT, requests: join(dir, "missing.ndjson") }, io)).rejects.toMatchObject({
      exitCode: ExitCode.usage,
      message: `cannot read ${join(dir, "missing.ndjson")}: no such file or directory`,
    });
  });
});

describe("gatehouse whatif --country-db", () => {
  /** www.ripe.net (RIPE NCC, Amsterdam): NL in the bundled IPtoASN data. */
  const NL_ADDRESS = "193.0.6.139";
  const NOT_NL = "8.8.8.8";
  const USER = "4cb9ffb7-280e-4963-8e9e-d86fac1034fb";

  async function countryTenant(): Promise<string> {
    const file = join(dir, "country-tenant.json");
    await writeFile(
      file,
      JSON.stringify({
        tenantId: "5da35dea-3048-4cbf-9208-b59f6fb08c30",
        users: [{ id: USER, userPrincipalName: "alice@contoso.example" }],
        namedLocations: [
          {
            "@odata.type": "#microsoft.graph.countryNamedLocation",
            id: "0f3a5c0e-7e58-4c47-9b8a-6a8f4b0a1c01",
            displayName: "Netherlands",
            countriesAndRegions: ["NL"],
            countryLookupMethod: "clientIpAddress",
            includeUnknownCountriesAndRegions: false,
          },
        ],
        policies: [
          {
            id: "6c0e3f5a-1d2b-4c3d-8e9f-0a1b2c3d4e5f",
            displayName: "Block outside the Netherlands",
            state: "enabled",
            conditions: {
              users: { includeUsers: ["All"] },
              applications: { includeApplications: ["All"] },
              clientAppTypes: ["all"],
              locations: { includeLocations: ["All"], excludeLocations: ["0f3a5c0e-7e58-4c47-9b8a-6a8f4b0a1c01"] },
            },
            grantControls: { operator: "OR", builtInControls: ["block"] },
          },
        ],
      }),
    );
    return file;
  }

  async function requestFrom(ipAddress: string): Promise<string> {
    const file = join(dir, `request-${ipAddress.replace(/[^0-9a-f]/gi, "-")}.json`);
    await writeFile(
      file,
      JSON.stringify({
        signInIdentity: { "@odata.type": "#microsoft.graph.userSignIn", userId: USER },
        signInContext: {
          "@odata.type": "#microsoft.graph.applicationContext",
          includeApplications: ["00000003-0000-0000-c000-000000000000"],
        },
        signInConditions: { devicePlatform: "windows", clientAppType: "browser", ipAddress },
      }),
    );
    return file;
  }

  async function outcome(options: Omit<Parameters<typeof runWhatif>[0], "tenant" | "json">): Promise<string> {
    const io = createBufferedIo();
    expect(await runWhatif({ tenant: await countryTenant(), json: true, ...options }, io)).toBe(ExitCode.ok);
    expect(io.stderrText()).toBe("");
    return (JSON.parse(io.stdoutText()) as WhatIfResponse).decision.outcome;
  }

  it("the chosen addresses map as the tests assume", () => {
    const database = openCountryDatabase();
    expect(database.lookup(NL_ADDRESS)).toBe("NL");
    expect(database.lookup(NOT_NL)).toBe("US");
  });

  it("grants an NL address (no country in the request) with --country-db and blocks it without the flag", async () => {
    const nl = await requestFrom(NL_ADDRESS);
    expect(await outcome({ request: nl, countryDb: true })).toBe("grant");
    expect(await outcome({ request: nl })).toBe("block");
    expect(await outcome({ request: await requestFrom(NOT_NL), countryDb: true })).toBe("block");
  });

  it("uses the .mmdb file given as --country-db PATH", async () => {
    const v4 = join(dirname(bundledDatabasePath()), "iptoasn-country-ipv4.mmdb");
    expect(await outcome({ request: await requestFrom(NL_ADDRESS), countryDb: v4 })).toBe("grant");
    // The IPv4-only file knows no IPv6 address: RIPE NCC's IPv6 address stays unknown -> blocked.
    const v6 = await requestFrom("2001:67c:2e8:22::c100:68b");
    expect(await outcome({ request: v6, countryDb: v4 })).toBe("block");
    expect(await outcome({ request: v6, countryDb: true })).toBe("grant");
  });

  it("applies to every line of --requests", async () => {
    const lines = [NL_ADDRESS, NOT_NL].map(async (ip) => (await readFile(await requestFrom(ip), "utf8")).trim());
    const file = join(dir, "country.ndjson");
    await writeFile(file, (await Promise.all(lines)).join("\n"));
    const io = createBufferedIo();
    expect(await runWhatif({ tenant: await countryTenant(), requests: file, countryDb: true }, io)).toBe(ExitCode.ok);
    const outcomes = io
      .stdoutText()
      .trimEnd()
      .split("\n")
      .map((l) => (JSON.parse(l) as WhatIfResponse).decision.outcome);
    expect(outcomes).toEqual(["grant", "block"]);
  });

  it("reports a missing database file as a one-line usage error naming it", async () => {
    const missing = join(dir, "nowhere.mmdb");
    await expect(
      runWhatif({ tenant: await countryTenant(), request: await requestFrom(NL_ADDRESS), countryDb: missing }, createBufferedIo()),
    ).rejects.toMatchObject({ exitCode: ExitCode.usage, message: `cannot read country database ${missing}: no such file` });
  });

  it("parses --country-db with and without a value on the command line", async () => {
    const tenant = await countryTenant();
    const nl = await requestFrom(NL_ADDRESS);
    const run = async (extra: string[]): Promise<string> => {
      const io = createBufferedIo();
      expect(await runCli(["whatif", "--tenant", tenant, "--request", nl, "--json", ...extra], io)).toBe(ExitCode.ok);
      return (JSON.parse(io.stdoutText()) as WhatIfResponse).decision.outcome;
    };
    expect(await run(["--country-db"])).toBe("grant");
    expect(await run(["--country-db", bundledDatabasePath()])).toBe("grant");
    expect(await run([])).toBe("block");
    const io = createBufferedIo();
    expect(await runCli(["whatif", "--tenant", tenant, "--request", nl, "--country-db", join(dir, "none.mmdb")], io)).toBe(ExitCode.usage);
    expect(io.stderrText()).toMatch(/^gatehouse: cannot read country database .*none\.mmdb: no such file\n$/);
  });
});
