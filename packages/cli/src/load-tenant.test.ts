import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CliError, ExitCode } from "./cli-error.js";
import { derivedPolicyId, isTenantSnapshot, loadTenant, policyItems } from "./load-tenant.js";

const TENANT_ID = "11111111-2222-4333-8444-555555555555";
const GROUP_ID = "aaaaaaaa-0000-4000-8000-000000000001";
const USER_ID = "bbbbbbbb-0000-4000-8000-000000000001";
const DEMO_TENANT = fileURLToPath(new URL("../../../examples/demo-tenant", import.meta.url));

function policy(id: string, displayName: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    displayName,
    state: "enabled",
    conditions: {
      users: { includeUsers: ["All"], excludeUsers: [], includeGroups: [], excludeGroups: [GROUP_ID], includeRoles: [], excludeRoles: [] },
      applications: { includeApplications: ["All"], excludeApplications: [], includeUserActions: [] },
      clientAppTypes: ["all"],
    },
    grantControls: { operator: "OR", builtInControls: ["mfa"] },
    sessionControls: null,
    ...overrides,
  };
}

/** A UTF-16 LE file with a BOM, as Windows PowerShell's Out-File writes it. */
function utf16(value: unknown): Buffer {
  return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(JSON.stringify(value, null, 2), "utf16le")]);
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "gatehouse-load-tenant-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("loadTenant", () => {
  it("reads a tenant snapshot from one JSON file", async () => {
    const file = join(dir, "tenant.json");
    await writeFile(
      file,
      JSON.stringify({
        tenantId: TENANT_ID,
        policies: [policy("p1", "P1")],
        users: [{ id: USER_ID, userPrincipalName: "u@example.com" }],
        groups: [{ id: GROUP_ID, displayName: "Break glass", members: [USER_ID] }],
      }),
    );
    const loaded = await loadTenant(file);
    expect(loaded.tenant.tenantId).toBe(TENANT_ID);
    expect(loaded.tenant.policies.map((p) => p.id)).toEqual(["p1"]);
    expect(loaded.tenant.users).toHaveLength(1);
    expect(loaded.tenant.groups[0]?.members).toEqual([USER_ID]);
    expect(loaded.files).toEqual([file]);
    expect(loaded.issues.filter((i) => i.severity === "error")).toEqual([]);
  });

  it("reads a tenant folder of key files, Graph collections and a policies/ folder with a UTF-16 file", async () => {
    await writeFile(join(dir, "tenant.json"), JSON.stringify({ tenantId: TENANT_ID }));
    await writeFile(join(dir, "users.json"), JSON.stringify({ "@odata.context": "x", value: [{ id: USER_ID }] }));
    await writeFile(join(dir, "groups.json"), JSON.stringify([{ id: GROUP_ID, members: [{ id: USER_ID }] }]));
    await writeFile(join(dir, "README.md"), "not json");
    await mkdir(join(dir, "policies"));
    await writeFile(join(dir, "policies", "CA001.json"), utf16(policy("p1", "CA001 from UTF-16")));
    await writeFile(join(dir, "policies", "CA002.json"), `\ufeff${JSON.stringify(policy("p2", "CA002 with BOM"))}`);
    const loaded = await loadTenant(dir);
    expect(loaded.tenant.tenantId).toBe(TENANT_ID);
    expect(loaded.tenant.policies.map((p) => p.displayName)).toEqual(["CA001 from UTF-16", "CA002 with BOM"]);
    expect(loaded.tenant.users.map((u) => u.id)).toEqual([USER_ID]);
    expect(loaded.tenant.groups[0]?.members).toEqual([USER_ID]);
    expect(loaded.files.map((f) => f.slice(dir.length + 1))).toEqual([
      "tenant.json",
      "users.json",
      "groups.json",
      join("policies", "CA001.json"),
      join("policies", "CA002.json"),
    ]);
    expect(loaded.issues).toEqual([]);
  });

  it("accepts tenantId.json holding a bare string", async () => {
    await writeFile(join(dir, "tenantId.json"), JSON.stringify(TENANT_ID));
    await writeFile(join(dir, "policies.json"), JSON.stringify({ value: [policy("p1", "P1")] }));
    const loaded = await loadTenant(dir);
    expect(loaded.tenant.tenantId).toBe(TENANT_ID);
    expect(loaded.tenant.policies).toHaveLength(1);
  });

  it("reads a folder of policy files only as a tenant with just those policies", async () => {
    await writeFile(join(dir, "a.json"), JSON.stringify(policy("p1", "A")));
    await mkdir(join(dir, "more"));
    await writeFile(join(dir, "more", "b.json"), utf16([policy("p2", "B"), policy("p3", "C")]));
    const loaded = await loadTenant(dir);
    expect(loaded.tenant.tenantId).toBe("");
    expect(loaded.tenant.policies.map((p) => p.id)).toEqual(["p1", "p2", "p3"]);
    expect(loaded.tenant.users).toEqual([]);
  });

  it("names the file and the JSON path inside it for every issue", async () => {
    await writeFile(join(dir, "tenant.json"), JSON.stringify({ tenantId: TENANT_ID }));
    await writeFile(join(dir, "users.json"), JSON.stringify({ value: [{ id: USER_ID }, { displayName: "no id" }] }));
    await writeFile(join(dir, "groups.json"), JSON.stringify([{ id: GROUP_ID, members: [] }]));
    await mkdir(join(dir, "policies"));
    const placeholder = policy("p1", "Placeholder", {
      conditions: {
        users: { includeUsers: ["All"], excludeGroups: ["<EmergencyAccessAccountsGroup>"] },
        applications: { includeApplications: ["All"] },
        clientAppTypes: ["all"],
      },
    });
    await writeFile(join(dir, "policies", "one.json"), utf16(placeholder));
    await writeFile(
      join(dir, "policies", "many.json"),
      JSON.stringify({
        value: [
          policy("p2", "Fine"),
          policy("p3", "Unknown group", {
            conditions: {
              users: { includeGroups: ["cccccccc-0000-4000-8000-000000000009"] },
              applications: { includeApplications: ["All"] },
            },
          }),
        ],
      }),
    );
    const loaded = await loadTenant(dir);
    const brief = loaded.issues.map((i) => `${(i.source ?? "").slice(dir.length + 1)} ${i.path} ${i.severity} ${i.code}`);
    expect(brief).toContain(`users.json $.value[1].id error missingId`);
    expect(brief).toContain(`${join("policies", "one.json")} $.conditions.users.excludeGroups[0] error placeholder`);
    expect(brief).toContain(`${join("policies", "many.json")} $.value[1].conditions.users.includeGroups[0] warning unknownReference`);
  });

  it("maps paths of the normalized snapshot back to files, skipping items that yield no policy", async () => {
    await writeFile(join(dir, "a.json"), JSON.stringify([42, policy("p1", "A")]));
    await writeFile(join(dir, "b.json"), JSON.stringify(policy("p2", "B")));
    const loaded = await loadTenant(dir);
    expect(loaded.tenant.policies.map((p) => p.id)).toEqual(["p1", "p2"]);
    expect(loaded.locate("$.policies[0].conditions")).toEqual({ source: join(dir, "a.json"), path: "$[1].conditions" });
    expect(loaded.locate("$.policies[1].state")).toEqual({ source: join(dir, "b.json"), path: "$.state" });
    expect(loaded.issues.some((i) => i.source === join(dir, "a.json") && i.path === "$[0]" && i.severity === "error")).toBe(true);
  });

  it("gives a policy without an id a stable id derived from its file and position", async () => {
    const { id: _, ...withoutId } = policy("x", "No id");
    await writeFile(join(dir, "no-id.json"), JSON.stringify(withoutId));
    const first = await loadTenant(dir);
    const second = await loadTenant(dir);
    const id = first.tenant.policies[0]?.id ?? "";
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(second.tenant.policies[0]?.id).toBe(id);
    expect(id).toBe(derivedPolicyId("no-id.json#$"));
    expect(first.issues.find((i) => i.code === "missingId")?.message).toContain(id);
  });

  it("reports a member file that is not JSON as an invalidJson issue on that file", async () => {
    await writeFile(join(dir, "tenant.json"), JSON.stringify({ tenantId: TENANT_ID }));
    await writeFile(join(dir, "users.json"), "{ not json");
    const loaded = await loadTenant(dir);
    expect(loaded.issues).toEqual([
      expect.objectContaining({ code: "invalidJson", severity: "error", path: "$", source: join(dir, "users.json") }),
    ]);
  });

  it("lets a key file override the same key in tenant.json, with a warning", async () => {
    await writeFile(join(dir, "tenant.json"), JSON.stringify({ tenantId: TENANT_ID, users: [{ id: "old" }] }));
    await writeFile(join(dir, "users.json"), JSON.stringify([{ id: USER_ID }]));
    const loaded = await loadTenant(dir);
    expect(loaded.tenant.users.map((u) => u.id)).toEqual([USER_ID]);
    expect(loaded.issues).toEqual([
      expect.objectContaining({ code: "overriddenKey", severity: "warning", path: "$.users", source: join(dir, "tenant.json") }),
    ]);
  });

  it("throws a usage error for a path that does not exist, an unparseable file, or an empty folder", async () => {
    await expect(loadTenant(join(dir, "missing"))).rejects.toThrow(
      new CliError(`cannot read ${join(dir, "missing")}: no such file or directory`),
    );
    await writeFile(join(dir, "broken.json"), "[1,");
    const broken = await loadTenant(join(dir, "broken.json")).catch((e: unknown) => e);
    expect(broken).toBeInstanceOf(CliError);
    expect((broken as CliError).exitCode).toBe(ExitCode.usage);
    expect((broken as CliError).message).toMatch(/^cannot parse .*broken\.json: invalid JSON at line 1/);
    const empty = join(dir, "empty");
    await mkdir(empty);
    await expect(loadTenant(empty)).rejects.toThrow(/holds neither tenant files/);
  });

  it("loads the demo tenant folder without issues", async () => {
    const loaded = await loadTenant(DEMO_TENANT);
    expect(loaded.issues).toEqual([]);
    expect(loaded.tenant.policies.map((p) => p.displayName.slice(0, 5))).toEqual(["CA001", "CA002", "CA003", "CA004", "CA005"]);
    expect(loaded.tenant.users).toHaveLength(8);
    expect(loaded.tenant.namedLocations).toHaveLength(2);
  });
});

describe("policyItems", () => {
  it("splits arrays, Graph collections and ScubaGear exports into items with their paths", () => {
    expect(policyItems([1, 2]).map((i) => i.path)).toEqual(["$[0]", "$[1]"]);
    expect(policyItems({ Value: [1] }).map((i) => i.path)).toEqual(["$.Value[0]"]);
    expect(policyItems({ conditional_access_policies: { displayName: "x" } }).map((i) => i.path)).toEqual([
      "$.conditional_access_policies",
    ]);
    expect(policyItems({ displayName: "x", value: [1] }).map((i) => i.path)).toEqual(["$"]);
  });
});

describe("isTenantSnapshot", () => {
  it("is true for an object with a snapshot key in any case, false for policies and collections", () => {
    expect(isTenantSnapshot({ Policies: [] })).toBe(true);
    expect(isTenantSnapshot({ tenantId: "x" })).toBe(true);
    expect(isTenantSnapshot({ value: [] })).toBe(false);
    expect(isTenantSnapshot({ displayName: "p", conditions: {} })).toBe(false);
    expect(isTenantSnapshot([{ policies: [] }])).toBe(false);
  });
});

describe("emergencyAccess (our extension)", () => {
  it("reads emergencyAccess.json in a tenant folder, warning about ids the directory does not know", async () => {
    await writeFile(join(dir, "users.json"), JSON.stringify({ value: [{ id: USER_ID, userPrincipalName: "bg@contoso.example" }] }));
    await writeFile(join(dir, "groups.json"), JSON.stringify({ value: [{ id: GROUP_ID, displayName: "Emergency access", members: [] }] }));
    await writeFile(
      join(dir, "emergencyAccess.json"),
      JSON.stringify({ userIds: [USER_ID, "cccccccc-0000-4000-8000-000000000001"], groupIds: [GROUP_ID] }),
    );
    const loaded = await loadTenant(dir);
    expect(loaded.tenant.emergencyAccess).toEqual({ userIds: [USER_ID, "cccccccc-0000-4000-8000-000000000001"], groupIds: [GROUP_ID] });
    const unknown = loaded.issues.filter((i) => i.code === "unknownReference");
    expect(unknown).toHaveLength(1);
    expect(unknown[0]).toMatchObject({ severity: "warning", path: "$.userIds[1]", source: join(dir, "emergencyAccess.json") });
  });

  it("reads the key in a single-file snapshot and reports a wrong shape as an error with its path", async () => {
    const file = join(dir, "tenant.json");
    await writeFile(file, JSON.stringify({ tenantId: TENANT_ID, emergencyAccess: { userIds: [USER_ID] } }));
    expect((await loadTenant(file)).tenant.emergencyAccess).toEqual({ userIds: [USER_ID], groupIds: [] });
    await writeFile(file, JSON.stringify({ tenantId: TENANT_ID, emergencyAccess: { userIds: "everyone" } }));
    const wrong = await loadTenant(file);
    expect(wrong.issues).toContainEqual(
      expect.objectContaining({ code: "wrongType", severity: "error", path: "$.emergencyAccess.userIds" }),
    );
    await writeFile(file, JSON.stringify({ tenantId: TENANT_ID }));
    expect((await loadTenant(file)).tenant.emergencyAccess).toBeUndefined();
  });
});
