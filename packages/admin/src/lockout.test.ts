import { describe, expect, it } from "vitest";
import { findLockout, trustedLocationAddress } from "./lockout.js";
import { ADMIN, BLOCK, MANAGEMENT_API, MFA, OTHER_ADMIN, policy, tenant } from "./test-tenant.js";

const BLOCK_ALL_ID = "d0000000-0000-4000-8000-0000000000b1";
const blockAll = (users: Record<string, unknown> = { includeUsers: ["All"] }) =>
  policy({ id: BLOCK_ALL_ID, displayName: "CA00 - Block everything", users, grantControls: BLOCK });

const check = (proposedPolicies: ReturnType<typeof policy>[], current: ReturnType<typeof policy>[] = [], extra = {}) =>
  findLockout({ snapshot: tenant(current), proposedPolicies, caller: { userId: ADMIN }, managementApiAppId: MANAGEMENT_API, ...extra });

describe("findLockout", () => {
  it("reports a certain lockout (error) naming the policy when All users are blocked from All resources", () => {
    const lockout = check([blockAll()]);
    expect(lockout?.severity).toBe("error");
    expect(lockout?.policies).toEqual([{ id: BLOCK_ALL_ID, displayName: "CA00 - Block everything" }]);
    expect(lockout?.message).toContain('"CA00 - Block everything"');
    expect(lockout?.message).toContain("lock you out");
    expect(lockout?.contexts.map((c) => [c.name, c.currentOutcome, c.proposedOutcome])).toEqual([
      ["portal", "grant", "block"],
      ["cli", "grant", "block"],
      ["portalTrustedLocation", "grant", "block"],
      ["cliTrustedLocation", "grant", "block"],
    ]);
  });

  it("reports nothing when the caller is excluded from the block-all policy", () => {
    expect(check([blockAll({ includeUsers: ["All"], excludeUsers: [ADMIN] })])).toBeNull();
  });

  it("reports nothing for an MFA policy: MFA is an interactive step the caller can complete", () => {
    expect(check([policy({ id: "d0000000-0000-4000-8000-0000000000c1", grantControls: MFA })])).toBeNull();
  });

  it("reports nothing for a report-only or disabled block", () => {
    expect(check([policy({ id: "d1", state: "enabledForReportingButNotEnforced", grantControls: BLOCK })])).toBeNull();
    expect(check([policy({ id: "d2", state: "disabled", grantControls: BLOCK })])).toBeNull();
  });

  it("reports nothing when the caller is already blocked by the current set", () => {
    expect(check([blockAll()], [blockAll()])).toBeNull();
  });

  it("reports nothing for a block that targets another resource", () => {
    expect(
      check([policy({ id: "d3", applications: { includeApplications: ["797f4846-ba00-4fd7-ba43-dac1f8f63013"] }, grantControls: BLOCK })]),
    ).toBeNull();
  });

  it("warns when only some representative sign-ins are blocked (the CLI client)", () => {
    const cliBlock = policy({
      id: "d4",
      displayName: "Block desktop clients",
      clientAppTypes: ["mobileAppsAndDesktopClients"],
      grantControls: BLOCK,
    });
    const lockout = check([cliBlock]);
    expect(lockout?.severity).toBe("warning");
    expect(lockout?.policies).toEqual([{ id: "d4", displayName: "Block desktop clients" }]);
    expect(lockout?.message).toContain("the CLI");
  });

  it("treats the trusted location as a way in: blocking only untrusted locations is a warning", () => {
    const outside = policy({
      id: "d5",
      displayName: "Block outside the office",
      locations: { includeLocations: ["All"], excludeLocations: ["AllTrusted"] },
      grantControls: BLOCK,
    });
    expect(check([outside])?.severity).toBe("warning");
    // Without a trusted location every representative sign-in is outside: a certain lockout.
    const lockout = findLockout({
      snapshot: tenant([], { trustedLocation: false }),
      proposedPolicies: [outside],
      caller: { userId: ADMIN },
      managementApiAppId: MANAGEMENT_API,
    });
    expect(lockout?.severity).toBe("error");
    expect(lockout?.contexts.map((c) => c.name)).toEqual(["portal", "cli"]);
  });

  it("is an error when the caller's current sign-in is newly blocked, even if other sign-ins still work", () => {
    const macBlock = policy({ id: "d6", displayName: "Block macOS", platforms: { includePlatforms: ["macOS"] }, grantControls: BLOCK });
    expect(check([macBlock])?.severity).toBe("warning");
    const lockout = check([macBlock], [], {
      callerSession: { signInConditions: { devicePlatform: "macOS", clientAppType: "browser", ipAddress: "198.51.100.7" } },
    });
    expect(lockout?.severity).toBe("error");
    expect(lockout?.message).toContain("the sign-in you are using now");
  });

  it("is only a warning when the current sign-in still works though every representative one is blocked", () => {
    const needsCompliantDevice = policy({
      id: "d7",
      displayName: "Require a compliant device",
      grantControls: { operator: "OR", builtInControls: ["compliantDevice"] },
    });
    expect(check([needsCompliantDevice])?.severity).toBe("error");
    const lockout = check([needsCompliantDevice], [], {
      callerSession: { signInConditions: { devicePlatform: "windows", clientAppType: "browser", deviceInfo: { isCompliant: true } } },
    });
    expect(lockout?.severity).toBe("warning");
  });

  it("uses the session's satisfied methods, so an authentication strength is a prompt, not a block", () => {
    const strength = policy({
      id: "d8",
      grantControls: { operator: "OR", builtInControls: [], authenticationStrength: { id: "00000000-0000-0000-0000-000000000004" } },
    });
    expect(check([strength], [], { callerSession: { authenticationMethods: ["password", "sms"] } })).toBeNull();
  });

  it("does not report a block on another admin only", () => {
    expect(check([blockAll({ includeUsers: [OTHER_ADMIN] })])).toBeNull();
  });
});

describe("trustedLocationAddress", () => {
  it("picks the first address of the first trusted IP location, or null without one", () => {
    expect(trustedLocationAddress(tenant())).toEqual({ address: "203.0.113.0", locationName: "Head office" });
    expect(trustedLocationAddress(tenant([], { trustedLocation: false }))).toBeNull();
    const untrusted = tenant();
    untrusted.namedLocations = untrusted.namedLocations.map((l) => ({ ...l, isTrusted: false }) as typeof l);
    expect(trustedLocationAddress(untrusted)).toBeNull();
  });
});
