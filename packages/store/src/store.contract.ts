/**
 * The storage contract: one suite, run against every dialect (`sqlite.test.ts`,
 * `postgres.test.ts`). A new dialect passes it or it is not a store.
 */
import {
  type CompiledTenant,
  type ConditionalAccessPolicy,
  compileTenant,
  decide,
  evaluateSignIn,
  type NamedLocation,
  normalizePolicy,
  normalizeTenant,
  type SignInLogEntry,
  toSignInLogEntry,
  type WhatIfRequest,
} from "@gatehouse/engine";
import { afterEach, describe, expect, it } from "vitest";
import { GatehouseError, type GatehouseErrorCode } from "./gatehouse-error.js";
import { MIGRATIONS } from "./internal/migrations.js";
import { registerKeyCredentialContract } from "./key-credentials.contract.js";
import { registerOidcPayloadContract } from "./oidc-payloads.contract.js";
import { registerSecurityInfoRegistrationContract } from "./security-info-registrations.contract.js";
import { registerSignInThrottleContract } from "./sign-in-throttle.contract.js";
import type { AuditContext, Store, StoreDialect } from "./types.js";

export interface StoreContractDatabase {
  /** Opens a store over this database (again: the same file or schema every time). */
  open(options?: { now?: () => Date }): Promise<Store>;
  /** Removes the database (file or schema). The suite closes its stores first. */
  drop(): Promise<void>;
}

export interface StoreContractTarget {
  dialect: StoreDialect;
  /** A new, empty database for one test. */
  createDatabase(): Promise<StoreContractDatabase>;
}

// ---- Fixtures ---------------------------------------------------------------------------------

const GLOBAL_ADMINISTRATOR = "62e90394-69f5-4237-9190-012177145e10";
const MFA_STRENGTH = "00000000-0000-0000-0000-000000000002";

const admin: AuditContext = {
  initiatedBy: { user: { id: "aaaaaaaa-0000-0000-0000-000000000001", userPrincipalName: "admin@contoso.test" } },
  correlationId: "c0ffee00-0000-0000-0000-000000000001",
};

/** A policy as the server stores it: normalized from Graph JSON, without errors. */
function policy(raw: Record<string, unknown>): ConditionalAccessPolicy {
  const { policy: normalized, issues } = normalizePolicy({
    displayName: "Require MFA",
    state: "enabled",
    conditions: {
      users: { includeUsers: ["All"] },
      applications: { includeApplications: ["All"] },
      clientAppTypes: ["all"],
    },
    grantControls: { operator: "OR", builtInControls: ["mfa"] },
    ...raw,
  });
  const errors = issues.filter((i) => i.severity === "error");
  if (normalized === null || errors.length > 0) throw new Error(`test policy does not normalize: ${JSON.stringify(errors)}`);
  return normalized;
}

const ipLocation = (displayName: string, cidr: string, id = ""): NamedLocation => ({
  "@odata.type": "#microsoft.graph.ipNamedLocation",
  id,
  displayName,
  isTrusted: false,
  ipRanges: [{ "@odata.type": "#microsoft.graph.iPv4CidrRange", cidrAddress: cidr }],
});

const countryLocation = (displayName: string, countries: string[]): NamedLocation => ({
  "@odata.type": "#microsoft.graph.countryNamedLocation",
  id: "",
  displayName,
  countriesAndRegions: countries,
  countryLookupMethod: "clientIpAddress",
  includeUnknownCountriesAndRegions: false,
});

/** A clock that moves one second per reading, so that every write has its own time. */
function steppingClock(start = Date.parse("2025-01-01T00:00:00.000Z")): () => Date {
  let t = start;
  return () => {
    const now = new Date(t);
    t += 1000;
    return now;
  };
}

async function failure(work: Promise<unknown>): Promise<GatehouseError> {
  try {
    await work;
  } catch (error) {
    if (error instanceof GatehouseError) return error;
    throw error;
  }
  throw new Error("expected a GatehouseError, but the operation succeeded");
}

async function expectCode(work: Promise<unknown>, code: GatehouseErrorCode): Promise<GatehouseError> {
  const error = await failure(work);
  expect(error.code, error.message).toBe(code);
  return error;
}

const SIGN_IN_USER = "5a000000-0000-4000-8000-000000000001";
const SIGN_IN_APP = "5b000000-0000-4000-8000-000000000001";
let signInTenant: CompiledTenant | undefined;

/** A real sign-in log record (the engine's `toSignInLogEntry` on a one-policy tenant), with some fields replaced. */
function signInEntry(over: Partial<SignInLogEntry> & { id: string; createdDateTime: string }): SignInLogEntry {
  if (signInTenant === undefined) {
    const { tenant, issues } = normalizeTenant({
      tenantId: "11111111-1111-1111-1111-111111111111",
      users: [{ id: SIGN_IN_USER, userPrincipalName: "alice@contoso.test", displayName: "Alice" }],
      policies: [{ ...policy({}), id: "ffffffff-0000-0000-0000-000000000001" }],
    });
    if (issues.some((i) => i.severity === "error")) throw new Error(`test tenant does not normalize: ${JSON.stringify(issues)}`);
    signInTenant = compileTenant(tenant);
  }
  const request: WhatIfRequest = {
    signInIdentity: { "@odata.type": "#microsoft.graph.userSignIn", userId: SIGN_IN_USER },
    signInContext: { "@odata.type": "#microsoft.graph.applicationContext", includeApplications: [SIGN_IN_APP] },
    signInConditions: { clientAppType: "browser", devicePlatform: "windows", ipAddress: "203.0.113.7" },
    satisfied: { authenticationMethods: ["password"] },
  };
  const entry = toSignInLogEntry({
    tenant: signInTenant,
    request,
    evaluation: evaluateSignIn(signInTenant, request),
    id: over.id,
    createdDateTime: over.createdDateTime,
    correlationId: over.correlationId ?? `corr-${over.id}`,
  });
  return { ...entry, ...over };
}

// ---- The suite --------------------------------------------------------------------------------

export function registerStoreContract(target: StoreContractTarget): void {
  registerOidcPayloadContract(target);
  registerKeyCredentialContract(target);
  registerSignInThrottleContract(target);
  registerSecurityInfoRegistrationContract(target);
  const opened: Store[] = [];
  const databases: StoreContractDatabase[] = [];

  afterEach(async () => {
    for (const store of opened.splice(0)) await store.close();
    for (const database of databases.splice(0)) await database.drop();
  });

  async function newDatabase(): Promise<StoreContractDatabase> {
    const database = await target.createDatabase();
    databases.push(database);
    return database;
  }

  async function open(database: StoreContractDatabase, options?: { now?: () => Date }): Promise<Store> {
    const store = await database.open(options);
    opened.push(store);
    return store;
  }

  async function freshStore(options?: { now?: () => Date }): Promise<Store> {
    return open(await newDatabase(), options);
  }

  describe(`store contract (${target.dialect})`, () => {
    describe("opening and migrations", () => {
      it("reports its dialect and runs every known migration at open", async () => {
        const store = await freshStore();
        expect(store.dialect).toBe(target.dialect);
        const migrations = await store.migrations();
        expect(migrations.map((m) => m.name)).toEqual(Object.keys(MIGRATIONS).sort());
        expect(migrations.map((m) => m.name)).toEqual(
          expect.arrayContaining(["0001_initial", "0002_sign_in_logs", "0003_authentication_methods", "0007_security_info_registrations"]),
        );
        expect(migrations.every((m) => m.executedAt instanceof Date)).toBe(true);
      });

      it("runs no migration again when the same database is reopened", async () => {
        const database = await newDatabase();
        const first = await open(database);
        const before = await first.migrations();
        await first.close();
        const second = await open(database);
        const after = await second.migrations();
        expect(after.map((m) => [m.name, m.executedAt?.toISOString()])).toEqual(before.map((m) => [m.name, m.executedAt?.toISOString()]));
        const third = await open(database);
        expect((await third.migrations()).length).toBe(before.length);
      });

      it("keeps every kind of object across close and reopen", async () => {
        const database = await newDatabase();
        const store = await open(database);
        await store.tenant.put({
          tenantId: "11111111-1111-1111-1111-111111111111",
          displayName: "Contoso",
          emergencyAccessUserIds: ["bg"],
        });
        const user = await store.users.create({
          userPrincipalName: "alice@contoso.test",
          displayName: "Alice",
          passwordHash: "$argon2id$hash",
        });
        const group = await store.groups.create({ displayName: "Staff" });
        await store.groups.addMember(group.id, user.id);
        await store.roleAssignments.create({ roleTemplateId: GLOBAL_ADMINISTRATOR, principalId: user.id });
        const app = await store.applications.create({ displayName: "Portal", redirectUris: ["https://portal.contoso.test/cb"] });
        const credential = await store.applications.addPasswordCredential(app.id, { secretHash: "$argon2id$secret", hint: "xyz" });
        await store.servicePrincipals.create({ appId: app.appId, displayName: "Portal", customSecurityAttributes: { A_B: ["1", "2"] } });
        const location = await store.namedLocations.create(ipLocation("Office", "203.0.113.0/24"));
        await store.authenticationStrengths.create({
          id: "",
          displayName: "Keys",
          policyType: "custom",
          requirementsSatisfied: "mfa",
          allowedCombinations: ["fido2"],
        });
        const context = await store.authenticationContexts.create({
          id: "c3",
          displayName: "Payroll",
          description: null,
          isAvailable: true,
        });
        const created = await store.policies.create(
          policy({
            displayName: "Durable",
            conditions: {
              users: { includeGroups: [group.id] },
              applications: { includeApplications: ["All"] },
              locations: { includeLocations: [location.id] },
            },
          }),
          { audit: admin },
        );
        const snapshot = await store.loadTenantSnapshot();
        const tenant = await store.tenant.get();
        const audit = await store.audit.list();
        await store.close();

        const reopened = await open(database);
        expect(await reopened.loadTenantSnapshot()).toEqual(snapshot);
        expect(await reopened.tenant.get()).toEqual(tenant);
        expect(await reopened.users.get(user.id)).toEqual(user);
        expect(await reopened.users.getPasswordHash(user.id)).toBe("$argon2id$hash");
        expect(await reopened.groups.listMembers(group.id)).toEqual([{ id: user.id, type: "user" }]);
        expect(await reopened.applications.get(app.id)).toEqual(app);
        expect(await reopened.applications.listPasswordCredentials(app.id)).toEqual([credential]);
        expect((await reopened.applications.listClientSecretHashes(app.appId)).map((h) => h.secretHash)).toEqual(["$argon2id$secret"]);
        expect(await reopened.authenticationContexts.get("c3")).toEqual(context);
        expect(await reopened.policies.get(created.policy.id)).toEqual(created);
        expect(await reopened.audit.list()).toEqual(audit);
        expect(audit.value).toHaveLength(1);
      });

      it("can be closed twice", async () => {
        const store = await freshStore();
        await store.close();
        await expect(store.close()).resolves.toBeUndefined();
      });
    });

    describe("tenant settings", () => {
      it("are null until put, then round trip with defaults for what was not given", async () => {
        const store = await freshStore({ now: steppingClock() });
        expect(await store.tenant.get()).toBeNull();
        const put = await store.tenant.put({ tenantId: "11111111-1111-1111-1111-111111111111", displayName: "Contoso" });
        expect(put).toEqual({
          tenantId: "11111111-1111-1111-1111-111111111111",
          displayName: "Contoso",
          emergencyAccessUserIds: [],
          emergencyAccessGroupIds: [],
          namingStandardPattern: null,
          settings: {},
          modifiedDateTime: "2025-01-01T00:00:00.000Z",
        });
        expect(await store.tenant.get()).toEqual(put);
      });

      it("are replaced as a whole by the next put", async () => {
        const store = await freshStore();
        await store.tenant.put({ tenantId: "t1", displayName: "Contoso", namingStandardPattern: "^CA\\d{3} " });
        const second = await store.tenant.put({
          tenantId: "t1",
          displayName: "Contoso Ltd",
          emergencyAccessUserIds: ["u1", "u2"],
          emergencyAccessGroupIds: ["g1"],
          settings: { reportOnlyByDefault: true, nested: { a: [1, 2] } },
        });
        expect(await store.tenant.get()).toEqual(second);
        expect(second.namingStandardPattern).toBeNull();
        expect(second.settings).toEqual({ reportOnlyByDefault: true, nested: { a: [1, 2] } });
      });
    });

    describe("users", () => {
      it("are created with defaults, read, updated and deleted", async () => {
        const store = await freshStore({ now: steppingClock() });
        const user = await store.users.create({ userPrincipalName: "alice@contoso.test", displayName: "Alice" });
        expect(user).toEqual({
          id: expect.stringMatching(/^[0-9a-f-]{36}$/),
          userPrincipalName: "alice@contoso.test",
          displayName: "Alice",
          userType: "Member",
          accountEnabled: true,
          externalUserType: null,
          externalTenantId: null,
          createdDateTime: "2025-01-01T00:00:00.000Z",
        });
        expect(await store.users.get(user.id)).toEqual(user);

        const updated = await store.users.update(user.id, { displayName: "Alice Smith", accountEnabled: false, userType: "Guest" });
        expect(updated).toEqual({ ...user, displayName: "Alice Smith", accountEnabled: false, userType: "Guest" });
        expect(await store.users.get(user.id)).toEqual(updated);
        expect(await store.users.update(user.id, {})).toEqual(updated);

        await store.users.delete(user.id);
        expect(await store.users.get(user.id)).toBeNull();
      });

      it("keep a given id and the guest fields", async () => {
        const store = await freshStore();
        const user = await store.users.create({
          id: "b2b00000-0000-0000-0000-000000000001",
          userPrincipalName: "vera_fabrikam.test#EXT#@contoso.test",
          displayName: "Vera",
          userType: "Guest",
          externalUserType: "b2bCollaborationGuest",
          externalTenantId: "22222222-2222-2222-2222-222222222222",
        });
        expect(await store.users.get("b2b00000-0000-0000-0000-000000000001")).toEqual(user);
        expect(user.externalUserType).toBe("b2bCollaborationGuest");
      });

      it("are found by userPrincipalName whatever its case", async () => {
        const store = await freshStore();
        const user = await store.users.create({ userPrincipalName: "Alice@Contoso.test", displayName: "Alice" });
        expect(await store.users.getByUserPrincipalName("alice@contoso.TEST")).toEqual(user);
        expect(await store.users.getByUserPrincipalName("bob@contoso.test")).toBeNull();
      });

      it("cannot share a userPrincipalName, in any case, or an id", async () => {
        const store = await freshStore();
        const alice = await store.users.create({ userPrincipalName: "alice@contoso.test", displayName: "Alice" });
        const error = await expectCode(store.users.create({ userPrincipalName: "ALICE@contoso.test", displayName: "Other" }), "conflict");
        expect(error.message).toContain("userPrincipalName");
        await expectCode(store.users.create({ id: alice.id, userPrincipalName: "x@contoso.test", displayName: "X" }), "conflict");
        const bob = await store.users.create({ userPrincipalName: "bob@contoso.test", displayName: "Bob" });
        await expectCode(store.users.update(bob.id, { userPrincipalName: "Alice@Contoso.test" }), "conflict");
        expect((await store.users.list()).value).toHaveLength(2);
      });

      it("keep password hashes out of their records and give them only on request", async () => {
        const store = await freshStore();
        const user = await store.users.create({ userPrincipalName: "alice@contoso.test", displayName: "Alice", passwordHash: "hash-1" });
        expect(Object.keys(user)).not.toContain("passwordHash");
        expect(JSON.stringify(await store.users.get(user.id))).not.toContain("hash-1");
        expect(JSON.stringify(await store.users.list())).not.toContain("hash-1");
        expect(await store.users.getPasswordHash(user.id)).toBe("hash-1");
        await store.users.setPasswordHash(user.id, "hash-2");
        expect(await store.users.getPasswordHash(user.id)).toBe("hash-2");
        await store.users.setPasswordHash(user.id, null);
        expect(await store.users.getPasswordHash(user.id)).toBeNull();
        await expectCode(store.users.getPasswordHash("missing"), "notFound");
        await expectCode(store.users.setPasswordHash("missing", "h"), "notFound");
      });

      it("report notFound when a missing user is updated or deleted", async () => {
        const store = await freshStore();
        await expectCode(store.users.update("missing", { displayName: "X" }), "notFound");
        await expectCode(store.users.delete("missing"), "notFound");
        expect(await store.users.get("missing")).toBeNull();
      });

      it("are filtered by id, displayName (eq and startsWith, ignoring case), userType and accountEnabled", async () => {
        const store = await freshStore();
        const alice = await store.users.create({ userPrincipalName: "alice@contoso.test", displayName: "Alice Admin" });
        const albert = await store.users.create({ userPrincipalName: "albert@contoso.test", displayName: "Albert", accountEnabled: false });
        const bob = await store.users.create({ userPrincipalName: "bob@contoso.test", displayName: "Bob", userType: "Guest" });
        const names = async (filter: Parameters<Store["users"]["list"]>[0]) =>
          (await store.users.list(filter)).value.map((u) => u.displayName);

        expect(await names({ filter: { id: bob.id } })).toEqual(["Bob"]);
        expect(await names({ filter: { displayName: "alice admin" } })).toEqual(["Alice Admin"]);
        expect(await names({ filter: { displayNameStartsWith: "AL" } })).toEqual(["Albert", "Alice Admin"]);
        expect(await names({ filter: { displayNameStartsWith: "al", accountEnabled: true } })).toEqual(["Alice Admin"]);
        expect(await names({ filter: { userType: "guest" } })).toEqual(["Bob"]);
        expect(await names({ filter: { userPrincipalName: "ALBERT@contoso.test" } })).toEqual(["Albert"]);
        expect(await names({ filter: { displayName: "Nobody" } })).toEqual([]);
        expect(alice.id).not.toBe(albert.id);
      });

      it("treat % and _ in a startsWith filter as ordinary characters", async () => {
        const store = await freshStore();
        await store.users.create({ userPrincipalName: "a@contoso.test", displayName: "100% sure" });
        await store.users.create({ userPrincipalName: "b@contoso.test", displayName: "1000 sure" });
        await store.users.create({ userPrincipalName: "c@contoso.test", displayName: "a_b" });
        await store.users.create({ userPrincipalName: "d@contoso.test", displayName: "axb" });
        await store.users.create({ userPrincipalName: "e@contoso.test", displayName: "back\\slash" });
        const names = async (prefix: string) =>
          (await store.users.list({ filter: { displayNameStartsWith: prefix } })).value.map((u) => u.displayName);
        expect(await names("100%")).toEqual(["100% sure"]);
        expect(await names("a_")).toEqual(["a_b"]);
        expect(await names("back\\")).toEqual(["back\\slash"]);
      });

      it("are paged with top and skip in a stable order, the last page saying there is no next one", async () => {
        const store = await freshStore();
        for (let i = 7; i >= 1; i--) {
          await store.users.create({ userPrincipalName: `user${i}@contoso.test`, displayName: `user${String(i).padStart(2, "0")}` });
        }
        const first = await store.users.list({ top: 3 });
        const second = await store.users.list({ top: 3, skip: 3 });
        const third = await store.users.list({ top: 3, skip: 6 });
        expect(first.value.map((u) => u.displayName)).toEqual(["user01", "user02", "user03"]);
        expect(second.value.map((u) => u.displayName)).toEqual(["user04", "user05", "user06"]);
        expect(third.value.map((u) => u.displayName)).toEqual(["user07"]);
        expect([first.nextSkip, second.nextSkip, third.nextSkip]).toEqual([3, 6, null]);
        expect((await store.users.list({ top: 7 })).nextSkip).toBeNull();
        expect((await store.users.list({ skip: 10 })).value).toEqual([]);
        expect((await store.users.list()).value).toHaveLength(7);
      });

      it("refuse a top or skip out of range with invalidInput", async () => {
        const store = await freshStore();
        await expectCode(store.users.list({ top: 0 }), "invalidInput");
        await expectCode(store.users.list({ top: 1000 }), "invalidInput");
        await expectCode(store.users.list({ top: 2.5 }), "invalidInput");
        await expectCode(store.users.list({ skip: -1 }), "invalidInput");
        expect((await store.users.list({ top: 999 })).value).toEqual([]);
      });
    });

    describe("groups and members", () => {
      it("are created, read, listed, updated and deleted", async () => {
        const store = await freshStore();
        const group = await store.groups.create({ displayName: "Admins", description: "Tier 0", isAssignableToRole: true });
        expect(group).toMatchObject({ displayName: "Admins", description: "Tier 0", isAssignableToRole: true });
        const other = await store.groups.create({ displayName: "All staff" });
        expect(other).toMatchObject({ description: null, isAssignableToRole: false });
        expect(await store.groups.get(group.id)).toEqual(group);
        expect((await store.groups.list({ filter: { displayNameStartsWith: "a" } })).value.map((g) => g.displayName)).toEqual([
          "Admins",
          "All staff",
        ]);
        expect((await store.groups.list({ filter: { displayName: "ADMINS" } })).value).toEqual([group]);
        const updated = await store.groups.update(group.id, { description: null, displayName: "Tier 0 admins" });
        expect(updated).toEqual({ ...group, description: null, displayName: "Tier 0 admins" });
        await store.groups.delete(group.id);
        expect(await store.groups.get(group.id)).toBeNull();
        await expectCode(store.groups.delete(group.id), "notFound");
        await expectCode(store.groups.update(group.id, { displayName: "x" }), "notFound");
      });

      it("hold users and nested groups, each member typed by what it is", async () => {
        const store = await freshStore();
        const alice = await store.users.create({ userPrincipalName: "alice@contoso.test", displayName: "Alice" });
        const outer = await store.groups.create({ displayName: "Outer" });
        const inner = await store.groups.create({ displayName: "Inner" });
        expect(await store.groups.addMember(outer.id, inner.id)).toEqual({ id: inner.id, type: "group" });
        expect(await store.groups.addMember(inner.id, alice.id)).toEqual({ id: alice.id, type: "user" });
        expect(await store.groups.listMembers(outer.id)).toEqual([{ id: inner.id, type: "group" }]);
        expect(await store.groups.listMembers(inner.id)).toEqual([{ id: alice.id, type: "user" }]);
        expect(await store.groups.listMemberOf(alice.id)).toEqual([inner.id]);
        expect(await store.groups.listMemberOf(inner.id)).toEqual([outer.id]);
        await store.groups.removeMember(inner.id, alice.id);
        expect(await store.groups.listMembers(inner.id)).toEqual([]);
        await expectCode(store.groups.removeMember(inner.id, alice.id), "notFound");
      });

      it("refuse a duplicate member, an unknown member or group, and a group inside itself", async () => {
        const store = await freshStore();
        const alice = await store.users.create({ userPrincipalName: "alice@contoso.test", displayName: "Alice" });
        const a = await store.groups.create({ displayName: "A" });
        const b = await store.groups.create({ displayName: "B" });
        const c = await store.groups.create({ displayName: "C" });
        await store.groups.addMember(a.id, alice.id);
        await expectCode(store.groups.addMember(a.id, alice.id), "conflict");
        await expectCode(store.groups.addMember(a.id, "no-such-object"), "notFound");
        await expectCode(store.groups.addMember("no-such-group", alice.id), "notFound");
        await expectCode(store.groups.listMembers("no-such-group"), "notFound");
        await expectCode(store.groups.addMember(a.id, a.id), "invalidInput");
        await store.groups.addMember(a.id, b.id);
        await store.groups.addMember(b.id, c.id);
        await expectCode(store.groups.addMember(c.id, a.id), "invalidInput");
        expect(await store.groups.listMembers(c.id)).toEqual([]);
      });

      it("lose the memberships and role assignments of a deleted user or group", async () => {
        const store = await freshStore();
        const alice = await store.users.create({ userPrincipalName: "alice@contoso.test", displayName: "Alice" });
        const outer = await store.groups.create({ displayName: "Outer", isAssignableToRole: true });
        const inner = await store.groups.create({ displayName: "Inner" });
        await store.groups.addMember(outer.id, inner.id);
        await store.groups.addMember(outer.id, alice.id);
        await store.groups.addMember(inner.id, alice.id);
        await store.roleAssignments.create({ roleTemplateId: GLOBAL_ADMINISTRATOR, principalId: alice.id });
        await store.roleAssignments.create({ roleTemplateId: GLOBAL_ADMINISTRATOR, principalId: outer.id });

        await store.users.delete(alice.id);
        expect(await store.groups.listMembers(outer.id)).toEqual([{ id: inner.id, type: "group" }]);
        expect(await store.groups.listMembers(inner.id)).toEqual([]);
        expect((await store.roleAssignments.list({ filter: { principalId: alice.id } })).value).toEqual([]);

        await store.groups.delete(inner.id);
        expect(await store.groups.listMembers(outer.id)).toEqual([]);
        await store.groups.delete(outer.id);
        expect((await store.roleAssignments.list()).value).toEqual([]);
        expect((await store.loadTenantSnapshot()).groups).toEqual([]);
      });
    });

    describe("directory role assignments", () => {
      it("are created with the tenant-wide scope by default, listed by principal or role, and deleted", async () => {
        const store = await freshStore();
        const alice = await store.users.create({ userPrincipalName: "alice@contoso.test", displayName: "Alice" });
        const sp = await store.servicePrincipals.create({ appId: "a0000000-0000-0000-0000-000000000001", displayName: "Automation" });
        const global = await store.roleAssignments.create({ roleTemplateId: GLOBAL_ADMINISTRATOR, principalId: alice.id });
        expect(global).toMatchObject({ roleTemplateId: GLOBAL_ADMINISTRATOR, principalId: alice.id, directoryScopeId: "/" });
        const scoped = await store.roleAssignments.create({
          roleTemplateId: GLOBAL_ADMINISTRATOR,
          principalId: alice.id,
          directoryScopeId: "/administrativeUnits/au1",
        });
        const forSp = await store.roleAssignments.create({ id: "ra-sp", roleTemplateId: "role-2", principalId: sp.id });
        expect(await store.roleAssignments.get("ra-sp")).toEqual(forSp);
        expect((await store.roleAssignments.list({ filter: { principalId: alice.id } })).value.map((r) => r.id).sort()).toEqual(
          [global.id, scoped.id].sort(),
        );
        expect((await store.roleAssignments.list({ filter: { roleTemplateId: "ROLE-2" } })).value).toEqual([forSp]);
        await store.roleAssignments.delete(scoped.id);
        expect(await store.roleAssignments.get(scoped.id)).toBeNull();
        await expectCode(store.roleAssignments.delete(scoped.id), "notFound");
      });

      it("refuse the same assignment twice and a principal that does not exist", async () => {
        const store = await freshStore();
        const alice = await store.users.create({ userPrincipalName: "alice@contoso.test", displayName: "Alice" });
        await store.roleAssignments.create({ roleTemplateId: GLOBAL_ADMINISTRATOR, principalId: alice.id });
        await expectCode(
          store.roleAssignments.create({ roleTemplateId: GLOBAL_ADMINISTRATOR, principalId: alice.id, directoryScopeId: "/" }),
          "conflict",
        );
        await expectCode(store.roleAssignments.create({ roleTemplateId: GLOBAL_ADMINISTRATOR, principalId: "nobody" }), "notFound");
      });
    });

    describe("applications and their password credentials", () => {
      it("are created with defaults, found by appId ignoring case, updated and deleted", async () => {
        const store = await freshStore();
        const app = await store.applications.create({
          appId: "A1B2C3D4-0000-0000-0000-000000000001",
          displayName: "Portal",
          identifierUris: ["api://portal"],
          redirectUris: ["https://portal.contoso.test/callback"],
        });
        expect(app).toMatchObject({ description: null, signInAudience: "AzureADMyOrg", isPublicClient: false });
        expect(await store.applications.get(app.id)).toEqual(app);
        expect(await store.applications.getByAppId("a1b2c3d4-0000-0000-0000-000000000001")).toEqual(app);
        expect((await store.applications.list({ filter: { appId: "a1b2c3d4-0000-0000-0000-000000000001" } })).value).toEqual([app]);
        const generated = await store.applications.create({ displayName: "CLI", isPublicClient: true });
        expect(generated.appId).toMatch(/^[0-9a-f-]{36}$/);
        const updated = await store.applications.update(app.id, {
          redirectUris: [],
          identifierUris: ["api://p1", "api://p2"],
          description: "the portal",
        });
        expect(updated).toEqual({ ...app, redirectUris: [], identifierUris: ["api://p1", "api://p2"], description: "the portal" });
        expect((await store.applications.list({ filter: { displayNameStartsWith: "c" } })).value).toEqual([generated]);
        await store.applications.delete(app.id);
        expect(await store.applications.get(app.id)).toBeNull();
        await expectCode(store.applications.delete(app.id), "notFound");
        await expectCode(store.applications.update(app.id, {}), "notFound");
      });

      it("cannot share an appId, in any case", async () => {
        const store = await freshStore();
        await store.applications.create({ appId: "abc", displayName: "One" });
        const error = await expectCode(store.applications.create({ appId: "ABC", displayName: "Two" }), "conflict");
        expect(error.message).toContain("appId");
      });

      it("keep secret hashes with hints, list credentials without hashes, and drop them with the application", async () => {
        const store = await freshStore();
        const app = await store.applications.create({ appId: "client-1", displayName: "Daemon" });
        const credential = await store.applications.addPasswordCredential(app.id, {
          secretHash: "$argon2id$secret",
          hint: "AbC",
          displayName: "ci",
          endDateTime: "2026-01-01T00:00:00.000Z",
        });
        expect(credential).toEqual({
          keyId: expect.any(String),
          displayName: "ci",
          hint: "AbC",
          startDateTime: expect.any(String),
          endDateTime: "2026-01-01T00:00:00.000Z",
        });
        expect(await store.applications.listPasswordCredentials(app.id)).toEqual([credential]);
        expect(JSON.stringify(await store.applications.listPasswordCredentials(app.id))).not.toContain("argon2id");
        expect(await store.applications.listClientSecretHashes("CLIENT-1")).toEqual([
          {
            keyId: credential.keyId,
            secretHash: "$argon2id$secret",
            startDateTime: credential.startDateTime,
            endDateTime: "2026-01-01T00:00:00.000Z",
          },
        ]);
        await expectCode(store.applications.addPasswordCredential("missing", { secretHash: "h" }), "notFound");
        await expectCode(store.applications.addPasswordCredential(app.id, { keyId: credential.keyId, secretHash: "h" }), "conflict");
        await expectCode(store.applications.removePasswordCredential(app.id, "other-key"), "notFound");

        const second = await store.applications.addPasswordCredential(app.id, { secretHash: "h2" });
        await store.applications.removePasswordCredential(app.id, credential.keyId);
        expect((await store.applications.listPasswordCredentials(app.id)).map((c) => c.keyId)).toEqual([second.keyId]);
        await store.applications.delete(app.id);
        expect(await store.applications.listClientSecretHashes("client-1")).toEqual([]);
        await expectCode(store.applications.listPasswordCredentials(app.id), "notFound");
      });
    });

    describe("service principals", () => {
      it("are created, found by appId, updated with custom security attributes, and deleted with their role assignments", async () => {
        const store = await freshStore();
        const sp = await store.servicePrincipals.create({
          appId: "00000003-0000-0000-c000-000000000000",
          displayName: "Microsoft Graph",
          appOwnerOrganizationId: "f8cdef31-a31e-4b4a-93e4-5f571e91255a",
          customSecurityAttributes: { Engineering_Project: "Baker", Engineering_Levels: ["L1", "L2"] },
        });
        expect(sp).toMatchObject({ servicePrincipalType: "Application", accountEnabled: true });
        expect(await store.servicePrincipals.get(sp.id)).toEqual(sp);
        expect(await store.servicePrincipals.getByAppId("00000003-0000-0000-C000-000000000000")).toEqual(sp);
        expect((await store.servicePrincipals.list({ filter: { displayName: "microsoft graph" } })).value).toEqual([sp]);
        const updated = await store.servicePrincipals.update(sp.id, {
          accountEnabled: false,
          customSecurityAttributes: { Engineering_Project: "Cascade" },
          appOwnerOrganizationId: null,
        });
        expect(updated).toEqual({
          ...sp,
          accountEnabled: false,
          customSecurityAttributes: { Engineering_Project: "Cascade" },
          appOwnerOrganizationId: null,
        });
        await store.roleAssignments.create({ roleTemplateId: GLOBAL_ADMINISTRATOR, principalId: sp.id });
        await store.servicePrincipals.delete(sp.id);
        expect(await store.servicePrincipals.get(sp.id)).toBeNull();
        expect((await store.roleAssignments.list()).value).toEqual([]);
        await expectCode(store.servicePrincipals.delete(sp.id), "notFound");
        await expectCode(store.servicePrincipals.update(sp.id, { displayName: "x" }), "notFound");
      });

      it("allow one per appId", async () => {
        const store = await freshStore();
        await store.servicePrincipals.create({ appId: "app-1", displayName: "One" });
        await expectCode(store.servicePrincipals.create({ appId: "APP-1", displayName: "Two" }), "conflict");
      });
    });

    describe("named locations", () => {
      it("keep their Graph JSON for each kind and their times", async () => {
        const store = await freshStore({ now: steppingClock() });
        const ip = await store.namedLocations.create(ipLocation("Head office", "203.0.113.0/24"));
        const country = await store.namedLocations.create(countryLocation("Allowed countries", ["NL", "BE"]));
        expect(ip).toEqual({
          ...ipLocation("Head office", "203.0.113.0/24"),
          id: expect.stringMatching(/^[0-9a-f-]{36}$/),
          createdDateTime: "2025-01-01T00:00:00.000Z",
          modifiedDateTime: "2025-01-01T00:00:00.000Z",
        });
        expect(await store.namedLocations.get(ip.id)).toEqual(ip);
        expect(await store.namedLocations.get(country.id)).toEqual(country);
        expect((await store.namedLocations.list({ filter: { odataType: "#microsoft.graph.countryNamedLocation" } })).value).toEqual([
          country,
        ]);
        expect((await store.namedLocations.list()).value.map((l) => l.displayName)).toEqual(["Allowed countries", "Head office"]);
      });

      it("are replaced by an update that keeps the id and creation time", async () => {
        const store = await freshStore({ now: steppingClock() });
        const ip = await store.namedLocations.create(ipLocation("Office", "203.0.113.0/24", "loc-1"));
        const replaced = await store.namedLocations.update("loc-1", { ...ipLocation("Office v2", "198.51.100.0/24"), isTrusted: true });
        expect(replaced).toMatchObject({ id: "loc-1", displayName: "Office v2", isTrusted: true, createdDateTime: ip.createdDateTime });
        expect(replaced.modifiedDateTime).not.toBe(ip.modifiedDateTime);
        expect((replaced as { ipRanges: unknown }).ipRanges).toEqual([
          { "@odata.type": "#microsoft.graph.iPv4CidrRange", cidrAddress: "198.51.100.0/24" },
        ]);
        await expectCode(store.namedLocations.update("loc-1", countryLocation("Now a country", ["NL"])), "invalidInput");
        await expectCode(store.namedLocations.update("missing", ipLocation("x", "10.0.0.0/8")), "notFound");
        await expectCode(store.namedLocations.create(ipLocation("Again", "10.0.0.0/8", "loc-1")), "conflict");
      });

      it("cannot be deleted while a policy uses them", async () => {
        const store = await freshStore();
        const ip = await store.namedLocations.create(ipLocation("Blocked", "203.0.113.0/24"));
        const p = await store.policies.create(
          policy({
            displayName: "Block bad range",
            conditions: {
              users: { includeUsers: ["All"] },
              applications: { includeApplications: ["All"] },
              locations: { includeLocations: [ip.id.toUpperCase()] },
            },
            grantControls: { operator: "OR", builtInControls: ["block"] },
          }),
          { audit: admin },
        );
        const error = await expectCode(store.namedLocations.delete(ip.id), "conflict");
        expect(error.message).toContain("Block bad range");
        await store.policies.delete(p.policy.id, { audit: admin });
        await store.namedLocations.delete(ip.id);
        expect(await store.namedLocations.get(ip.id)).toBeNull();
        await expectCode(store.namedLocations.delete(ip.id), "notFound");
      });
    });

    describe("authentication strengths and contexts", () => {
      it("custom strengths are created, replaced and deleted; built-in ids are refused", async () => {
        const store = await freshStore();
        const strength = await store.authenticationStrengths.create({
          id: "",
          displayName: "FIDO2 only",
          policyType: "custom",
          requirementsSatisfied: "mfa",
          allowedCombinations: ["fido2"],
        });
        expect(strength).toMatchObject({ displayName: "FIDO2 only", policyType: "custom", allowedCombinations: ["fido2"] });
        expect(await store.authenticationStrengths.get(strength.id)).toEqual(strength);
        const replaced = await store.authenticationStrengths.update(strength.id, {
          ...strength,
          displayName: "Keys",
          allowedCombinations: ["fido2", "windowsHelloForBusiness"],
        });
        expect(replaced).toMatchObject({ id: strength.id, displayName: "Keys", allowedCombinations: ["fido2", "windowsHelloForBusiness"] });
        expect((await store.authenticationStrengths.list({ filter: { displayNameStartsWith: "ke" } })).value).toEqual([replaced]);
        await expectCode(
          store.authenticationStrengths.create({
            id: MFA_STRENGTH,
            displayName: "MFA",
            policyType: "builtIn",
            requirementsSatisfied: "mfa",
            allowedCombinations: ["password,sms"],
          }),
          "conflict",
        );
        await store.authenticationStrengths.delete(strength.id);
        expect(await store.authenticationStrengths.get(strength.id)).toBeNull();
        await expectCode(store.authenticationStrengths.update(strength.id, strength), "notFound");
      });

      it("a strength a policy requires cannot be deleted", async () => {
        const store = await freshStore();
        const strength = await store.authenticationStrengths.create({
          id: "s-1",
          displayName: "Keys",
          policyType: "custom",
          requirementsSatisfied: "mfa",
          allowedCombinations: ["fido2"],
        });
        await store.policies.create(
          policy({ displayName: "Keys for admins", grantControls: { operator: "OR", authenticationStrength: { id: strength.id } } }),
          { audit: admin },
        );
        await expectCode(store.authenticationStrengths.delete(strength.id), "conflict");
      });

      it("authentication contexts take ids c1 to c99 only, and are read, updated and deleted", async () => {
        const store = await freshStore();
        const context = await store.authenticationContexts.create({
          id: "c1",
          displayName: "Sensitive data",
          description: null,
          isAvailable: true,
        });
        expect(await store.authenticationContexts.get("c1")).toEqual(context);
        for (const id of ["c0", "c100", "C1", "x1", ""]) {
          await expectCode(
            store.authenticationContexts.create({ id, displayName: "x", description: null, isAvailable: true }),
            "invalidInput",
          );
        }
        await store.authenticationContexts.create({ id: "c99", displayName: "Admin actions", description: "step-up", isAvailable: false });
        await expectCode(
          store.authenticationContexts.create({ id: "c1", displayName: "Again", description: null, isAvailable: true }),
          "conflict",
        );
        const updated = await store.authenticationContexts.update("c1", { isAvailable: false, description: "PII" });
        expect(updated).toEqual({ id: "c1", displayName: "Sensitive data", description: "PII", isAvailable: false });
        expect((await store.authenticationContexts.list({ filter: { displayName: "ADMIN ACTIONS" } })).value.map((c) => c.id)).toEqual([
          "c99",
        ]);
        await store.authenticationContexts.delete("c99");
        await expectCode(store.authenticationContexts.delete("c99"), "notFound");
        await expectCode(store.authenticationContexts.update("c99", {}), "notFound");
      });

      it("an authentication context a policy targets cannot be deleted", async () => {
        const store = await freshStore();
        await store.authenticationContexts.create({ id: "c7", displayName: "Payroll", description: null, isAvailable: true });
        await store.policies.create(
          policy({
            displayName: "Payroll step-up",
            conditions: { users: { includeUsers: ["All"] }, applications: { includeAuthenticationContextClassReferences: ["c7"] } },
          }),
          { audit: admin },
        );
        await expectCode(store.authenticationContexts.delete("c7"), "conflict");
      });
    });

    describe("conditional access policies", () => {
      it("are created at version 1 with the store's id and times, and their audit record", async () => {
        const store = await freshStore({ now: steppingClock() });
        const document = policy({ displayName: "CA001 Require MFA", templateId: "a3d0a415-b068-4326-9251-f9cdf9feeb64" });
        const created = await store.policies.create(document, { audit: admin });
        expect(created.version).toBe(1);
        expect(created.policy).toEqual({
          ...document,
          id: expect.stringMatching(/^[0-9a-f-]{36}$/),
          createdDateTime: "2025-01-01T00:00:00.000Z",
          modifiedDateTime: null,
        });
        expect(await store.policies.get(created.policy.id)).toEqual(created);

        const [record] = (await store.audit.list()).value;
        expect(record).toMatchObject({
          category: "Policy",
          activityDisplayName: "Add conditional access policy",
          operationType: "Add",
          result: "success",
          correlationId: admin.correlationId,
          initiatedBy: admin.initiatedBy,
          loggedByService: "Conditional Access",
        });
        expect(record?.targetResources).toEqual([
          {
            id: created.policy.id,
            displayName: "CA001 Require MFA",
            type: "Policy",
            modifiedProperties: [{ displayName: "ConditionalAccessPolicy", oldValue: null, newValue: JSON.stringify(created.policy) }],
          },
        ]);
      });

      it("keep members the engine does not know through a round trip", async () => {
        const store = await freshStore();
        const document = { ...policy({ displayName: "Future" }), futureMember: { nested: [1, "two", null] }, description: "kept" };
        const created = await store.policies.create(document, { audit: admin });
        const read = await store.policies.get(created.policy.id);
        expect(read?.policy.futureMember).toEqual({ nested: [1, "two", null] });
        expect(read?.policy.description).toBe("kept");
        expect(read?.policy.conditions).toEqual(document.conditions);
      });

      it("refuse a second policy with the same id, writing no second audit record", async () => {
        const store = await freshStore();
        await store.policies.create({ ...policy({}), id: "p-1" }, { audit: admin });
        await expectCode(store.policies.create({ ...policy({ displayName: "Other" }), id: "p-1" }, { audit: admin }), "conflict");
        expect((await store.audit.list()).value).toHaveLength(1);
      });

      it("are replaced by an update that bumps the version and audits old and new values", async () => {
        const store = await freshStore({ now: steppingClock() });
        const created = await store.policies.create(policy({ displayName: "P", state: "enabledForReportingButNotEnforced" }), {
          audit: admin,
        });
        const next = policy({ displayName: "P enforced", state: "enabled" });
        const updated = await store.policies.update(created.policy.id, next, {
          audit: { ...admin, correlationId: "corr-2" },
          ifMatchVersion: 1,
        });
        expect(updated.version).toBe(2);
        expect(updated.policy).toMatchObject({
          id: created.policy.id,
          displayName: "P enforced",
          state: "enabled",
          createdDateTime: created.policy.createdDateTime,
        });
        expect(updated.policy.modifiedDateTime).toEqual(expect.any(String));
        expect(await store.policies.get(created.policy.id)).toEqual(updated);

        const third = await store.policies.update(created.policy.id, next, { audit: admin });
        expect(third.version).toBe(3);

        const records = (await store.audit.list({ filter: { correlationId: "corr-2" } })).value;
        expect(records).toHaveLength(1);
        expect(records[0]).toMatchObject({ activityDisplayName: "Update conditional access policy", operationType: "Update" });
        const change = records[0]?.targetResources[0]?.modifiedProperties?.[0];
        expect(JSON.parse(change?.oldValue ?? "null")).toEqual(created.policy);
        expect(JSON.parse(change?.newValue ?? "null")).toEqual(updated.policy);
      });

      it("refuse an update or delete at a stale version with preconditionFailed, changing nothing", async () => {
        const store = await freshStore();
        const created = await store.policies.create(policy({}), { audit: admin });
        await store.policies.update(created.policy.id, policy({ displayName: "v2" }), { audit: admin, ifMatchVersion: 1 });
        await expectCode(
          store.policies.update(created.policy.id, policy({ displayName: "lost update" }), { audit: admin, ifMatchVersion: 1 }),
          "preconditionFailed",
        );
        await expectCode(store.policies.delete(created.policy.id, { audit: admin, ifMatchVersion: 1 }), "preconditionFailed");
        const current = await store.policies.get(created.policy.id);
        expect(current).toMatchObject({ version: 2, policy: { displayName: "v2" } });
        expect((await store.audit.list()).value.map((r) => r.operationType)).toEqual(["Update", "Add"]);
      });

      it("let exactly one of two concurrent updates at the same version win", async () => {
        const store = await freshStore();
        const created = await store.policies.create(policy({}), { audit: admin });
        const results = await Promise.allSettled([
          store.policies.update(created.policy.id, policy({ displayName: "left" }), { audit: admin, ifMatchVersion: 1 }),
          store.policies.update(created.policy.id, policy({ displayName: "right" }), { audit: admin, ifMatchVersion: 1 }),
        ]);
        const fulfilled = results.filter((r) => r.status === "fulfilled");
        const rejected = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
        expect(fulfilled).toHaveLength(1);
        expect(rejected).toHaveLength(1);
        expect(rejected[0]?.reason).toMatchObject({ code: "preconditionFailed" });
        expect((await store.policies.get(created.policy.id))?.version).toBe(2);
        expect((await store.audit.list({ filter: { operationType: "Update" } })).value).toHaveLength(1);
      });

      it("apply concurrent updates without If-Match one after the other", async () => {
        const store = await freshStore();
        const created = await store.policies.create(policy({}), { audit: admin });
        await Promise.all(
          ["a", "b", "c"].map((name) => store.policies.update(created.policy.id, policy({ displayName: name }), { audit: admin })),
        );
        expect((await store.policies.get(created.policy.id))?.version).toBe(4);
        const versions = (await store.audit.list({ filter: { operationType: "Update" } })).value.map(
          (r) => JSON.parse(r.targetResources[0]?.modifiedProperties?.[0]?.newValue ?? "null").displayName as string,
        );
        expect(versions.sort()).toEqual(["a", "b", "c"]);
      });

      it("are deleted with an audit record holding the old value", async () => {
        const store = await freshStore();
        const created = await store.policies.create(policy({ displayName: "Doomed" }), { audit: admin });
        await store.policies.delete(created.policy.id, { audit: { ...admin, correlationId: "corr-del" }, ifMatchVersion: 1 });
        expect(await store.policies.get(created.policy.id)).toBeNull();
        const [record] = (await store.audit.list({ filter: { correlationId: "corr-del" } })).value;
        expect(record).toMatchObject({ activityDisplayName: "Delete conditional access policy", operationType: "Delete" });
        expect(record?.targetResources[0]).toMatchObject({ id: created.policy.id, displayName: "Doomed" });
        expect(record?.targetResources[0]?.modifiedProperties?.[0]).toEqual({
          displayName: "ConditionalAccessPolicy",
          oldValue: JSON.stringify(created.policy),
          newValue: null,
        });
      });

      it("report notFound for a missing policy and write no audit record", async () => {
        const store = await freshStore();
        await expectCode(store.policies.update("missing", policy({}), { audit: admin }), "notFound");
        await expectCode(store.policies.delete("missing", { audit: admin, ifMatchVersion: 1 }), "notFound");
        expect(await store.policies.get("missing")).toBeNull();
        expect((await store.audit.list()).value).toEqual([]);
      });

      it("are filtered by state, displayName and templateId, and paged in creation order", async () => {
        const store = await freshStore({ now: steppingClock() });
        const states = ["enabled", "disabled", "enabledForReportingButNotEnforced", "enabled", "enabled"];
        for (const [i, state] of states.entries()) {
          await store.policies.create(policy({ displayName: `CA00${i} policy`, state, ...(i === 2 ? { templateId: "tpl-1" } : {}) }), {
            audit: admin,
          });
        }
        const enabled = await store.policies.list({ filter: { state: "enabled" } });
        expect(enabled.value.map((p) => p.policy.displayName)).toEqual(["CA000 policy", "CA003 policy", "CA004 policy"]);
        expect((await store.policies.list({ filter: { state: "enabled", displayNameStartsWith: "ca00" }, top: 2 })).nextSkip).toBe(2);
        expect((await store.policies.list({ filter: { displayName: "ca001 POLICY" } })).value.map((p) => p.policy.state)).toEqual([
          "disabled",
        ]);
        expect((await store.policies.list({ filter: { templateId: "tpl-1" } })).value.map((p) => p.policy.displayName)).toEqual([
          "CA002 policy",
        ]);
        const page2 = await store.policies.list({ top: 2, skip: 2 });
        expect(page2.value.map((p) => p.policy.displayName)).toEqual(["CA002 policy", "CA003 policy"]);
        expect(page2.nextSkip).toBe(4);
        const created = (await store.policies.list()).value[1];
        expect((await store.policies.list({ filter: { id: created?.policy.id ?? "" } })).value).toEqual([created]);
      });
    });

    describe("transactions", () => {
      it("roll back the policy write when its audit record cannot be written", async () => {
        const store = await freshStore();
        await store.audit.append({
          id: "audit-1",
          category: "Policy",
          activityDisplayName: "Something earlier",
          operationType: "Add",
          initiatedBy: {},
          targetResources: [],
          correlationId: "x",
        });
        const error = await expectCode(
          store.policies.create({ ...policy({}), id: "p-rolled-back" }, { audit: { ...admin, id: "audit-1" } }),
          "conflict",
        );
        expect(error.message).toContain("audit");
        expect(await store.policies.get("p-rolled-back")).toBeNull();

        const kept = await store.policies.create({ ...policy({ displayName: "kept" }), id: "p-kept" }, { audit: admin });
        await expectCode(
          store.policies.update("p-kept", policy({ displayName: "changed" }), { audit: { ...admin, id: "audit-1" } }),
          "conflict",
        );
        expect(await store.policies.get("p-kept")).toEqual(kept);
        await expectCode(store.policies.delete("p-kept", { audit: { ...admin, id: "audit-1" } }), "conflict");
        expect(await store.policies.get("p-kept")).toEqual(kept);
      });

      it("commit every write of the work together", async () => {
        const store = await freshStore();
        const result = await store.transaction(async (tx) => {
          const user = await tx.users.create({ userPrincipalName: "alice@contoso.test", displayName: "Alice" });
          const group = await tx.groups.create({ displayName: "Staff" });
          await tx.groups.addMember(group.id, user.id);
          const p = await tx.policies.create(
            policy({ conditions: { users: { includeGroups: [group.id] }, applications: { includeApplications: ["All"] } } }),
            { audit: admin },
          );
          expect(await tx.policies.get(p.policy.id)).toEqual(p);
          return { user, group, p };
        });
        expect(await store.users.get(result.user.id)).toEqual(result.user);
        expect(await store.groups.listMembers(result.group.id)).toEqual([{ id: result.user.id, type: "user" }]);
        expect(await store.policies.get(result.p.policy.id)).toEqual(result.p);
      });

      it("roll back every write of the work when it throws, and rethrow its error", async () => {
        const store = await freshStore();
        const boom = new Error("boom");
        await expect(
          store.transaction(async (tx) => {
            await tx.users.create({ id: "u-rolled-back", userPrincipalName: "alice@contoso.test", displayName: "Alice" });
            await tx.policies.create({ ...policy({}), id: "p-rolled-back" }, { audit: admin });
            await tx.tenant.put({ tenantId: "t", displayName: "T" });
            throw boom;
          }),
        ).rejects.toBe(boom);
        expect(await store.users.get("u-rolled-back")).toBeNull();
        expect(await store.policies.get("p-rolled-back")).toBeNull();
        expect(await store.tenant.get()).toBeNull();
        expect((await store.audit.list()).value).toEqual([]);
      });

      it("roll back earlier writes when a later one fails with a GatehouseError", async () => {
        const store = await freshStore();
        await store.users.create({ userPrincipalName: "taken@contoso.test", displayName: "Taken" });
        await expectCode(
          store.transaction(async (tx) => {
            await tx.groups.create({ id: "g-rolled-back", displayName: "Temp" });
            await tx.users.create({ userPrincipalName: "TAKEN@contoso.test", displayName: "Clash" });
          }),
          "conflict",
        );
        expect(await store.groups.get("g-rolled-back")).toBeNull();
      });

      it("read a consistent tenant snapshot inside the work", async () => {
        const store = await freshStore();
        const snapshot = await store.transaction(async (tx) => {
          await tx.users.create({ userPrincipalName: "alice@contoso.test", displayName: "Alice" });
          return tx.loadTenantSnapshot();
        });
        expect(snapshot.users.map((u) => u.displayName)).toEqual(["Alice"]);
      });
    });

    describe("audit log", () => {
      it("keeps the order records were written in, even within one millisecond or with one given time", async () => {
        const frozen = new Date("2025-06-01T12:00:00.000Z");
        const store = await freshStore({ now: () => frozen });
        const base = {
          category: "Policy",
          initiatedBy: { app: { appId: "app-1", displayName: "Automation" } },
          targetResources: [],
          correlationId: "same-ms",
        };
        for (const n of [1, 2, 3]) {
          await store.audit.append({
            ...base,
            activityDisplayName: `step ${n}`,
            operationType: "Update",
            activityDateTime: frozen.toISOString(),
          });
        }
        const listed = (await store.audit.list()).value.map((r) => r.activityDisplayName);
        expect(listed).toEqual(["step 3", "step 2", "step 1"]);
      });

      it("appends records with defaults and lists them newest first with filters", async () => {
        const store = await freshStore({ now: steppingClock() });
        const first = await store.audit.append({
          category: "UserManagement",
          activityDisplayName: "Add user",
          operationType: "Add",
          initiatedBy: { app: { appId: "app-1", displayName: "Provisioning" } },
          targetResources: [{ id: "u1", type: "User", userPrincipalName: "alice@contoso.test" }],
          correlationId: "corr-a",
          additionalDetails: [{ key: "source", value: "scim" }],
        });
        expect(first).toEqual({
          id: expect.any(String),
          activityDateTime: "2025-01-01T00:00:00.000Z",
          category: "UserManagement",
          activityDisplayName: "Add user",
          operationType: "Add",
          initiatedBy: { app: { appId: "app-1", displayName: "Provisioning" } },
          targetResources: [{ id: "u1", type: "User", userPrincipalName: "alice@contoso.test" }],
          result: "success",
          resultReason: null,
          correlationId: "corr-a",
          loggedByService: "Core Directory",
          additionalDetails: [{ key: "source", value: "scim" }],
        });
        const second = await store.audit.append({
          category: "GroupManagement",
          activityDisplayName: "Add member to group",
          operationType: "Assign",
          initiatedBy: { user: { id: "admin" } },
          targetResources: [],
          correlationId: "corr-b",
          result: "failure",
          resultReason: "denied",
        });
        const third = await store.audit.append({
          id: "given-id",
          activityDateTime: "2025-06-01T12:00:00+02:00",
          category: "UserManagement",
          activityDisplayName: "Delete user",
          operationType: "Delete",
          initiatedBy: {},
          targetResources: [],
          correlationId: "corr-a",
        });
        expect(third.activityDateTime).toBe("2025-06-01T10:00:00.000Z");
        expect(await store.audit.get("given-id")).toEqual(third);
        expect(await store.audit.get("missing")).toBeNull();

        const ids = async (filter: Parameters<Store["audit"]["list"]>[0]) => (await store.audit.list(filter)).value.map((r) => r.id);
        expect(await ids({})).toEqual([third.id, second.id, first.id]);
        expect(await ids({ filter: { category: "UserManagement" } })).toEqual([third.id, first.id]);
        expect(await ids({ filter: { correlationId: "corr-a", operationType: "Add" } })).toEqual([first.id]);
        expect(await ids({ filter: { activityDisplayName: "Add member to group" } })).toEqual([second.id]);
        expect(await ids({ filter: { fromDateTime: "2025-01-01T00:00:01Z", toDateTime: "2025-06-01T10:00:00Z" } })).toEqual([second.id]);
        expect(await ids({ filter: { id: first.id } })).toEqual([first.id]);
        const page = await store.audit.list({ top: 2 });
        expect(page.nextSkip).toBe(2);
        expect((await store.audit.list({ top: 2, skip: 2 })).value.map((r) => r.id)).toEqual([first.id]);
        await expectCode(store.audit.append({ ...first, activityDateTime: "yesterday" }), "invalidInput");
        await expectCode(store.audit.append({ ...first }), "conflict");
      });

      it("offers no way to change or remove a record, in or out of a transaction", async () => {
        const store = await freshStore();
        expect(Object.keys(store.audit).sort()).toEqual(["append", "get", "list"]);
        await store.transaction(async (tx) => {
          expect(Object.keys(tx.audit).sort()).toEqual(["append", "get", "list"]);
        });
        // @ts-expect-error the audit log is append-only
        expect(store.audit.update).toBeUndefined();
        // @ts-expect-error the audit log is append-only
        expect(store.audit.delete).toBeUndefined();
      });
    });

    describe("sign-in logs", () => {
      it("append real records, return them as given and list them newest first with filters and pages", async () => {
        const store = await freshStore();
        const first = await store.signIns.append(signInEntry({ id: "s-1", createdDateTime: "2026-01-01T08:00:00Z" }));
        expect(first.userId).toBe(SIGN_IN_USER);
        expect(first.appliedConditionalAccessPolicies).toHaveLength(1);
        expect(first.conditionalAccessStatus).toBe("failure");
        const second = await store.signIns.append(
          signInEntry({
            id: "s-2",
            createdDateTime: "2026-01-02T08:00:00+02:00",
            conditionalAccessStatus: "success",
            appId: "5B000000-0000-4000-8000-00000000000B",
            correlationId: "Shared-Corr",
          }),
        );
        const third = await store.signIns.append(
          signInEntry({ id: "s-3", createdDateTime: "2026-01-03T08:00:00.000Z", userId: null, userPrincipalName: null }),
        );
        expect(second.createdDateTime).toBe("2026-01-02T08:00:00+02:00");
        expect(await store.signIns.get("s-2")).toEqual(second);
        expect(await store.signIns.get("missing")).toBeNull();

        const ids = async (options: Parameters<Store["signIns"]["list"]>[0]) => (await store.signIns.list(options)).value.map((r) => r.id);
        expect(await ids({})).toEqual(["s-3", "s-2", "s-1"]);
        expect(await ids({ filter: { userId: SIGN_IN_USER.toUpperCase() } })).toEqual(["s-2", "s-1"]);
        expect(await ids({ filter: { appId: "5b000000-0000-4000-8000-00000000000b" } })).toEqual(["s-2"]);
        expect(await ids({ filter: { appId: SIGN_IN_APP } })).toEqual(["s-3", "s-1"]);
        expect(await ids({ filter: { conditionalAccessStatus: "success" } })).toEqual(["s-2"]);
        expect(await ids({ filter: { conditionalAccessStatus: "failure", userId: SIGN_IN_USER } })).toEqual(["s-1"]);
        expect(await ids({ filter: { correlationId: "shared-corr" } })).toEqual(["s-2"]);
        // 2026-01-02T08:00:00+02:00 is 06:00Z: the bounds are inclusive and compare instants.
        expect(await ids({ filter: { createdFrom: "2026-01-02T06:00:00Z" } })).toEqual(["s-3", "s-2"]);
        expect(await ids({ filter: { createdTo: "2026-01-02T06:00:00Z" } })).toEqual(["s-2", "s-1"]);
        expect(await ids({ filter: { createdFrom: "2026-01-01T08:00:01Z", createdTo: "2026-01-03T07:59:59Z" } })).toEqual(["s-2"]);
        await expectCode(store.signIns.list({ filter: { createdFrom: "last week" } }), "invalidInput");

        const page = await store.signIns.list({ top: 2 });
        expect(page.value.map((r) => r.id)).toEqual(["s-3", "s-2"]);
        expect(page.nextSkip).toBe(2);
        const last = await store.signIns.list({ top: 2, skip: 2 });
        expect(last.value).toEqual([first]);
        expect(last.nextSkip).toBeNull();
        expect((await store.signIns.list({ filter: { userId: "nobody" } })).value).toEqual([]);
        expect(third.userId).toBeNull();
      });

      it("orders records of the same time by id and keep them across reopen", async () => {
        const database = await newDatabase();
        const store = await open(database);
        for (const id of ["b", "a", "c"]) await store.signIns.append(signInEntry({ id, createdDateTime: "2026-02-01T00:00:00Z" }));
        const listed = (await store.signIns.list()).value;
        expect(listed.map((r) => r.id)).toEqual(["c", "b", "a"]);
        await store.close();
        const reopened = await open(database);
        expect((await reopened.signIns.list()).value).toEqual(listed);
      });

      it("commit concurrent appends together, answer each caller alone, and keep them across close", async () => {
        const database = await newDatabase();
        const store = await open(database);
        const at = "2026-03-01T00:00:00Z";
        // One turn of the event loop: written by one INSERT unless a row fails, then one by one.
        const results = await Promise.allSettled([
          store.signIns.append(signInEntry({ id: "g-1", createdDateTime: at })),
          store.signIns.append(signInEntry({ id: "g-2", createdDateTime: at })),
          store.signIns.append(signInEntry({ id: "g-1", createdDateTime: at })),
          store.signIns.append(signInEntry({ id: "g-3", createdDateTime: at })),
        ]);
        expect(results.map((r) => r.status)).toEqual(["fulfilled", "fulfilled", "rejected", "fulfilled"]);
        expect(((results[2] as PromiseRejectedResult).reason as GatehouseError).code).toBe("conflict");
        expect((await store.signIns.list()).value.map((r) => r.id)).toEqual(["g-3", "g-2", "g-1"]);
        // Appends still queued when the store closes are written before it closes.
        const late = Array.from({ length: 250 }, (_, i) => store.signIns.append(signInEntry({ id: `late-${i}`, createdDateTime: at })));
        const closing = store.close();
        expect((await Promise.allSettled(late)).every((r) => r.status === "fulfilled")).toBe(true);
        await closing;
        const reopened = await open(database);
        expect((await reopened.signIns.list({ top: 999 })).value).toHaveLength(253);
      });

      it("refuse records without the minimal fields, and a second record with the same id", async () => {
        const store = await freshStore();
        const good = signInEntry({ id: "s-1", createdDateTime: "2026-01-01T00:00:00Z" });
        await store.signIns.append(good);
        await expectCode(store.signIns.append(good), "conflict");
        const bad: unknown[] = [
          { ...good, id: "" },
          { ...good, id: "x1", createdDateTime: "yesterday" },
          { ...good, id: "x2", createdDateTime: "2026-01-01" },
          { ...good, id: "x3", conditionalAccessStatus: "maybe" },
          { ...good, id: "x4", correlationId: undefined },
          { ...good, id: "x5", status: { errorCode: "0" } },
          { ...good, id: "x6", userId: 42 },
        ];
        for (const entry of bad) await expectCode(store.signIns.append(entry as SignInLogEntry), "invalidInput");
        expect((await store.signIns.list()).value.map((r) => r.id)).toEqual(["s-1"]);
      });

      it("purge records older than a time and report how many, in or out of a transaction", async () => {
        const store = await freshStore();
        for (const [id, at] of [
          ["old-1", "2025-12-01T00:00:00Z"],
          ["old-2", "2025-12-31T23:59:59.999Z"],
          ["edge", "2026-01-01T00:00:00Z"],
          ["new", "2026-01-15T00:00:00Z"],
        ] as const) {
          await store.signIns.append(signInEntry({ id, createdDateTime: at }));
        }
        expect(await store.signIns.purgeOlderThan("2026-01-01T01:00:00+01:00")).toBe(2);
        expect((await store.signIns.list()).value.map((r) => r.id)).toEqual(["new", "edge"]);
        expect(await store.signIns.purgeOlderThan("2026-01-01T00:00:00Z")).toBe(0);
        await expectCode(store.signIns.purgeOlderThan("soon"), "invalidInput");
        await expect(
          store.transaction(async (tx) => {
            expect(await tx.signIns.purgeOlderThan("2027-01-01T00:00:00Z")).toBe(2);
            throw new Error("roll back");
          }),
        ).rejects.toThrow("roll back");
        expect((await store.signIns.list()).value.map((r) => r.id)).toEqual(["new", "edge"]);
      });
    });

    describe("authentication methods", () => {
      const passkey = (userId: string, credentialId: string, counter = 0) => ({
        userId,
        displayName: "YubiKey",
        credentialId,
        publicKey: "pQECAyYgASFYIA",
        counter,
        transports: ["usb", "nfc"],
        aaguid: "cb69481e-8ff7-4039-93ec-0a2729a154a8",
        deviceType: "singleDevice",
        backedUp: false,
      });

      it("are created, listed oldest first without secrets or keys, read through their own methods and deleted", async () => {
        const store = await freshStore({ now: steppingClock() });
        const alice = await store.users.create({ userPrincipalName: "alice@contoso.test", displayName: "Alice" });
        const bob = await store.users.create({ userPrincipalName: "bob@contoso.test", displayName: "Bob" });
        const totp = await store.authenticationMethods.createTotp({
          userId: alice.id,
          displayName: "Authenticator",
          secretCiphertext: "v1.iv.ct",
        });
        expect(totp).toEqual({
          id: expect.stringMatching(/^[0-9a-f-]{36}$/),
          userId: alice.id,
          methodType: "softwareOath",
          displayName: "Authenticator",
          createdDateTime: "2025-01-01T00:00:02.000Z",
          lastUsedDateTime: null,
          credentialId: null,
          transports: [],
          aaguid: null,
          deviceType: null,
          backedUp: null,
        });
        const key = await store.authenticationMethods.createPasskey(passkey(alice.id, "Y3JlZC0x", 7));
        expect(key).toMatchObject({ methodType: "fido2", credentialId: "Y3JlZC0x", transports: ["usb", "nfc"], backedUp: false });
        await store.authenticationMethods.createTotp({ userId: bob.id, displayName: "Bob's", secretCiphertext: "v1.bob" });

        const listed = await store.authenticationMethods.listForUser(alice.id);
        expect(listed).toEqual([totp, key]);
        const text = JSON.stringify(listed);
        expect(text).not.toContain("v1.iv.ct");
        expect(text).not.toContain("pQECAyYgASFYIA");
        for (const method of listed) {
          expect(Object.keys(method)).not.toEqual(expect.arrayContaining(["secretCiphertext"]));
          expect(Object.keys(method)).not.toContain("publicKey");
          expect(Object.keys(method)).not.toContain("counter");
        }
        expect(await store.authenticationMethods.listForUser("nobody")).toEqual([]);

        expect(await store.authenticationMethods.getTotpSecret(totp.id)).toEqual({
          id: totp.id,
          userId: alice.id,
          secretCiphertext: "v1.iv.ct",
          lastTimeStep: null,
        });
        expect(await store.authenticationMethods.getTotpSecret(key.id)).toBeNull();
        expect(await store.authenticationMethods.getTotpSecret("missing")).toBeNull();
        expect(await store.authenticationMethods.getPasskeyByCredentialId("Y3JlZC0x")).toEqual({
          id: key.id,
          userId: alice.id,
          displayName: "YubiKey",
          credentialId: "Y3JlZC0x",
          publicKey: "pQECAyYgASFYIA",
          counter: 7,
          transports: ["usb", "nfc"],
          aaguid: "cb69481e-8ff7-4039-93ec-0a2729a154a8",
          deviceType: "singleDevice",
          backedUp: false,
          createdDateTime: key.createdDateTime,
          lastUsedDateTime: null,
        });
        expect(await store.authenticationMethods.getPasskeyByCredentialId("missing")).toBeNull();

        await store.authenticationMethods.delete(totp.id);
        expect(await store.authenticationMethods.listForUser(alice.id)).toEqual([key]);
        await expectCode(store.authenticationMethods.delete(totp.id), "notFound");
      });

      it("refuse an unknown user, a taken credential id and a method without its secret or key", async () => {
        const store = await freshStore();
        const alice = await store.users.create({ userPrincipalName: "alice@contoso.test", displayName: "Alice" });
        await expectCode(
          store.authenticationMethods.createTotp({ userId: "missing", displayName: "x", secretCiphertext: "c" }),
          "notFound",
        );
        await expectCode(store.authenticationMethods.createPasskey(passkey("missing", "Y3JlZC0x")), "notFound");
        await store.authenticationMethods.createPasskey(passkey(alice.id, "Y3JlZC0x"));
        await expectCode(store.authenticationMethods.createPasskey(passkey(alice.id, "Y3JlZC0x")), "conflict");
        await expectCode(
          store.authenticationMethods.createPasskey({ ...passkey(alice.id, "Y3JlZC0y"), publicKey: null as unknown as string }),
          "invalidInput",
        );
        await expect(store.authenticationMethods.createPasskey(passkey(alice.id, "Y3JlZC0z", -1))).rejects.toBeInstanceOf(TypeError);
        expect(await store.authenticationMethods.listForUser(alice.id)).toHaveLength(1);
      });

      it("accept a TOTP time step only once and never an older one (replay refused)", async () => {
        const store = await freshStore({ now: steppingClock() });
        const alice = await store.users.create({ userPrincipalName: "alice@contoso.test", displayName: "Alice" });
        const totp = await store.authenticationMethods.createTotp({
          userId: alice.id,
          displayName: "Authenticator",
          secretCiphertext: "c",
          lastTimeStep: 58_000_000,
        });
        expect(await store.authenticationMethods.recordTotpUse(totp.id, 58_000_000)).toBe(false);
        expect(await store.authenticationMethods.recordTotpUse(totp.id, 57_999_999)).toBe(false);
        expect(await store.authenticationMethods.recordTotpUse(totp.id, 58_000_001)).toBe(true);
        expect(await store.authenticationMethods.recordTotpUse(totp.id, 58_000_001)).toBe(false);
        expect((await store.authenticationMethods.getTotpSecret(totp.id))?.lastTimeStep).toBe(58_000_001);
        const [listed] = await store.authenticationMethods.listForUser(alice.id);
        expect(listed?.lastUsedDateTime).not.toBeNull();

        const fresh = await store.authenticationMethods.createTotp({ userId: alice.id, displayName: "Second", secretCiphertext: "c2" });
        expect(await store.authenticationMethods.recordTotpUse(fresh.id, 1)).toBe(true);
        expect(await store.authenticationMethods.recordTotpUse("missing", 99)).toBe(false);
        const key = await store.authenticationMethods.createPasskey(passkey(alice.id, "Y3JlZC0x"));
        expect(await store.authenticationMethods.recordTotpUse(key.id, 99)).toBe(false);
      });

      it("let only one of two concurrent uses of the same TOTP step through", async () => {
        const store = await freshStore();
        const alice = await store.users.create({ userPrincipalName: "alice@contoso.test", displayName: "Alice" });
        const totp = await store.authenticationMethods.createTotp({ userId: alice.id, displayName: "A", secretCiphertext: "c" });
        const results = await Promise.all(Array.from({ length: 8 }, () => store.authenticationMethods.recordTotpUse(totp.id, 1000)));
        expect(results.filter(Boolean)).toHaveLength(1);
      });

      it("store a passkey counter only when it grows, except that 0 stays 0 for authenticators without one", async () => {
        const store = await freshStore();
        const alice = await store.users.create({ userPrincipalName: "alice@contoso.test", displayName: "Alice" });
        const counted = await store.authenticationMethods.createPasskey(passkey(alice.id, "Y291bnRlZA", 5));
        expect(await store.authenticationMethods.updatePasskeyCounter(counted.id, 5)).toBe(false);
        expect(await store.authenticationMethods.updatePasskeyCounter(counted.id, 3)).toBe(false);
        expect(await store.authenticationMethods.updatePasskeyCounter(counted.id, 0)).toBe(false);
        expect(await store.authenticationMethods.updatePasskeyCounter(counted.id, 6)).toBe(true);
        expect(await store.authenticationMethods.updatePasskeyCounter(counted.id, 0xffff_ffff)).toBe(true);
        const stored = await store.authenticationMethods.getPasskeyByCredentialId("Y291bnRlZA");
        expect(stored?.counter).toBe(0xffff_ffff);
        expect(stored?.lastUsedDateTime).not.toBeNull();
        await expect(store.authenticationMethods.updatePasskeyCounter(counted.id, 2 ** 32)).rejects.toBeInstanceOf(TypeError);

        const uncounted = await store.authenticationMethods.createPasskey(passkey(alice.id, "dW5jb3VudGVk", 0));
        expect(await store.authenticationMethods.updatePasskeyCounter(uncounted.id, 0)).toBe(true);
        expect(await store.authenticationMethods.updatePasskeyCounter(uncounted.id, 1)).toBe(true);
        expect(await store.authenticationMethods.updatePasskeyCounter(uncounted.id, 0)).toBe(false);
        expect(await store.authenticationMethods.updatePasskeyCounter("missing", 9)).toBe(false);
        const totp = await store.authenticationMethods.createTotp({ userId: alice.id, displayName: "A", secretCiphertext: "c" });
        expect(await store.authenticationMethods.updatePasskeyCounter(totp.id, 9)).toBe(false);
      });

      it("go with their user when the user is deleted, and keep across reopen and inside transactions", async () => {
        const database = await newDatabase();
        const store = await open(database);
        const alice = await store.users.create({ userPrincipalName: "alice@contoso.test", displayName: "Alice" });
        const bob = await store.users.create({ userPrincipalName: "bob@contoso.test", displayName: "Bob" });
        await store.authenticationMethods.createTotp({ userId: alice.id, displayName: "A", secretCiphertext: "c" });
        await store.authenticationMethods.createPasskey(passkey(alice.id, "YWxpY2U"));
        const bobs = await store.transaction(async (tx) => {
          const m = await tx.authenticationMethods.createPasskey(passkey(bob.id, "Ym9i", 1));
          expect(await tx.authenticationMethods.updatePasskeyCounter(m.id, 2)).toBe(true);
          return m;
        });
        await expect(
          store.transaction(async (tx) => {
            await tx.authenticationMethods.createTotp({ userId: bob.id, displayName: "rolled back", secretCiphertext: "c" });
            throw new Error("roll back");
          }),
        ).rejects.toThrow("roll back");
        await store.close();

        const reopened = await open(database);
        expect(await reopened.authenticationMethods.listForUser(alice.id)).toHaveLength(2);
        expect(await reopened.authenticationMethods.listForUser(bob.id)).toEqual([{ ...bobs, lastUsedDateTime: expect.any(String) }]);
        expect((await reopened.authenticationMethods.getPasskeyByCredentialId("Ym9i"))?.counter).toBe(2);
        await reopened.users.delete(alice.id);
        expect(await reopened.authenticationMethods.listForUser(alice.id)).toEqual([]);
        expect(await reopened.authenticationMethods.getPasskeyByCredentialId("YWxpY2U")).toBeNull();
        expect(await reopened.authenticationMethods.listForUser(bob.id)).toHaveLength(1);
      });
    });

    describe("tenant snapshot", () => {
      it("is empty for a new store, with an empty tenantId until the tenant is set up", async () => {
        const store = await freshStore();
        expect(await store.loadTenantSnapshot()).toEqual({
          tenantId: "",
          policies: [],
          namedLocations: [],
          authenticationStrengthPolicies: [],
          users: [],
          groups: [],
          roleAssignments: [],
          servicePrincipals: [],
        });
      });

      it("carries nested groups as member ids of users and groups", async () => {
        const store = await freshStore();
        const alice = await store.users.create({ id: "u-alice", userPrincipalName: "alice@contoso.test", displayName: "Alice" });
        const bob = await store.users.create({ id: "u-bob", userPrincipalName: "bob@contoso.test", displayName: "Bob" });
        const top = await store.groups.create({ id: "g-top", displayName: "Top" });
        const middle = await store.groups.create({ id: "g-middle", displayName: "Middle" });
        const bottom = await store.groups.create({ id: "g-bottom", displayName: "Bottom" });
        await store.groups.addMember(top.id, middle.id);
        await store.groups.addMember(top.id, bob.id);
        await store.groups.addMember(middle.id, bottom.id);
        await store.groups.addMember(bottom.id, alice.id);
        const snapshot = await store.loadTenantSnapshot();
        const members = Object.fromEntries(snapshot.groups.map((g) => [g.id, g.members]));
        expect(members).toEqual({ "g-bottom": ["u-alice"], "g-middle": ["g-bottom"], "g-top": ["g-middle", "u-bob"] });
        expect(snapshot.groups.find((g) => g.id === "g-top")).toMatchObject({ displayName: "Top", isAssignableToRole: false });
      });

      it("holds every collection in the engine's shape and no secrets, and normalizes without errors", async () => {
        const store = await freshStore();
        await store.tenant.put({ tenantId: "11111111-1111-1111-1111-111111111111", displayName: "Contoso" });
        const alice = await store.users.create({
          userPrincipalName: "alice@contoso.test",
          displayName: "Alice",
          passwordHash: "SECRET-HASH",
        });
        const guest = await store.users.create({
          userPrincipalName: "vera#EXT#@contoso.test",
          displayName: "Vera",
          userType: "Guest",
          externalUserType: "b2bCollaborationGuest",
          externalTenantId: "22222222-2222-2222-2222-222222222222",
        });
        const app = await store.applications.create({ appId: "b0000000-0000-0000-0000-000000000001", displayName: "Payroll" });
        await store.applications.addPasswordCredential(app.id, { secretHash: "SECRET-CLIENT-HASH" });
        const sp = await store.servicePrincipals.create({
          appId: app.appId,
          displayName: "Payroll",
          appOwnerOrganizationId: "11111111-1111-1111-1111-111111111111",
          customSecurityAttributes: { HR_Sensitivity: "High" },
        });
        const assignment = await store.roleAssignments.create({ roleTemplateId: GLOBAL_ADMINISTRATOR, principalId: alice.id });
        const location = await store.namedLocations.create(ipLocation("Office", "203.0.113.0/24"));
        const strength = await store.authenticationStrengths.create({
          id: "",
          displayName: "Keys",
          policyType: "custom",
          requirementsSatisfied: "mfa",
          allowedCombinations: ["fido2"],
        });
        const p = await store.policies.create(
          policy({
            conditions: {
              users: { includeRoles: [GLOBAL_ADMINISTRATOR] },
              applications: { includeApplications: ["All"] },
              locations: { includeLocations: ["All"], excludeLocations: [location.id] },
            },
            grantControls: { operator: "OR", authenticationStrength: { id: strength.id } },
          }),
          { audit: admin },
        );

        const snapshot = await store.loadTenantSnapshot();
        expect(snapshot.tenantId).toBe("11111111-1111-1111-1111-111111111111");
        expect(snapshot.policies).toEqual([p.policy]);
        expect(snapshot.namedLocations).toEqual([location]);
        expect(snapshot.authenticationStrengthPolicies).toEqual([strength]);
        expect(snapshot.users).toEqual(
          [
            { id: alice.id, userPrincipalName: "alice@contoso.test", displayName: "Alice", userType: "Member", accountEnabled: true },
            {
              id: guest.id,
              userPrincipalName: "vera#EXT#@contoso.test",
              displayName: "Vera",
              userType: "Guest",
              accountEnabled: true,
              externalUserType: "b2bCollaborationGuest",
              externalTenantId: "22222222-2222-2222-2222-222222222222",
            },
          ].sort((a, b) => (a.id < b.id ? -1 : 1)),
        );
        expect(snapshot.roleAssignments).toEqual([
          { id: assignment.id, roleTemplateId: GLOBAL_ADMINISTRATOR, principalId: alice.id, directoryScopeId: "/" },
        ]);
        expect(snapshot.servicePrincipals).toEqual([
          {
            id: sp.id,
            appId: app.appId,
            displayName: "Payroll",
            servicePrincipalType: "Application",
            appOwnerOrganizationId: "11111111-1111-1111-1111-111111111111",
            accountEnabled: true,
            customSecurityAttributes: { HR_Sensitivity: "High" },
          },
        ]);
        expect(JSON.stringify(snapshot)).not.toContain("SECRET");

        const { tenant, issues } = normalizeTenant(snapshot);
        expect(issues.filter((i) => i.severity === "error")).toEqual([]);
        expect(tenant.policies).toHaveLength(1);
      });

      it("compiles with the engine and decides a tiny tenant's sign-ins as expected", async () => {
        const store = await freshStore();
        const tenantId = "11111111-1111-1111-1111-111111111111";
        const appId = "c0000000-0000-0000-0000-000000000001";
        await store.tenant.put({ tenantId, displayName: "Contoso" });
        const alice = await store.users.create({ userPrincipalName: "alice@contoso.test", displayName: "Alice" });
        const vera = await store.users.create({ userPrincipalName: "vera@contoso.test", displayName: "Vera" });
        const breakGlass = await store.users.create({ userPrincipalName: "bg@contoso.test", displayName: "Break glass" });
        const contractors = await store.groups.create({ displayName: "Contractors" });
        const vendors = await store.groups.create({ displayName: "Vendors" });
        const emergency = await store.groups.create({ displayName: "Emergency access" });
        await store.groups.addMember(contractors.id, vendors.id);
        await store.groups.addMember(vendors.id, vera.id);
        await store.groups.addMember(emergency.id, breakGlass.id);
        await store.servicePrincipals.create({ appId, displayName: "Portal", appOwnerOrganizationId: tenantId });
        const blocked = await store.namedLocations.create(ipLocation("Blocked range", "198.51.100.0/24"));
        const mfa = await store.policies.create(
          policy({
            displayName: "MFA for everyone",
            conditions: { users: { includeUsers: ["All"], excludeGroups: [emergency.id] }, applications: { includeApplications: ["All"] } },
          }),
          { audit: admin },
        );
        const block = await store.policies.create(
          policy({
            displayName: "Block contractors from the blocked range",
            conditions: {
              users: { includeGroups: [contractors.id] },
              applications: { includeApplications: ["All"] },
              locations: { includeLocations: [blocked.id] },
            },
            grantControls: { operator: "OR", builtInControls: ["block"] },
          }),
          { audit: admin },
        );
        await store.policies.create(
          policy({
            displayName: "Report-only block",
            state: "enabledForReportingButNotEnforced",
            grantControls: { operator: "OR", builtInControls: ["block"] },
          }),
          { audit: admin },
        );

        const compiled = compileTenant(await store.loadTenantSnapshot());
        expect(compiled.issues).toEqual([]);
        expect(compiled.tenantId).toBe(tenantId);
        const signIn = (userId: string, ipAddress: string, methods: string[] = ["password"]): WhatIfRequest => ({
          signInIdentity: { "@odata.type": "#microsoft.graph.userSignIn", userId },
          signInContext: { "@odata.type": "#microsoft.graph.applicationContext", includeApplications: [appId] },
          signInConditions: { clientAppType: "browser", devicePlatform: "windows", ipAddress },
          satisfied: { authenticationMethods: methods },
        });

        const aliceDecision = decide(compiled, signIn(alice.id, "203.0.113.7"));
        expect(aliceDecision.outcome).toBe("challenge");
        expect(aliceDecision.requiredControls).toEqual([{ control: "mfa", policyIds: [mfa.policy.id] }]);
        expect(decide(compiled, signIn(alice.id, "203.0.113.7", ["password", "microsoftAuthenticatorPush"])).outcome).toBe("grant");
        expect(decide(compiled, signIn(alice.id, "198.51.100.9", ["password", "microsoftAuthenticatorPush"])).outcome).toBe("grant");

        const veraDecision = decide(compiled, signIn(vera.id, "198.51.100.9", ["password", "microsoftAuthenticatorPush"]));
        expect(veraDecision.outcome).toBe("block");
        expect(veraDecision.blockReasons?.map((r) => r.policyId)).toContain(block.policy.id);
        expect(decide(compiled, signIn(vera.id, "203.0.113.7")).outcome).toBe("challenge");

        expect(decide(compiled, signIn(breakGlass.id, "198.51.100.9")).outcome).toBe("grant");
      });

      it("follows later writes: a policy turned off no longer decides", async () => {
        const store = await freshStore();
        await store.tenant.put({ tenantId: "t", displayName: "T" });
        const alice = await store.users.create({ userPrincipalName: "alice@contoso.test", displayName: "Alice" });
        const p = await store.policies.create(policy({ grantControls: { operator: "OR", builtInControls: ["block"] } }), { audit: admin });
        const request: WhatIfRequest = {
          signInIdentity: { "@odata.type": "#microsoft.graph.userSignIn", userId: alice.id },
          signInContext: {
            "@odata.type": "#microsoft.graph.applicationContext",
            includeApplications: ["d0000000-0000-0000-0000-000000000001"],
          },
          signInConditions: { clientAppType: "browser", devicePlatform: "windows", ipAddress: "203.0.113.7" },
        };
        expect(decide(compileTenant(await store.loadTenantSnapshot()), request).outcome).toBe("block");
        await store.policies.update(p.policy.id, { ...p.policy, state: "disabled" }, { audit: admin, ifMatchVersion: p.version });
        expect(decide(compileTenant(await store.loadTenantSnapshot()), request).outcome).toBe("grant");
      });
    });
  });
}
