/**
 * The remote commands (`policies ...`, `policies apply`, `whatif --server`, `signins list`)
 * against a real server on a loopback port, with a test tenant. The credentials file is written
 * directly, with a token minted as `gatehouse token` mints it, in a temporary
 * GATEHOUSE_CONFIG_DIR (the device code flow has its own tests).
 */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { type AddressInfo, createServer as createNetServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compileTenant, evaluateSignIn, type SignInLogEntry, toSignInLogEntry, type WhatIfRequest } from "@gatehouse/engine";
import { exportTenant, issueOperatorToken } from "@gatehouse/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestTenant, IDS, type TestTenant } from "../../../server/src/test-server.js";
import { createBufferedIo } from "../cli-io.js";
import { runCli } from "../main.js";
import { saveServerCredentials } from "../remote/credentials-file.js";
import { runRemote } from "../remote/management-api.js";
import { GATEHOUSE_CLI_CLIENT_ID } from "../remote/sign-in-client.js";
import { runPoliciesList, runPoliciesSetState, unsafeHint } from "./policies.js";
import { runPoliciesApply } from "./policies-apply.js";

const POLICIES = "/v1.0/identity/conditionalAccess/policies";
const PAYROLL = "5b000000-0000-4000-8000-000000000002";
const PORTAL = "5b000000-0000-4000-8000-000000000001";

let t: TestTenant;
let dir: string;
let server: string;
let env: Record<string, string>;
let readerEnv: Record<string, string>;
let adminToken: string;

async function signIn(configDir: string, upn: string): Promise<{ env: Record<string, string>; token: string }> {
  const token = await issueOperatorToken(t.store, upn, 60);
  const e = { GATEHOUSE_CONFIG_DIR: configDir };
  await saveServerCredentials(e, {
    server,
    issuer: `${server}/oauth2`,
    tokenEndpoint: `${server}/oauth2/token`,
    revocationEndpoint: null,
    clientId: GATEHOUSE_CLI_CLIENT_ID,
    accessToken: token,
    accessTokenExpiresAt: new Date(Date.now() + 3_600_000).toISOString(),
    refreshToken: null,
    account: upn,
    signedInDateTime: new Date().toISOString(),
  });
  return { env: e, token };
}

async function cli(args: string[], e: Record<string, string> = env): Promise<{ code: number; out: string; err: string }> {
  const io = createBufferedIo({ env: e });
  const code = await runCli(args, io);
  return { code, out: io.stdoutText(), err: io.stderrText() };
}

const api = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
  const response = await fetch(`${server}${path}`, {
    method,
    headers: { authorization: `Bearer ${adminToken}`, ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, json: text === "" ? null : JSON.parse(text) };
};

/** MFA for Payroll, everyone but the emergency-access accounts (safe to turn on). */
function payrollPolicy(displayName: string, state = "enabledForReportingButNotEnforced"): Record<string, unknown> {
  return {
    displayName,
    state,
    conditions: {
      clientAppTypes: ["all"],
      applications: { includeApplications: [PAYROLL] },
      users: { includeUsers: ["All"], excludeUsers: [IDS.breakGlass1], excludeGroups: [IDS.emergencyGroup] },
    },
    grantControls: { operator: "OR", builtInControls: ["mfa"] },
  };
}

/** Blocks Payroll for everyone, emergency-access accounts included: the guard rails refuse it enabled. */
function exposingPolicy(displayName: string): Record<string, unknown> {
  return {
    displayName,
    state: "enabled",
    conditions: {
      clientAppTypes: ["all"],
      applications: { includeApplications: [PAYROLL] },
      users: { includeUsers: ["All"] },
    },
    grantControls: { operator: "OR", builtInControls: ["block"] },
  };
}

async function writeJson(path: string, value: unknown): Promise<string> {
  await writeFile(path, `${JSON.stringify(value, null, 2)}\n`);
  return path;
}

async function closedPort(): Promise<number> {
  const probe = createNetServer();
  return new Promise((resolve) =>
    probe.listen(0, "127.0.0.1", () => {
      const port = (probe.address() as AddressInfo).port;
      probe.close(() => resolve(port));
    }),
  );
}

async function deleteAllPolicies(): Promise<void> {
  const list = await api("GET", POLICIES);
  for (const p of list.json.value as { id: string }[]) {
    expect((await api("DELETE", `${POLICIES}/${p.id}`, undefined, { prefer: "allow-unsafe-policy" })).status).toBe(204);
  }
}

beforeAll(async () => {
  t = await createTestTenant();
  await t.app.listen({ port: 0, host: "127.0.0.1" });
  server = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  dir = await mkdtemp(join(tmpdir(), "gatehouse-remote-"));
  const admin = await signIn(join(dir, "config-admin"), "global.admin@contoso.example");
  env = admin.env;
  adminToken = admin.token;
  readerEnv = (await signIn(join(dir, "config-reader"), "security.reader@contoso.example")).env;
});

afterAll(async () => {
  await t?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("gatehouse policies (remote)", () => {
  it("creates, lists, gets, updates, switches state and deletes a policy", async () => {
    await deleteAllPolicies();
    const empty = await cli(["policies", "list", "--server", server]);
    expect(empty).toMatchObject({ code: 0, err: "" });
    expect(empty.out).toMatch(/^NAME\s+STATE\s+MODIFIED\s+ID\n0 policies\n$/);

    const file = await writeJson(join(dir, "payroll.json"), { ...payrollPolicy("CA01 - Payroll MFA"), id: "ignored-by-create" });
    const created = await cli(["policies", "create", file, "--server", server, "--json"]);
    expect(created.code, created.err).toBe(0);
    const policy = JSON.parse(created.out) as { id: string; displayName: string; state: string };
    expect(policy).toMatchObject({ displayName: "CA01 - Payroll MFA", state: "enabledForReportingButNotEnforced" });
    expect(policy.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(Object.keys(policy).some((k) => k.startsWith("@"))).toBe(false);

    const list = await cli(["policies", "list", "--server", server]);
    expect(list.code).toBe(0);
    expect(list.out).toMatch(new RegExp(`^CA01 - Payroll MFA\\s+report-only\\s+\\S+\\s+${policy.id}$`, "m"));
    expect(list.out).toMatch(/1 policy\n$/);
    const listJson = JSON.parse((await cli(["policies", "list", "--server", server, "--json"])).out);
    expect(listJson.value.map((p: { id: string }) => p.id)).toEqual([policy.id]);
    const filtered = JSON.parse((await cli(["policies", "list", "--server", server, "--json", "--state", "enabled"])).out);
    expect(filtered.value).toEqual([]);

    const shown = await cli(["policies", "get", policy.id, "--server", server]);
    expect(shown.code).toBe(0);
    expect(shown.out).toContain("CA01 - Payroll MFA\n");
    expect(shown.out).toMatch(/ {2}state {5}report-only\n/);
    expect(shown.out).toMatch(/ {2}grant {5}mfa\n/);
    expect(JSON.parse((await cli(["policies", "get", policy.id, "--server", server, "--json"])).out)).toMatchObject({
      id: policy.id,
      conditions: { applications: { includeApplications: [PAYROLL] } },
    });

    const patch = await writeJson(join(dir, "rename.json"), { displayName: "CA01 - Payroll requires MFA" });
    const updated = await cli(["policies", "update", policy.id, patch, "--server", server]);
    expect(updated).toEqual({
      code: 0,
      out: `Updated policy "CA01 - Payroll requires MFA" (${policy.id}), state report-only\n`,
      err: "",
    });

    const enabled = await cli(["policies", "enable", policy.id, "--server", server]);
    expect(enabled.code, enabled.err).toBe(0);
    expect(enabled.out).toBe(`Updated policy "CA01 - Payroll requires MFA" (${policy.id}), state enabled\n`);
    expect((await api("GET", `${POLICIES}/${policy.id}`)).json.state).toBe("enabled");
    const again = await cli(["policies", "enable", policy.id, "--server", server]);
    expect(again.out).toBe(`Policy "CA01 - Payroll requires MFA" (${policy.id}) is already enabled; nothing to do\n`);
    expect((await cli(["policies", "disable", policy.id, "--server", server])).code).toBe(0);
    expect((await api("GET", `${POLICIES}/${policy.id}`)).json.state).toBe("disabled");
    const reportOnly = await cli(["policies", "report-only", policy.id, "--server", server, "--json"]);
    expect(JSON.parse(reportOnly.out)).toMatchObject({ id: policy.id, state: "enabledForReportingButNotEnforced" });

    const deleted = await cli(["policies", "delete", policy.id, "--server", server]);
    expect(deleted).toEqual({ code: 0, out: `Deleted policy "CA01 - Payroll requires MFA" (${policy.id})\n`, err: "" });
    expect((await api("GET", `${POLICIES}/${policy.id}`)).status).toBe(404);
    const gone = await cli(["policies", "get", policy.id, "--server", server]);
    expect(gone).toEqual({
      code: 1,
      out: "",
      err: `gatehouse: Request_ResourceNotFound: There is no conditional access policy with the id '${policy.id}'.\n`,
    });
  });

  it("prints the guard rails' findings one line each (exit 1) and resends with --allow-unsafe-policy", async () => {
    await deleteAllPolicies();
    const file = await writeJson(join(dir, "exposing.json"), exposingPolicy("CA02 - Block Payroll"));
    const refused = await cli(["policies", "create", file, "--server", server]);
    expect(refused.code).toBe(1);
    expect(refused.out).toBe("");
    const lines = refused.err.trimEnd().split("\n");
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(lines[0]).toMatch(/^gatehouse: Conflict: emergencyAccessExposure: .*emergency-access accounts/);
    expect(lines.at(-1)).toBe(
      "gatehouse: the guard rails refused the change; fix the policy, or rerun with --allow-unsafe-policy to make it anyway (audited)",
    );
    expect((await api("GET", POLICIES)).json.value).toEqual([]);

    const forced = await cli(["policies", "create", file, "--server", server, "--allow-unsafe-policy"]);
    expect(forced.code, forced.err).toBe(0);
    expect(forced.out).toMatch(/^Created policy "CA02 - Block Payroll" \(\S+\), state enabled\n$/);
    expect(forced.err).toMatch(/^gatehouse: warning: emergencyAccessExposure: Acknowledged: /);

    // An invalid policy: the server's 400, its findings one line each.
    const badName = await writeJson(join(dir, "bad-name.json"), payrollPolicy("Payroll without the naming standard"));
    const invalid = await cli(["policies", "create", badName, "--server", server]);
    expect(invalid.code).toBe(1);
    expect(invalid.err).toMatch(/^gatehouse: BadRequest: namingStandard: .*\n$/);
  });

  it("sends If-Match: a change made between the read and the write is not overwritten (412, exit 1)", async () => {
    await deleteAllPolicies();
    const created = await api("POST", POLICIES, payrollPolicy("CA03 - Raced"));
    const id = created.json.id as string;
    // Someone else renames the policy right after the command read it.
    const racing: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if ((init?.method ?? "GET") === "GET" && String(input).endsWith(id)) {
        expect((await api("PATCH", `${POLICIES}/${id}`, { displayName: "CA03 - Renamed by someone else" })).status).toBe(204);
      }
      return response;
    };
    const io = createBufferedIo({ env });
    const code = await runRemote(io, () => runPoliciesSetState("enable", id, { server }, io, { fetch: racing }), unsafeHint);
    expect(code).toBe(1);
    expect(io.stderrText()).toMatch(
      /^gatehouse: PreconditionFailed: The policy '.*' changed since it was read .*\ngatehouse: the policy changed since it was read; run the command again\n$/,
    );
    const stored = (await api("GET", `${POLICIES}/${id}`)).json;
    expect(stored).toMatchObject({ displayName: "CA03 - Renamed by someone else", state: "enabledForReportingButNotEnforced" });
  });

  it("answers errors with one line and the documented exit codes", async () => {
    // Access denied (403): exit 1.
    const policyFile = await writeJson(join(dir, "denied.json"), payrollPolicy("CA04 - Denied"));
    const denied = await cli(["policies", "create", policyFile, "--server", server], readerEnv);
    expect(denied.code).toBe(1);
    expect(denied.err).toMatch(/^gatehouse: Authorization_RequestDenied: [^\n]+\n$/);
    // Nothing listens: exit 3, one line naming the server.
    const port = await closedPort();
    const downEnv = (await signIn(join(dir, "config-down"), "global.admin@contoso.example")).env;
    await saveServerCredentials(downEnv, {
      server: `http://127.0.0.1:${port}`,
      issuer: "x",
      tokenEndpoint: "x",
      revocationEndpoint: null,
      clientId: GATEHOUSE_CLI_CLIENT_ID,
      accessToken: "a.b.c",
      accessTokenExpiresAt: new Date(Date.now() + 3_600_000).toISOString(),
      refreshToken: null,
      account: "x",
      signedInDateTime: new Date().toISOString(),
    });
    const down = await cli(["policies", "list", "--server", `http://127.0.0.1:${port}`], downEnv);
    expect(down).toEqual({ code: 3, out: "", err: `gatehouse: cannot reach http://127.0.0.1:${port}: ECONNREFUSED\n` });
    // Not signed in to that server: exit 3 with what to do.
    const notSignedIn = await cli(["policies", "list", "--server", `http://127.0.0.1:${port}`]);
    expect(notSignedIn.code).toBe(3);
    expect(notSignedIn.err).toBe(
      `gatehouse: you are not signed in to http://127.0.0.1:${port}; run gatehouse login --server http://127.0.0.1:${port} again\n`,
    );
    // A token the server does not accept (401): exit 3.
    const forgedEnv = { GATEHOUSE_CONFIG_DIR: join(dir, "config-forged") };
    await saveServerCredentials(forgedEnv, {
      server,
      issuer: "x",
      tokenEndpoint: "x",
      revocationEndpoint: null,
      clientId: GATEHOUSE_CLI_CLIENT_ID,
      accessToken: "forged.token.value",
      accessTokenExpiresAt: new Date(Date.now() + 3_600_000).toISOString(),
      refreshToken: null,
      account: "x",
      signedInDateTime: new Date().toISOString(),
    });
    const forged = await cli(["policies", "list"], forgedEnv);
    expect(forged.code).toBe(3);
    expect(forged.err).toMatch(
      new RegExp(`^gatehouse: InvalidAuthenticationToken: [^\\n]+; run gatehouse login --server ${server} again\\n$`),
    );
    // Usage: no server can be chosen (exit 2); the only signed-in server is the default; GATEHOUSE_SERVER wins.
    const none = await cli(["policies", "list"], { GATEHOUSE_CONFIG_DIR: join(dir, "config-none") });
    expect(none).toEqual({
      code: 2,
      out: "",
      err: "gatehouse: missing --server URL (or GATEHOUSE_SERVER); you are not signed in to any server (gatehouse login --server URL)\n",
    });
    expect((await cli(["policies", "list", "--json"])).code).toBe(0);
    const two = await cli(["policies", "list"], downEnv);
    expect(two.code).toBe(2);
    expect(two.err).toMatch(/^gatehouse: missing --server URL: you are signed in to 2 servers/);
    expect((await cli(["policies", "list", "--json"], { ...downEnv, GATEHOUSE_SERVER: server })).code).toBe(0);
    // A proxy's 502 without a Graph body: exit 3, one line.
    const proxy: typeof fetch = async () => new Response("<html>Bad Gateway</html>", { status: 502 });
    const io = createBufferedIo({ env });
    expect(await runRemote(io, () => runPoliciesList({ server }, io, { fetch: proxy }))).toBe(3);
    expect(io.stderrText()).toBe("gatehouse: HTTP 502\n");
    const badUrl = await cli(["policies", "list", "--server", "ftp://x"]);
    expect(badUrl.code).toBe(2);
    const missingFile = await cli(["policies", "create", join(dir, "nope.json"), "--server", server]);
    expect(missingFile).toEqual({ code: 2, out: "", err: `gatehouse: cannot read ${join(dir, "nope.json")}: no such file or directory\n` });
  });
});

describe("gatehouse policies apply", () => {
  it("shows a plan, applies it with --yes, and then has nothing to change", async () => {
    await deleteAllPolicies();
    const keep = (await api("POST", POLICIES, payrollPolicy("CA10 - Payroll MFA"))).json as { id: string };
    const stale = (await api("POST", POLICIES, payrollPolicy("CA11 - Old policy"))).json as { id: string };
    const folder = join(dir, "apply-1");
    await mkdir(join(folder, "nested"), { recursive: true });
    // Matched by displayName (no id), with two changes.
    await writeJson(join(folder, "payroll.json"), {
      ...payrollPolicy("CA10 - Payroll MFA", "enabled"),
      grantControls: { operator: "OR", builtInControls: ["mfa", "compliantDevice"] },
    });
    // New, in a sub-folder, in PascalCase as some exports write it.
    await writeJson(join(folder, "nested", "portal.json"), {
      DisplayName: "CA12 - Portal MFA",
      State: "enabledForReportingButNotEnforced",
      Conditions: {
        ClientAppTypes: ["all"],
        Applications: { IncludeApplications: [PORTAL] },
        Users: { IncludeUsers: ["All"], ExcludeGroups: [IDS.emergencyGroup], ExcludeUsers: [IDS.breakGlass1] },
      },
      GrantControls: { Operator: "OR", BuiltInControls: ["mfa"] },
    });

    const plan = await cli(["policies", "apply", folder, "--server", server, "--plan-only"]);
    expect(plan.err).toBe("");
    expect(plan.code).toBe(4);
    expect(plan.out).toBe(
      [
        `Plan for ${server} from ${folder}:`,
        `  + create "CA12 - Portal MFA" (${join(folder, "nested", "portal.json")})`,
        `  ~ update "CA10 - Payroll MFA" (${keep.id})`,
        `      state: "enabledForReportingButNotEnforced" -> "enabled"`,
        `      grantControls.builtInControls: ["mfa"] -> ["mfa","compliantDevice"]`,
        "Plan: 1 to create, 1 to update, 0 to delete, 0 unchanged.",
        `1 policy on the server is not in ${folder} and kept (--prune deletes it).`,
        "",
      ].join("\n"),
    );
    const asJson = JSON.parse((await cli(["policies", "apply", folder, "--server", server, "--plan-only", "--json"])).out);
    expect(asJson).toMatchObject({
      server,
      changes: [
        { action: "create", id: null, displayName: "CA12 - Portal MFA" },
        { action: "update", id: keep.id, changes: [{ path: "state" }, { path: "grantControls.builtInControls" }] },
      ],
      unchanged: [],
      notManaged: [{ id: stale.id, displayName: "CA11 - Old policy" }],
    });
    // No terminal and no --yes: nothing is changed (exit 2); --json needs --yes or --plan-only.
    const noTty = await cli(["policies", "apply", folder, "--server", server]);
    expect(noTty.code).toBe(2);
    expect(noTty.err).toMatch(/^gatehouse: stdin is not a terminal: rerun with --yes/);
    expect((await cli(["policies", "apply", folder, "--server", server, "--json"])).code).toBe(2);
    expect((await api("GET", `${POLICIES}/${keep.id}`)).json.state).toBe("enabledForReportingButNotEnforced");

    const applied = await cli(["policies", "apply", folder, "--server", server, "--yes"]);
    expect(applied.code, applied.err).toBe(0);
    expect(applied.out).toMatch(
      /\+ created "CA12 - Portal MFA" \(\S+\)\n~ updated "CA10 - Payroll MFA" \(\S+\)\nApply complete: 2 changes\.\n$/,
    );
    const after = (await api("GET", POLICIES)).json.value as { displayName: string; state: string; grantControls: unknown }[];
    expect(after.map((p) => p.displayName).sort()).toEqual(["CA10 - Payroll MFA", "CA11 - Old policy", "CA12 - Portal MFA"]);
    expect(after.find((p) => p.displayName === "CA10 - Payroll MFA")).toMatchObject({
      state: "enabled",
      grantControls: { builtInControls: ["mfa", "compliantDevice"] },
    });

    const nothing = await cli(["policies", "apply", folder, "--server", server, "--plan-only"]);
    expect(nothing.code).toBe(0);
    expect(nothing.out).toContain("Plan: 0 to create, 0 to update, 0 to delete, 2 unchanged.\n");
    expect(nothing.out).toMatch(/No changes: the server's policies match\.\n$/);

    // --prune deletes what no file holds; the interactive answer decides.
    const prune = (answer: boolean | null) =>
      (async () => {
        const io = createBufferedIo({ env });
        const code = await runPoliciesApply(folder, { server, prune: true }, io, {
          confirm: async (question) => {
            questions.push(question);
            return answer;
          },
        });
        return { code, out: io.stdoutText(), err: io.stderrText() };
      })();
    const questions: string[] = [];
    const cancelled = await prune(false);
    expect(questions).toEqual([`Apply this change to ${server}? Only 'yes' is accepted: `]);
    expect(cancelled.code).toBe(1);
    expect(cancelled.out).toContain(`  - delete "CA11 - Old policy" (${stale.id})\n`);
    expect(cancelled.err).toBe("gatehouse: apply cancelled; nothing was changed\n");
    expect((await api("GET", `${POLICIES}/${stale.id}`)).status).toBe(200);
    const confirmed = await prune(true);
    expect(confirmed.code, confirmed.err).toBe(0);
    expect(confirmed.out).toContain(`- deleted "CA11 - Old policy" (${stale.id})\n`);
    expect((await api("GET", `${POLICIES}/${stale.id}`)).status).toBe(404);
  });

  it("matches by id first, stops at the first refusal and reports what was done", async () => {
    await deleteAllPolicies();
    const existing = (await api("POST", POLICIES, payrollPolicy("CA20 - Named on the server"))).json as { id: string };
    const folder = join(dir, "apply-2");
    await mkdir(folder, { recursive: true });
    // Same id, another name: an update of the name.
    await writeJson(join(folder, "a.json"), { ...payrollPolicy("CA20 - Renamed in the file"), id: existing.id });
    await writeJson(join(folder, "b.json"), payrollPolicy("CA21 - Created first"));
    await writeJson(join(folder, "c.json"), exposingPolicy("CA22 - Refused by the guard rails"));
    const result = await cli(["policies", "apply", folder, "--server", server, "--yes"]);
    expect(result.code).toBe(1);
    expect(result.out).toContain(`  ~ update "CA20 - Renamed in the file" (${existing.id})\n`);
    expect(result.out).toContain(`      displayName: "CA20 - Named on the server" -> "CA20 - Renamed in the file"\n`);
    expect(result.out).toMatch(/\+ created "CA21 - Created first" \(\S+\)\n$/);
    const err = result.err.trimEnd().split("\n");
    expect(err[0]).toMatch(/^gatehouse: apply stopped after 1 of 3 changes \(created \S+\); the rest was not applied$/);
    expect(err[1]).toMatch(/^gatehouse: Conflict: emergencyAccessExposure: /);
    expect(err.at(-1)).toMatch(/--allow-unsafe-policy/);
    const names = ((await api("GET", POLICIES)).json.value as { displayName: string }[]).map((p) => p.displayName).sort();
    expect(names).toEqual(["CA20 - Named on the server", "CA21 - Created first"]);

    // With the acknowledgement the rest goes through, and the JSON says what was applied.
    const forced = JSON.parse(
      (await cli(["policies", "apply", folder, "--server", server, "--yes", "--allow-unsafe-policy", "--json"])).out,
    );
    expect(forced.applied.map((a: { action: string }) => a.action)).toEqual(["create", "update"]);
    expect(forced.unchanged.map((u: { displayName: string }) => u.displayName)).toEqual(["CA21 - Created first"]);
  });

  it("stops when a planned policy changed on the server before the apply reached it", async () => {
    await deleteAllPolicies();
    const id = ((await api("POST", POLICIES, payrollPolicy("CA25 - Planned"))).json as { id: string }).id;
    const folder = join(dir, "apply-race");
    await mkdir(folder, { recursive: true });
    await writeJson(join(folder, "planned.json"), { ...payrollPolicy("CA25 - Planned", "enabled"), id });
    // Someone else changes the policy right after the command listed the policies for its plan.
    const racing: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if ((init?.method ?? "GET") === "GET" && new URL(String(input)).pathname === POLICIES) {
        expect((await api("PATCH", `${POLICIES}/${id}`, { displayName: "CA25 - Changed meanwhile" })).status).toBe(204);
      }
      return response;
    };
    const io = createBufferedIo({ env });
    // Not a refusal of the server: the CLI's one-line error (exit 1), after what was done.
    await expect(runPoliciesApply(folder, { server, yes: true }, io, { fetch: racing })).rejects.toMatchObject({
      exitCode: 1,
      message: `the policy "CA25 - Changed meanwhile" (${id}) changed on the server since the plan; run the apply again`,
    });
    expect(io.stdoutText()).toContain(`  ~ update "CA25 - Planned" (${id})\n`);
    expect(io.stderrText()).toBe("gatehouse: apply stopped after 0 of 1 changes (nothing was changed); the rest was not applied\n");
    expect((await api("GET", `${POLICIES}/${id}`)).json).toMatchObject({
      displayName: "CA25 - Changed meanwhile",
      state: "enabledForReportingButNotEnforced",
    });
  });

  it("refuses invalid files and ambiguous matches before changing anything (exit 1)", async () => {
    await deleteAllPolicies();
    const folder = join(dir, "apply-3");
    await mkdir(folder, { recursive: true });
    await writeJson(join(folder, "bad.json"), {
      ...payrollPolicy("CA30 - Placeholder"),
      conditions: { applications: { includeApplications: ["All"] }, users: { includeGroups: ["<EmergencyAccessAccountsGroup>"] } },
    });
    const invalid = await cli(["policies", "apply", folder, "--server", server, "--yes"]);
    expect(invalid.code).toBe(1);
    expect(invalid.out).toBe("");
    expect(invalid.err).toContain(`gatehouse: ${join(folder, "bad.json")}: $.conditions.users.includeGroups[0]: error `);
    expect(invalid.err).toMatch(/validation errors? in .*; nothing was changed\n$/);

    await api("POST", POLICIES, payrollPolicy("CA31 - Twice"));
    await api("POST", POLICIES, payrollPolicy("CA31 - Twice"));
    await writeJson(join(folder, "bad.json"), payrollPolicy("CA31 - Twice"));
    const ambiguous = await cli(["policies", "apply", folder, "--server", server, "--yes"]);
    expect(ambiguous.code).toBe(1);
    expect(ambiguous.err).toMatch(/"CA31 - Twice" matches 2 policies on .*; give the file the id of one\n$/);
    expect(((await api("GET", POLICIES)).json.value as unknown[]).length).toBe(2);
  });
});

describe("gatehouse policies apply on an export", () => {
  it("reads the tenant folder gatehouse export writes (policies/ only) and finds nothing to change", async () => {
    await deleteAllPolicies();
    await api("POST", POLICIES, payrollPolicy("CA50 - Exported one"));
    await api("POST", POLICIES, payrollPolicy("CA51 - Exported two", "disabled"));
    const folder = join(dir, "export");
    await exportTenant(t.store, folder);
    const plan = await cli(["policies", "apply", folder, "--server", server, "--plan-only"]);
    expect(plan.err).toBe("");
    expect(plan.code).toBe(0);
    expect(plan.out).toContain("Plan: 0 to create, 0 to update, 0 to delete, 2 unchanged.\n");
    // An edit of one exported file is the only change.
    const files = (await readdir(join(folder, "policies"))).sort();
    const first = join(folder, "policies", files[0] as string);
    await writeJson(first, { ...JSON.parse(await readFile(first, "utf8")), state: "enabled" });
    const edited = JSON.parse((await cli(["policies", "apply", folder, "--server", server, "--plan-only", "--json"])).out);
    expect(edited.changes).toEqual([
      expect.objectContaining({
        action: "update",
        file: first,
        changes: [{ path: "state", before: expect.any(String), after: "enabled" }],
      }),
    ]);
  });
});

describe("gatehouse whatif --server", () => {
  it("prints the same { value, decision } and table as the offline whatif on the same tenant", async () => {
    await deleteAllPolicies();
    await api("POST", POLICIES, payrollPolicy("CA40 - Payroll MFA", "enabled"));
    await api("POST", POLICIES, { ...payrollPolicy("CA41 - Payroll off", "disabled") });
    const snapshot = join(dir, "snapshot.json");
    await writeJson(snapshot, await t.store.loadTenantSnapshot());
    const request = await writeJson(join(dir, "request.json"), {
      signInIdentity: { "@odata.type": "#microsoft.graph.userSignIn", userId: IDS.plainUser },
      signInContext: { "@odata.type": "#microsoft.graph.applicationContext", includeApplications: [PAYROLL] },
      signInConditions: { clientAppType: "browser", devicePlatform: "windows", ipAddress: "203.0.113.7" },
      satisfied: { authenticationMethods: ["password"] },
    });
    const remote = await cli(["whatif", "--server", server, "--request", request, "--json"]);
    expect(remote.code, remote.err).toBe(0);
    const offline = await cli(["whatif", "--tenant", snapshot, "--request", request, "--json"]);
    expect(offline.code, offline.err).toBe(0);
    const answer = JSON.parse(remote.out);
    expect(answer.decision.outcome).toBe("challenge");
    expect(answer).toEqual(JSON.parse(offline.out));
    const table = await cli(["whatif", "--server", server, "--request", request]);
    expect(table.code).toBe(0);
    expect(table.out).toBe((await cli(["whatif", "--tenant", snapshot, "--request", request])).out);
    expect(table.out).toMatch(/^Decision: challenge \(required, in order: mfa\)/);
    // GATEHOUSE_SERVER without --tenant is remote too.
    expect((await cli(["whatif", "--request", request, "--json"], { ...env, GATEHOUSE_SERVER: server })).out).toBe(remote.out);

    // Invalid: the offline message, exit 1; NDJSON answers one line each.
    const bad = await writeJson(join(dir, "bad-request.json"), { signInIdentity: { "@odata.type": "#microsoft.graph.userSignIn" } });
    const invalid = await cli(["whatif", "--server", server, "--request", bad]);
    expect(invalid.code).toBe(1);
    expect(invalid.err).toMatch(new RegExp(`^gatehouse: ${bad.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: invalid request: `));
    const ndjson = join(dir, "requests.ndjson");
    const line = JSON.stringify(JSON.parse(await readFile(request, "utf8")));
    await writeFile(ndjson, `${line}\n\n{not json\n${line}\n`);
    const many = await cli(["whatif", "--server", server, "--requests", ndjson]);
    expect(many.code).toBe(1);
    const answers = many.out
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(answers).toHaveLength(3);
    expect(answers[0]).toEqual(answer);
    expect(answers[1]).toEqual({ error: { code: "invalidRequest", message: expect.stringMatching(/^line 3: /) } });
    expect(answers[2]).toEqual(answer);
    const offlineMany = await cli(["whatif", "--tenant", snapshot, "--requests", ndjson]);
    // The same answers (the server writes the members of a policy in its stored order).
    const parse = (text: string) =>
      text
        .trimEnd()
        .split("\n")
        .map((l) => JSON.parse(l));
    expect(parse(many.out)).toEqual(parse(offlineMany.out));
    // Usage errors.
    expect((await cli(["whatif", "--server", server, "--tenant", snapshot, "--request", request])).code).toBe(2);
    expect((await cli(["whatif", "--request", request])).err).toBe("gatehouse: required option '--tenant <path>' not specified\n");
  });
});

describe("gatehouse signins list", () => {
  it("filters on the server, pages with --all, and prints a table or Graph records", async () => {
    const compiled = compileTenant(await t.store.loadTenantSnapshot());
    const now = Date.now();
    const record = (id: string, minutesAgo: number, userId: string, appId: string, methods: string[]): SignInLogEntry => {
      const request: WhatIfRequest = {
        signInIdentity: { "@odata.type": "#microsoft.graph.userSignIn", userId },
        signInContext: { "@odata.type": "#microsoft.graph.applicationContext", includeApplications: [appId] },
        signInConditions: { clientAppType: "browser", devicePlatform: "windows", ipAddress: "203.0.113.7", country: "NL" },
        satisfied: { authenticationMethods: methods },
      };
      return toSignInLogEntry({
        tenant: compiled,
        request,
        evaluation: evaluateSignIn(compiled, request),
        id,
        createdDateTime: new Date(now - minutesAgo * 60_000).toISOString(),
        correlationId: `corr-${id}`,
      });
    };
    const entries = [
      record("s-1", 5, IDS.plainUser, PAYROLL, ["password"]),
      record("s-2", 60, IDS.plainUser, PAYROLL, ["password", "microsoftAuthenticatorPush"]),
      record("s-3", 120, IDS.caAdmin, PORTAL, ["password"]),
      record("s-4", 3 * 24 * 60, IDS.plainUser, PORTAL, ["password"]),
    ];
    for (const e of entries) await t.store.signIns.append(e);
    const statusOf = (id: string) => entries.find((e) => e.id === id)?.conditionalAccessStatus;
    expect(statusOf("s-1")).toBe("failure");
    expect(statusOf("s-2")).toBe("success");

    const all = await cli(["signins", "list", "--server", server]);
    expect(all.code, all.err).toBe(0);
    const lines = all.out.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^TIME\s+USER\s+APP\s+CA STATUS\s+ERROR\s+IP\s+LOCATION$/);
    expect(lines[1]).toMatch(/^\S+Z\s+user@contoso\.example\s+\S.*\s+failure\s+\d+\s+203\.0\.113\.7\s+NL$/);
    expect(lines.at(-1)).toBe("4 sign-ins");

    const ids = async (args: string[]) =>
      (JSON.parse((await cli(["signins", "list", "--server", server, "--json", ...args])).out).value as { id: string }[]).map((r) => r.id);
    expect(await ids([])).toEqual(["s-1", "s-2", "s-3", "s-4"]);
    expect(await ids(["--user", IDS.plainUser])).toEqual(["s-1", "s-2", "s-4"]);
    expect(await ids(["--user", "user@contoso.example", "--app", PAYROLL])).toEqual(["s-1", "s-2"]);
    expect(await ids(["--status", "success"])).toEqual(["s-2"]);
    expect(await ids(["--last", "24h"])).toEqual(["s-1", "s-2", "s-3"]);
    expect(await ids(["--since", new Date(now - 90 * 60_000).toISOString()])).toEqual(["s-1", "s-2"]);

    const firstPage = JSON.parse((await cli(["signins", "list", "--server", server, "--json", "--top", "3"])).out);
    expect(firstPage.value.map((r: { id: string }) => r.id)).toEqual(["s-1", "s-2", "s-3"]);
    expect(firstPage["@odata.nextLink"]).toMatch(/(\$|%24)skiptoken=/);
    expect(await ids(["--top", "3", "--all"])).toEqual(["s-1", "s-2", "s-3", "s-4"]);
    const paged = await cli(["signins", "list", "--server", server, "--top", "1", "--user", IDS.plainUser]);
    expect(paged.out).toMatch(/\n1 sign-in \(more on the server: --all, or --top up to 999\)\n$/);

    // Usage errors (exit 2), an unknown user (exit 1); a Security Reader may read the logs.
    for (const args of [
      ["--status", "blocked"],
      ["--last", "yesterday"],
      ["--since", "tuesday"],
      ["--top", "0"],
      ["--since", "2026-01-01", "--last", "1h"],
    ]) {
      const r = await cli(["signins", "list", "--server", server, ...args]);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.err).toMatch(/^gatehouse: [^\n]+\n$/);
    }
    const unknown = await cli(["signins", "list", "--server", server, "--user", "nobody@contoso.example"]);
    expect(unknown).toEqual({ code: 1, out: "", err: `gatehouse: there is no user nobody@contoso.example on ${server}\n` });
    const reader = await cli(["signins", "list", "--server", server, "--json"], readerEnv);
    expect(reader.code).toBe(0);
  });
});

describe("help of the remote commands", () => {
  it("lists the policy commands and documents the exit codes scripts rely on", async () => {
    const help = await cli(["policies", "--help"]);
    expect(help.code).toBe(0);
    for (const name of ["list", "get", "create", "update", "delete", "enable", "disable", "report-only", "apply"]) {
      expect(help.out).toMatch(new RegExp(`^  ${name}\\b`, "m"));
    }
    for (const args of [
      ["policies", "apply", "--help"],
      ["policies", "enable", "--help"],
      ["signins", "list", "--help"],
    ]) {
      const text = (await cli(args)).out;
      expect(text, args.join(" ")).toContain("Exit codes:");
      expect(text).toMatch(/^ {2}4 {2}apply --plan-only: the plan has changes$/m);
      expect(text).toContain("$GATEHOUSE_SERVER");
    }
    expect((await cli(["whatif", "--help"])).out).toContain("--server <url>");
  });
});
