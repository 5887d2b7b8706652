import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { bundledDatabasePath } from "@gatehouse/geoip";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createBufferedIo } from "../../../cli/src/cli-io.js";
import { runCli } from "../../../cli/src/main.js";
import { createServer } from "../create-server.js";
import { call, createTestTenant, IDS, type TestTenant } from "../test-server.js";
import { CommandFailure, EXIT } from "./command-io.js";
import { registerServerCommands } from "./index.js";
import { openServeCountryLookup, runServe } from "./serve-command.js";

const CONDITIONAL_ACCESS = "/v1.0/identity/conditionalAccess";
const NL_ADDRESS = "193.0.6.139"; // www.ripe.net (RIPE NCC, Amsterdam): NL in the bundled data

describe("createServer({ lookupCountry })", () => {
  let t: TestTenant;
  const looked: string[] = [];
  const stub = (ip: string): string | null => {
    looked.push(ip);
    return ip === "192.0.2.77" ? "NL" : ip === "198.51.100.9" ? "US" : null;
  };

  beforeAll(async () => {
    t = await createTestTenant();
    const location = await call(t.app, "POST", `${CONDITIONAL_ACCESS}/namedLocations`, {
      token: t.tokens.caAdmin,
      body: {
        "@odata.type": "#microsoft.graph.countryNamedLocation",
        displayName: "Netherlands",
        countriesAndRegions: ["NL"],
        countryLookupMethod: "clientIpAddress",
        includeUnknownCountriesAndRegions: false,
      },
    });
    expect(location.status).toBe(201);
    const policy = await call(t.app, "POST", `${CONDITIONAL_ACCESS}/policies`, {
      token: t.tokens.caAdmin,
      headers: { prefer: "allow-unsafe-policy" },
      body: {
        displayName: "CA41 - Block outside the Netherlands",
        state: "enabled",
        conditions: {
          clientAppTypes: ["all"],
          applications: { includeApplications: ["All"] },
          users: { includeUsers: ["All"], excludeUsers: [IDS.breakGlass1, IDS.caAdmin], excludeGroups: [IDS.emergencyGroup] },
          locations: { includeLocations: ["All"], excludeLocations: [location.json.id] },
        },
        grantControls: { operator: "OR", builtInControls: ["block"] },
      },
    });
    expect(policy.status).toBe(201);
  });
  afterAll(async () => {
    await t.close();
  });

  const request = (conditions: Record<string, unknown>) => ({
    signInIdentity: { "@odata.type": "#microsoft.graph.userSignIn", userId: IDS.plainUser },
    signInContext: { "@odata.type": "#microsoft.graph.applicationContext", includeApplications: ["00000003-0000-0000-c000-000000000000"] },
    signInConditions: { clientAppType: "browser", devicePlatform: "windows", ...conditions },
  });

  async function outcome(app: TestTenant["app"], conditions: Record<string, unknown>): Promise<string> {
    const res = await call(app, "POST", `${CONDITIONAL_ACCESS}/evaluate`, { token: t.tokens.securityReader, body: request(conditions) });
    expect(res.status).toBe(200);
    return res.json.decision.outcome as string;
  }

  it("maps a request's ipAddress (no country) through lookupCountry", async () => {
    const app = await createServer({ store: t.store, lookupCountry: stub });
    try {
      looked.length = 0;
      expect(await outcome(app, { ipAddress: "192.0.2.77" })).toBe("grant");
      expect(looked).toContain("192.0.2.77");
      expect(await outcome(app, { ipAddress: "198.51.100.9" })).toBe("block");
      expect(await outcome(app, { ipAddress: "203.0.113.5" })).toBe("block");
      // A country given in the request wins over the lookup.
      looked.length = 0;
      expect(await outcome(app, { ipAddress: "198.51.100.9", country: "NL" })).toBe("grant");
      expect(looked).toEqual([]);
    } finally {
      await app.close();
    }
  });

  it("without lookupCountry, an address alone maps to no country (the unchanged behaviour)", async () => {
    expect(await outcome(t.app, { ipAddress: "192.0.2.77" })).toBe("block");
    expect(await outcome(t.app, { ipAddress: "192.0.2.77", country: "NL" })).toBe("grant");
  });
});

describe("gatehouse serve --country-db", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "gatehouse-serve-country-"));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("opens the bundled database by default and with the bare flag, a file with PATH, nothing with --no-country-db", async () => {
    for (const value of [undefined, true] as const) {
      const lookup = await openServeCountryLookup(value);
      expect(lookup?.lookupCountry(NL_ADDRESS)).toBe("NL");
      expect(lookup?.description).toMatch(/^bundled IP-to-country database \(built \d{4}-\d{2}-\d{2}\)$/);
    }
    const v4 = join(dirname(bundledDatabasePath()), "iptoasn-country-ipv4.mmdb");
    const custom = await openServeCountryLookup(v4);
    expect(custom?.lookupCountry(NL_ADDRESS)).toBe("NL");
    expect(custom?.description.startsWith(v4)).toBe(true);
    expect(await openServeCountryLookup(false)).toBeUndefined();
  });

  it("refuses a missing database file with a usage error naming it, before opening the store", async () => {
    const missing = join(dir, "nowhere.mmdb");
    const failure = await openServeCountryLookup(missing).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(CommandFailure);
    expect(failure).toMatchObject({ exitCode: EXIT.usage, message: `cannot read country database ${missing}: no such file` });
    const io = createBufferedIo();
    await expect(runServe({ data: join(dir, "data"), countryDb: missing }, io, new AbortController().signal)).rejects.toMatchObject({
      message: expect.stringContaining(missing),
    });
    expect(existsSync(join(dir, "data"))).toBe(false);
  });

  it("serves with the country lookup and says which database it uses", async () => {
    const data = join(dir, "data");
    const init = createBufferedIo({ env: { GATEHOUSE_ADMIN_PASSWORD: "correct horse battery staple" } });
    expect(await runCli(["init", "--data", data, "--admin", "ada@contoso.com"], init, [registerServerCommands])).toBe(0);
    for (const [countryDb, expected] of [
      [undefined, /^Country lookup: bundled IP-to-country database \(built \d{4}-\d{2}-\d{2}\)$/m],
      [false, /^Country lookup: off \(--no-country-db\)$/m],
    ] as const) {
      const io = createBufferedIo();
      const controller = new AbortController();
      const code = await runServe({ data, port: 0, countryDb }, io, controller.signal, () => controller.abort());
      expect(code).toBe(EXIT.ok);
      expect(io.stdoutText()).toMatch(expected);
    }
  });
});
