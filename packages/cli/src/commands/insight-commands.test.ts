import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compileTenant, evaluateSignIn, type TenantSnapshot, toSignInLogEntry, type WhatIfRequest } from "@gatehouse/engine";
import { describe, expect, it } from "vitest";
import { createBufferedIo } from "../cli-io.js";
import { runCli } from "../main.js";

const DEMO = "examples/demo-tenant";
const EMERGENCY_GROUP = "bf31c198-a158-4e2d-9085-b59ba1a1d3da";
const SCUBA = "../shared/corpus/cisagov__ScubaGear/PowerShell/ScubaGear/Sample-Reports/ProviderSettingsExport.json";

async function run(...argv: string[]) {
  const io = createBufferedIo();
  const code = await runCli(argv, io);
  return { code, out: io.stdoutText(), err: io.stderrText() };
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "gatehouse-insight-"));
}

const policy = (id: string, name: string, state: string, extra: Record<string, unknown>) => ({
  id,
  displayName: name,
  state,
  conditions: { users: { includeUsers: ["All"] }, applications: { includeApplications: ["All"] }, clientAppTypes: ["all"], ...extra },
  grantControls: { operator: "OR", builtInControls: ["mfa"] },
});

describe("gatehouse lint", () => {
  it("prints findings with file locations and exits 0 below the threshold, 1 at it", async () => {
    const text = await run("lint", "--tenant", DEMO, "--emergency-access", EMERGENCY_GROUP);
    expect(text.code).toBe(0);
    // Legacy authentication is blocked for all but the declared emergency access; device code is not.
    expect(text.out).toContain("GH010");
    expect(text.out).not.toContain("GH009");
    const strict = await run("lint", "--tenant", DEMO, "--fail-on", "warning");
    expect(strict.code).toBe(1);
  });

  it("writes SARIF 2.1.0 with physical locations in the policy files", async () => {
    const { code, out } = await run("lint", "--tenant", DEMO, "--format", "sarif", "--fail-on", "note");
    expect(code).toBe(1);
    const sarif = JSON.parse(out);
    expect(sarif.version).toBe("2.1.0");
    const located = sarif.runs[0].results.filter(
      (r: { locations: { physicalLocation?: { artifactLocation: { uri: string }; region?: { startLine: number } } }[] }) =>
        r.locations[0]?.physicalLocation?.artifactLocation.uri.includes("examples/demo-tenant/policies/"),
    );
    expect(located.length).toBeGreaterThan(0);
    expect(located[0].locations[0].physicalLocation.region.startLine).toBeGreaterThan(1);
  });

  it("refuses unknown options with one line and exit 2", async () => {
    const { code, err } = await run("lint", "--tenant", DEMO, "--format", "xml");
    expect(code).toBe(2);
    expect(err.trim().split("\n")).toHaveLength(1);
    const missing = await run("lint");
    expect(missing.code).toBe(2);
    expect(missing.err).toBe("gatehouse: missing --tenant PATH (or --server URL)\n");
  });
});

describe("gatehouse baseline", () => {
  it.skipIf(!existsSync(SCUBA) && process.env.CI !== "true")("judges ScubaGear's export as it is, in the exact JSON shape", async () => {
    const { code, out } = await run("baseline", "--profile", "cisa-scuba", "--tenant", SCUBA, "--json");
    expect(code).toBe(1);
    const report = JSON.parse(out);
    expect(Object.keys(report)).toEqual(["controls"]);
    const c = report.controls.find((x: { id: string }) => x.id === "MS.AAD.1.1v1");
    expect(c).toEqual({
      id: "MS.AAD.1.1v1",
      requirementMet: true,
      policies: ["MS.AAD.1.1v1 Legacy authentication SHALL be blocked"],
      details: expect.any(String),
    });
  });
  it("refuses an unknown profile", async () => {
    expect((await run("baseline", "--profile", "nist", "--tenant", DEMO)).code).toBe(2);
  });
});

describe("gatehouse gaps", () => {
  it("answers the Management API question: only emergency access reaches it without MFA in the demo tenant", async () => {
    const declared = await run(
      "gaps",
      "--tenant",
      DEMO,
      "--question",
      "management-api-mfa",
      "--emergency-access",
      EMERGENCY_GROUP,
      "--json",
    );
    expect(declared.code).toBe(0);
    expect(JSON.parse(declared.out).managementApi.reachableWithoutMfa).toBe(false);
    // An explicit (empty) --emergency-access wins over the snapshot's declaration.
    const undeclared = await run("gaps", "--tenant", DEMO, "--question", "management-api-mfa", "--emergency-access", "");
    expect(undeclared.code).toBe(1);
    expect(undeclared.out).toContain("Emergency access accounts");
  });

  it("fails closed when --max-evaluations cuts the sweep short, and refuses a budget that is not a count", async () => {
    const args = ["gaps", "--tenant", DEMO, "--question", "management-api-mfa", "--emergency-access", EMERGENCY_GROUP, "--json"];
    const short = await run(...args, "--max-evaluations", "3");
    expect(short.code).toBe(1);
    const report = JSON.parse(short.out);
    expect(report.exhaustive).toBe(false);
    expect(report.evaluations).toBe(3);
    expect(report.managementApi.reachableWithoutMfa).toBe(false);
    expect(short.err).toBe("the sweep stopped after 3 decisions without covering every case; raise --max-evaluations\n");
    const ample = await run(...args, "--max-evaluations", "1000000");
    expect(ample.code).toBe(0);
    expect(JSON.parse(ample.out).exhaustive).toBe(true);
    for (const bad of ["0", "-5", "1e6", "lots"]) {
      const refused = await run(...args, "--max-evaluations", bad);
      expect(refused.code, bad).toBe(2);
      expect(refused.err).toContain("--max-evaluations must be a whole number");
    }
  });
});

describe("the snapshot's emergencyAccess as the default of --emergency-access", () => {
  const GH011_EMERGENCY = (out: string) =>
    (JSON.parse(out).findings as { ruleId: string; message: string }[]).filter(
      (f) => f.ruleId === "GH011" && f.message.includes("Emergency access accounts"),
    );

  it("lint and gaps use examples/demo-tenant/emergencyAccess.json when the flag is not given", async () => {
    const lint = await run("lint", "--tenant", DEMO, "--json", "--fail-on", "error");
    expect(lint.err).toBe("");
    expect(GH011_EMERGENCY(lint.out)).toEqual([]);
    const explicit = await run("lint", "--tenant", DEMO, "--json", "--emergency-access", "");
    expect(GH011_EMERGENCY(explicit.out).length).toBeGreaterThan(0);
    const gaps = await run("gaps", "--tenant", DEMO, "--question", "management-api-mfa", "--json");
    expect(gaps.code).toBe(0);
    expect(JSON.parse(gaps.out).managementApi.reachableWithoutMfa).toBe(false);
  });

  it("baseline accepts the declared exclusions only when declared (single-file snapshot)", async () => {
    const dir = tempDir();
    const block = {
      id: "p-legacy",
      displayName: "Block legacy authentication",
      state: "enabled",
      conditions: {
        users: { includeUsers: ["All"], excludeUsers: ["bg"] },
        applications: { includeApplications: ["All"] },
        clientAppTypes: ["exchangeActiveSync", "other"],
      },
      grantControls: { operator: "OR", builtInControls: ["block"] },
    };
    const snapshot = { tenantId: "t", policies: [block], users: [{ id: "bg", userPrincipalName: "bg@contoso.test", userType: "Member" }] };
    writeFileSync(join(dir, "undeclared.json"), JSON.stringify(snapshot));
    writeFileSync(join(dir, "declared.json"), JSON.stringify({ ...snapshot, emergencyAccess: { userIds: ["bg"], groupIds: [] } }));
    const control = async (file: string, ...extra: string[]) =>
      (
        JSON.parse((await run("baseline", "--tenant", join(dir, file), "--json", ...extra)).out).controls as {
          id: string;
          requirementMet: boolean;
        }[]
      ).find((c) => c.id === "MS.AAD.1.1v1")?.requirementMet;
    expect(await control("undeclared.json")).toBe(false);
    expect(await control("declared.json")).toBe(true);
    expect(await control("declared.json", "--emergency-access", "someone-else")).toBe(false);
  });
});

describe("gatehouse diff", () => {
  it("describes a state change and an added policy", async () => {
    const dir = tempDir();
    const a = [policy("p1", "MFA", "enabledForReportingButNotEnforced", {})];
    const b = [policy("p1", "MFA", "enabled", {}), policy("p2", "MFA legacy", "enabled", { clientAppTypes: ["other"] })];
    writeFileSync(join(dir, "a.json"), JSON.stringify(a));
    writeFileSync(join(dir, "b.json"), JSON.stringify(b));
    const { code, out } = await run("diff", join(dir, "a.json"), join(dir, "b.json"));
    expect(code).toBe(0);
    expect(out).toContain("state: report-only → on");
    expect(out).toContain('+ added "MFA legacy"');
    const json = JSON.parse((await run("diff", join(dir, "a.json"), join(dir, "b.json"), "--json")).out);
    expect(json.changed[0].changes[0]).toEqual({ aspect: "state", description: "state: report-only → on" });
  });
});

describe("gatehouse impact", () => {
  const users = Array.from({ length: 10 }, (_, i) => ({ id: `u${i}`, userPrincipalName: `user${i}@contoso.test`, userType: "Member" }));
  const tenant = {
    tenantId: "t",
    policies: [policy("p1", "MFA report-only", "enabledForReportingButNotEnforced", {})],
    users,
    groups: [],
    roleAssignments: [],
    servicePrincipals: [],
    namedLocations: [],
    authenticationStrengthPolicies: [],
  };

  function writeLog(dir: string): string {
    const compiled = compileTenant(tenant as unknown as TenantSnapshot);
    const lines = users.map((u, i) => {
      const request: WhatIfRequest = {
        signInIdentity: { "@odata.type": "#microsoft.graph.userSignIn", userId: u.id },
        signInContext: {
          "@odata.type": "#microsoft.graph.applicationContext",
          includeApplications: ["00000003-0000-0000-c000-000000000000"],
        },
        signInConditions: { clientAppType: "browser", devicePlatform: "windows" },
        satisfied: { authenticationMethods: i < 4 ? ["password", "microsoftAuthenticatorPush"] : ["password"] },
      };
      return JSON.stringify(
        toSignInLogEntry({
          tenant: compiled,
          request,
          evaluation: evaluateSignIn(compiled, request),
          id: `s${i}`,
          createdDateTime: `2026-11-0${1 + (i % 3)}T10:00:00Z`,
          correlationId: `c${i}`,
        }),
      );
    });
    const file = join(dir, "signins.ndjson");
    writeFileSync(file, `${lines.join("\n")}\n`);
    return file;
  }

  it("replays the log with a state change: the password-only sign-ins go from grant to challenge", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "tenant.json"), JSON.stringify(tenant));
    const log = writeLog(dir);
    const { code, out } = await run(
      "impact",
      "--tenant",
      join(dir, "tenant.json"),
      "--sign-ins",
      log,
      "--set-state",
      "p1=enabled",
      "--json",
    );
    expect(code).toBe(0);
    const report = JSON.parse(out);
    expect(report.summary).toEqual({
      changedSignIns: 6,
      changedUsers: 6,
      transitions: [{ from: "grant", to: "challenge", signIns: 6, users: 6 }],
    });
    const period = JSON.parse(
      (
        await run(
          "impact",
          "--tenant",
          join(dir, "tenant.json"),
          "--sign-ins",
          log,
          "--set-state",
          "p1=on",
          "--from",
          "2026-11-02",
          "--to",
          "2026-11-03",
          "--json",
        )
      ).out,
    );
    expect(period.records.evaluated).toBe(3);
    const html = await run("impact", "--tenant", join(dir, "tenant.json"), "--sign-ins", log, "--set-state", "p1=on", "--format", "html");
    expect(html.out.startsWith("<!doctype html>")).toBe(true);
    const md = await run("impact", "--tenant", join(dir, "tenant.json"), "--sign-ins", log, "--set-state", "p1=on", "--format", "markdown");
    expect(md.out).toContain("| grant | challenge | 6 | 6 |");
  });

  it("draws a progress bar on stderr only on a terminal", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "tenant.json"), JSON.stringify(tenant));
    const log = writeLog(dir);
    const tty = createBufferedIo({ isTTY: true });
    expect(await runCli(["impact", "--tenant", join(dir, "tenant.json"), "--sign-ins", log, "--set-state", "p1=on"], tty)).toBe(0);
    expect(tty.stderrText()).toMatch(/\[#{30}\] 100% {2}10 sign-ins\n$/);
    expect(tty.stdoutText()).toContain("6 sign-in(s) of 6 user(s)");
    const pipe = await run("impact", "--tenant", join(dir, "tenant.json"), "--sign-ins", log, "--set-state", "p1=on");
    expect(pipe.err).toBe("");
  });

  it("takes proposed policies from a file, and refuses unknown policy ids and missing proposals", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "tenant.json"), JSON.stringify(tenant));
    writeFileSync(
      join(dir, "proposed.json"),
      JSON.stringify(
        [policy("p9", "Block all", "enabled", {})].map((p) => ({ ...p, grantControls: { operator: "OR", builtInControls: ["block"] } })),
      ),
    );
    const log = writeLog(dir);
    const report = JSON.parse(
      (await run("impact", "--tenant", join(dir, "tenant.json"), "--sign-ins", log, "--proposed", join(dir, "proposed.json"), "--json"))
        .out,
    );
    expect(report.summary.changedSignIns).toBe(10);
    expect(report.byPolicy[0].label).toBe("Block all");
    const unknown = await run("impact", "--tenant", join(dir, "tenant.json"), "--sign-ins", log, "--set-state", "nope=enabled");
    expect(unknown.code).toBe(2);
    expect(unknown.err).toBe("gatehouse: no policy with the id nope in the tenant\n");
    expect((await run("impact", "--tenant", join(dir, "tenant.json"), "--sign-ins", log)).code).toBe(2);
  });
});

describe("--server", () => {
  it("reads the tenant of a running Gatehouse through its Management API (after gatehouse login)", async () => {
    // The server's own in-process test fixture, listening on a loopback port.
    const { call, createTestTenant, IDS, mfaPolicy } = await import("../../../server/src/test-server.js");
    const t = await createTestTenant();
    try {
      const url = await t.app.listen({ host: "127.0.0.1", port: 0 });
      const config = tempDir();
      const { saveServerCredentials } = await import("../remote/credentials-file.js");
      await saveServerCredentials(
        { GATEHOUSE_CONFIG_DIR: config },
        {
          server: url,
          issuer: url,
          tokenEndpoint: `${url}/oauth2/token`,
          revocationEndpoint: null,
          clientId: "df31e4d4-5c89-42be-9981-b5f25fd4cc52",
          accessToken: t.tokens.globalAdmin,
          accessTokenExpiresAt: new Date(Date.now() + 3_600_000).toISOString(),
          refreshToken: null,
          account: "admin@contoso.test",
          signedInDateTime: new Date().toISOString(),
        },
      );
      const io = createBufferedIo({ env: { GATEHOUSE_CONFIG_DIR: config } });
      const code = await runCli(
        ["gaps", "--server", url, "--question", "management-api-mfa", "--emergency-access", IDS.emergencyGroup, "--json"],
        io,
      );
      expect(io.stderrText()).toBe("");
      const report = JSON.parse(io.stdoutText());
      expect(report.profiles).toBeGreaterThan(1);
      expect(typeof report.managementApi.reachableWithoutMfa).toBe("boolean");
      expect(code).toBe(report.managementApi.reachableWithoutMfa ? 1 : 0);
      const lint = createBufferedIo({ env: { GATEHOUSE_CONFIG_DIR: config } });
      expect(await runCli(["lint", "--server", url, "--json"], lint)).toBeLessThanOrEqual(1);
      expect(JSON.parse(lint.stdoutText()).findings.length).toBeGreaterThan(0);
      // Without --emergency-access, the server's declaration (breakGlass1 and the emergency group) is used.
      const created = await call(t.app, "POST", "/v1.0/identity/conditionalAccess/policies", {
        token: t.tokens.caAdmin,
        body: mfaPolicy("CA01 - MFA for everyone", "enabled"),
      });
      expect(created.status).toBe(201);
      const exemptions = async (...extra: string[]) => {
        const out = createBufferedIo({ env: { GATEHOUSE_CONFIG_DIR: config } });
        await runCli(["lint", "--server", url, "--json", ...extra], out);
        expect(out.stderrText()).toBe("");
        return (JSON.parse(out.stdoutText()).findings as { ruleId: string; path: string }[]).filter(
          (f) => f.ruleId === "GH011" && /exclude(Users|Groups)/.test(f.path),
        ).length;
      };
      expect(await exemptions()).toBe(0);
      expect(await exemptions("--emergency-access", "")).toBeGreaterThan(0);
      const signedOut = createBufferedIo({ env: { GATEHOUSE_CONFIG_DIR: tempDir() } });
      expect(await runCli(["lint", "--server", url], signedOut)).toBe(3);
      expect(signedOut.stderrText()).toContain("gatehouse login");
    } finally {
      await t.close();
    }
  });
});
