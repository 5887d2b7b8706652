import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GATEHOUSE_MANAGEMENT_API_APP_ID } from "@gatehouse/admin";
import { openStore } from "@gatehouse/store";
import { createLocalJWKSet, jwtVerify } from "jose";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createBufferedIo } from "../../../cli/src/cli-io.js";
import { runCli } from "../../../cli/src/main.js";
import { publicJwks, tokenIssuer } from "../signing-keys.js";
import { registerServerCommands } from "./index.js";
import { OPERATOR_TOKEN_ACTIVITY } from "./token-command.js";

const PASSWORD = "correct horse battery staple";

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "gatehouse-commands-"));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function gatehouse(argv: string[], env: Record<string, string> = {}) {
  const io = createBufferedIo({ env });
  const code = await runCli(argv, io, [registerServerCommands]);
  return { code, stdout: io.stdoutText(), stderr: io.stderrText() };
}

async function init(data: string, extra: string[] = []) {
  const result = await gatehouse(["init", "--data", data, "--admin", "ada@contoso.com", ...extra], { GATEHOUSE_ADMIN_PASSWORD: PASSWORD });
  expect(result.stderr).toBe("");
  expect(result.code).toBe(0);
  return result;
}

async function withStore<T>(data: string, work: (store: Awaited<ReturnType<typeof openStore>>) => Promise<T>): Promise<T> {
  const store = await openStore({ sqlitePath: join(data, "gatehouse.sqlite") });
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

describe("gatehouse init", () => {
  it("refuses without GATEHOUSE_ADMIN_PASSWORD when standard input is not a terminal, in one line with exit 2", async () => {
    const result = await gatehouse(["init", "--data", join(dir, "data"), "--admin", "ada@contoso.com"]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/^gatehouse: no password for ada@contoso\.com: set GATEHOUSE_ADMIN_PASSWORD .*no default password\)\n$/);
  });

  it("refuses without --data or --database-url, and with both", async () => {
    const env = { GATEHOUSE_ADMIN_PASSWORD: PASSWORD };
    const neither = await gatehouse(["init", "--admin", "ada@contoso.com"], env);
    expect(neither.code).toBe(2);
    expect(neither.stderr).toContain("give either --data DIR");
    const both = await gatehouse(["init", "--data", dir, "--database-url", "postgres://x@127.0.0.1/db", "--admin", "ada@contoso.com"], env);
    expect(both.code).toBe(2);
  });

  it("creates the tenant in DIR/gatehouse.sqlite, prints the break-glass passwords once and the next command", async () => {
    const data = join(dir, "new-folder");
    const { stdout } = await init(data);
    expect(readdirSync(data)).toContain("gatehouse.sqlite");
    expect(stdout).toContain("Global Administrator   ada@contoso.com");
    expect(stdout).toMatch(/breakglass1@contoso\.com {3}\S{24}\n/);
    expect(stdout).toMatch(/breakglass2@contoso\.com {3}\S{24}\n/);
    expect(stdout).toContain(`gatehouse serve --data ${data} --port 8080`);
    expect(stdout).not.toContain(PASSWORD);
  });

  it("refuses to initialise the same data folder twice, with exit 1", async () => {
    await init(dir);
    const again = await gatehouse(["init", "--data", dir, "--admin", "bob@fabrikam.com"], { GATEHOUSE_ADMIN_PASSWORD: PASSWORD });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^gatehouse: this store already holds the tenant [0-9a-f-]{36}; gatehouse init runs once\n$/);
  });
});

describe("gatehouse token", () => {
  it("prints only a Management API token signed with the tenant's key, and audits it", async () => {
    await init(dir);
    const result = await gatehouse(["token", "--data", dir, "--user", "ADA@contoso.com", "--lifetime", "5"]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe("");
    const token = result.stdout.trim();
    expect(result.stdout).toBe(`${token}\n`);

    await withStore(dir, async (store) => {
      const settings = await store.tenant.get();
      const admin = await store.users.getByUserPrincipalName("ada@contoso.com");
      const { payload } = await jwtVerify(token, createLocalJWKSet(await publicJwks(store)), {
        issuer: tokenIssuer(settings?.tenantId ?? ""),
        audience: GATEHOUSE_MANAGEMENT_API_APP_ID,
      });
      expect(payload.oid).toBe(admin?.id);
      expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(300);
      const audit = await store.audit.list({ filter: { activityDisplayName: OPERATOR_TOKEN_ACTIVITY } });
      expect(audit.value).toHaveLength(1);
      expect(audit.value[0]?.targetResources[0]?.id).toBe(admin?.id);
      expect(audit.value[0]?.additionalDetails).toContainEqual({ key: "tokenId", value: payload.jti });
    });
  });

  it("refuses an unknown user (exit 1), a bad lifetime (exit 2) and a data folder without a tenant (exit 2)", async () => {
    const empty = await gatehouse(["token", "--data", dir, "--user", "ada@contoso.com"]);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain("run gatehouse init first");
    await init(dir);
    const unknown = await gatehouse(["token", "--data", dir, "--user", "nobody@contoso.com"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stdout).toBe("");
    const lifetime = await gatehouse(["token", "--data", dir, "--user", "ada@contoso.com", "--lifetime", "0"]);
    expect(lifetime.code).toBe(2);
    expect(lifetime.stderr).toContain("--lifetime needs whole minutes");
  });
});

describe("gatehouse import guard rails", () => {
  it("refuses an enabled policy that would be enforced on the emergency-access accounts unless --allow-unsafe-policy", async () => {
    await init(dir);
    const input = join(dir, "in");
    mkdirSync(input);
    writeFileSync(
      join(input, "block.json"),
      JSON.stringify({
        displayName: "Block everyone",
        state: "enabled",
        conditions: { users: { includeUsers: ["All"] }, applications: { includeApplications: ["All"] }, clientAppTypes: ["all"] },
        grantControls: { operator: "OR", builtInControls: ["block"] },
      }),
    );
    const before = await withStore(dir, (s) => s.loadTenantSnapshot());
    const refused = await gatehouse(["import", "--data", dir, "--in", input]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("emergency-access");
    expect(refused.stderr).toContain("breakglass1@contoso.com");
    const after = await withStore(dir, (s) => s.loadTenantSnapshot());
    expect(after.policies).toHaveLength(before.policies.length);

    const acknowledged = await gatehouse(["import", "--data", dir, "--in", input, "--allow-unsafe-policy"]);
    expect(acknowledged.code).toBe(0);
    const audit = await withStore(dir, (s) => s.audit.list({ filter: { activityDisplayName: "Add conditional access policy" } }));
    const record = audit.value.find((r) => r.targetResources[0]?.displayName === "Block everyone");
    expect(record?.additionalDetails).toContainEqual({ key: "Prefer", value: "allow-unsafe-policy" });
  });
});

describe("gatehouse export and import", () => {
  it("exports a folder that gatehouse validate finds clean and gatehouse whatif --tenant evaluates", async () => {
    await init(dir, ["--demo"]);
    const out = join(dir, "exported");
    const exported = await gatehouse(["export", "--data", dir, "--out", out]);
    expect(exported.code).toBe(0);
    expect(exported.stdout).toContain("Exported 13 policies, 2 named locations and 1 authentication strengths");
    expect(readdirSync(join(out, "policies"))).toHaveLength(13);
    expect(readdirSync(out).sort()).toEqual(
      [
        "authenticationStrengthPolicies.json",
        "emergencyAccess.json",
        "groups.json",
        "namedLocations.json",
        "policies",
        "roleAssignments.json",
        "servicePrincipals.json",
        "tenant.json",
        "users.json",
      ].sort(),
    );
    const tenantJson = JSON.parse(readFileSync(join(out, "tenant.json"), "utf8")) as Record<string, unknown>;
    expect(Object.keys(tenantJson).sort()).toEqual(["displayName", "tenantId"]);
    const settings = await withStore(dir, async (store) => store.tenant.get());
    expect(JSON.parse(readFileSync(join(out, "emergencyAccess.json"), "utf8"))).toEqual({
      userIds: settings?.emergencyAccessUserIds,
      groupIds: settings?.emergencyAccessGroupIds,
    });
    expect(settings?.emergencyAccessUserIds.length).toBeGreaterThan(0);

    const validated = await gatehouse(["validate", out, "--json"]);
    expect(validated.code).toBe(0);
    expect((JSON.parse(validated.stdout) as { errors: number }).errors).toBe(0);

    const adminId = await withStore(dir, async (store) => (await store.users.getByUserPrincipalName("ada@contoso.com"))?.id);
    const megan = await withStore(dir, async (store) => (await store.users.getByUserPrincipalName("megan.bowen@contoso.com"))?.id);
    const request = join(dir, "request.json");
    writeFileSync(
      request,
      JSON.stringify({
        signInIdentity: { "@odata.type": "#microsoft.graph.userSignIn", userId: megan },
        signInContext: { "@odata.type": "#microsoft.graph.applicationContext", includeApplications: [GATEHOUSE_MANAGEMENT_API_APP_ID] },
        signInConditions: { devicePlatform: "windows", clientAppType: "browser", ipAddress: "198.51.100.7" },
        satisfied: { authenticationMethods: ["password"] },
      }),
    );
    const whatif = await gatehouse(["whatif", "--tenant", out, "--request", request, "--json"]);
    expect(whatif.stderr).toBe("");
    expect(whatif.code).toBe(0);
    const answer = JSON.parse(whatif.stdout) as { value: { displayName: string; policyApplies: boolean }[]; decision: { outcome: string } };
    expect(answer.value).toHaveLength(13);
    // Megan Bowen is a Security Administrator: "MFA for administrators" (enabled) challenges her.
    expect(answer.decision.outcome).toBe("challenge");
    expect(answer.value.find((p) => p.displayName.startsWith("CA002"))?.policyApplies).toBe(true);
    expect(adminId).toBeDefined();
  });

  it("refuses to export into a non-empty folder unless --force", async () => {
    await init(dir);
    const out = join(dir, "out");
    mkdirSync(out);
    writeFileSync(join(out, "keep.txt"), "x");
    const refused = await gatehouse(["export", "--data", dir, "--out", out]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("is not empty");
    expect((await gatehouse(["export", "--data", dir, "--out", out, "--force"])).code).toBe(0);
  });

  it("imports an export into another tenant and a second import changes nothing", async () => {
    const source = join(dir, "source");
    const target = join(dir, "target");
    const out = join(dir, "exported");
    await init(source, ["--demo"]);
    expect((await gatehouse(["export", "--data", source, "--out", out])).code).toBe(0);
    await init(target);

    // The export's emergency-access declaration names the source tenant's accounts: unknown here, refused.
    const foreign = await gatehouse(["import", "--data", target, "--in", out, "--allow-unsafe-policy"]);
    expect(foreign.code).toBe(1);
    expect(foreign.stdout).toContain("emergencyAccess.json");
    expect(foreign.stdout).toContain("There is no user with the id");
    expect(await withStore(target, (s) => s.loadTenantSnapshot().then((t) => t.policies.length))).toBe(1);
    rmSync(join(out, "emergencyAccess.json"));

    // The source's policies exclude the source's emergency-access group, not the target's: importing its
    // enabled ones into the target enforces them on the target's break-glass accounts, which must be acknowledged.
    const unacknowledged = await gatehouse(["import", "--data", target, "--in", out]);
    expect(unacknowledged.code).toBe(1);
    expect(unacknowledged.stderr).toContain("emergency-access accounts: breakglass1@contoso.com");
    const first = await gatehouse(["import", "--data", target, "--in", out, "--allow-unsafe-policy"]);
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/policies\s+13 created, 0 updated, 0 unchanged/);
    expect(first.stdout).toMatch(/named locations\s+2 created, 0 updated, 0 unchanged/);
    expect(first.stdout).toMatch(/authentication strengths\s+1 created, 0 updated, 0 unchanged/);

    const second = await gatehouse(["import", "--data", target, "--in", out]);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/policies\s+0 created, 0 updated, 13 unchanged/);

    const [sourceSnapshot, targetSnapshot] = [
      await withStore(source, (s) => s.loadTenantSnapshot()),
      await withStore(target, (s) => s.loadTenantSnapshot()),
    ];
    const ids = (list: { id: string }[]) => list.map((x) => x.id).sort();
    // The target keeps its own management MFA policy and gains the source's 13 (ids preserved).
    expect(ids(targetSnapshot.policies)).toEqual(expect.arrayContaining(ids(sourceSnapshot.policies)));
    expect(targetSnapshot.policies).toHaveLength(14);
    expect(ids(targetSnapshot.namedLocations)).toEqual(ids(sourceSnapshot.namedLocations));
    const audit = await withStore(target, (s) =>
      s.audit.list({ top: 999, filter: { activityDisplayName: "Add conditional access policy" } }),
    );
    expect(audit.value.filter((r) => r.initiatedBy.app?.displayName === "gatehouse import (operator)")).toHaveLength(13);
  });

  it("updates a changed policy by id and records the update in the audit log", async () => {
    await init(dir, ["--demo"]);
    const out = join(dir, "exported");
    expect((await gatehouse(["export", "--data", dir, "--out", out])).code).toBe(0);
    const file = join(out, "policies", readdirSync(join(out, "policies")).find((f) => f.startsWith("ca003")) as string);
    const policy = JSON.parse(readFileSync(file, "utf8")) as { id: string; state: string };
    writeFileSync(file, JSON.stringify({ ...policy, state: "enabled" }));
    const result = await gatehouse(["import", "--data", dir, "--in", out]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/policies\s+0 created, 1 updated, 12 unchanged/);
    const stored = await withStore(dir, (s) => s.policies.get(policy.id));
    expect(stored?.policy.state).toBe("enabled");
    expect(stored?.version).toBe(2);
  });

  it("refuses a folder with a validation error with exit 1 and writes nothing", async () => {
    await init(dir);
    const input = join(dir, "graph-export");
    mkdirSync(input);
    writeFileSync(
      join(input, "good.json"),
      JSON.stringify({
        displayName: "Block legacy authentication",
        state: "enabled",
        conditions: {
          users: { includeUsers: ["All"] },
          applications: { includeApplications: ["All"] },
          clientAppTypes: ["exchangeActiveSync", "other"],
        },
        grantControls: { operator: "OR", builtInControls: ["block"] },
      }),
    );
    writeFileSync(
      join(input, "bad.json"),
      JSON.stringify({
        displayName: "Broken",
        state: "switchedOn",
        conditions: { users: { includeUsers: ["All"] }, applications: { includeApplications: ["All"] } },
        grantControls: { operator: "OR", builtInControls: ["mfa"] },
      }),
    );
    const before = await withStore(dir, (s) => s.loadTenantSnapshot());
    const result = await gatehouse(["import", "--data", dir, "--in", input]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^gatehouse: import refused: \d+ validation errors?; nothing was written\n$/);
    expect(result.stdout).toContain("bad.json");
    const after = await withStore(dir, (s) => s.loadTenantSnapshot());
    expect(after.policies).toHaveLength(before.policies.length);

    rmSync(join(input, "bad.json"));
    // "Block legacy authentication" is enabled for all users, the break-glass accounts included: acknowledged.
    const ok = await gatehouse(["import", "--data", dir, "--in", input, "--allow-unsafe-policy"]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/policies\s+1 created/);
  });
});

describe("gatehouse import of emergencyAccess", () => {
  async function exported(): Promise<{ out: string; file: string; declared: { userIds: string[]; groupIds: string[] } }> {
    await init(dir, ["--demo"]);
    const out = join(dir, "exported");
    expect((await gatehouse(["export", "--data", dir, "--out", out])).code).toBe(0);
    const file = join(out, "emergencyAccess.json");
    return { out, file, declared: JSON.parse(readFileSync(file, "utf8")) };
  }
  const declaration = () =>
    withStore(dir, async (s) => {
      const settings = await s.tenant.get();
      return { userIds: settings?.emergencyAccessUserIds, groupIds: settings?.emergencyAccessGroupIds };
    });

  it("leaves an unchanged declaration alone and refuses unknown ids naming them", async () => {
    const { out, file, declared } = await exported();
    const same = await gatehouse(["import", "--data", dir, "--in", out]);
    expect(same.code).toBe(0);
    expect(same.stdout).toMatch(/emergency-access accounts\s+unchanged/);
    writeFileSync(file, JSON.stringify({ ...declared, groupIds: ["99999999-9999-4999-8999-999999999999"] }));
    const unknown = await gatehouse(["import", "--data", dir, "--in", out]);
    expect(unknown.code).toBe(1);
    expect(unknown.stdout).toContain("99999999-9999-4999-8999-999999999999");
    writeFileSync(file, JSON.stringify({ userIds: "nope" }));
    const shape = await gatehouse(["import", "--data", dir, "--in", out]);
    expect(shape.code).toBe(1);
    expect(shape.stdout).toContain("$.userIds");
    expect(await declaration()).toEqual(declared);
  });

  it("refuses a declaration leaving no account, or exposing a new account to an enforced policy, unless --allow-unsafe-policy (audited)", async () => {
    const { out, file, declared } = await exported();
    writeFileSync(file, JSON.stringify({ userIds: [], groupIds: [] }));
    const none = await gatehouse(["import", "--data", dir, "--in", out]);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain("no emergency-access account");
    expect(await declaration()).toEqual(declared);

    // Megan Bowen is a Security Administrator: the enabled "MFA for administrators" applies to her.
    const megan = await withStore(dir, async (store) => (await store.users.getByUserPrincipalName("megan.bowen@contoso.com"))?.id);
    const widened = { userIds: [...declared.userIds, megan as string], groupIds: declared.groupIds };
    writeFileSync(file, JSON.stringify(widened));
    const exposed = await gatehouse(["import", "--data", dir, "--in", out]);
    expect(exposed.code).toBe(1);
    expect(exposed.stderr).toContain("megan.bowen@contoso.com");
    expect(await declaration()).toEqual(declared);

    const acknowledged = await gatehouse(["import", "--data", dir, "--in", out, "--allow-unsafe-policy"]);
    expect(acknowledged.code).toBe(0);
    expect(acknowledged.stdout).toMatch(/emergency-access accounts\s+changed/);
    expect(await declaration()).toEqual(widened);
    const audit = await withStore(dir, (s) => s.audit.list({ filter: { activityDisplayName: "Update emergency-access accounts" } }));
    expect(audit.value).toHaveLength(1);
    expect(audit.value[0]?.additionalDetails).toContainEqual({ key: "Prefer", value: "allow-unsafe-policy" });
  });
});
