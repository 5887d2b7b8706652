import {
  type ConditionalAccessPolicy,
  compileTenant,
  decide,
  MFA_STRENGTH_ID,
  normalizePolicy,
  PHISHING_RESISTANT_MFA_STRENGTH_ID,
  type TenantSnapshot,
  type WhatIfRequest,
} from "@gatehouse/engine";
import { describe, expect, it } from "vitest";
import { methodsForSession, type SignInMethod } from "./authentication-method-modes.js";

const USER = "aaaaaaaa-0000-0000-0000-000000000001";
const APP = "bbbbbbbb-0000-0000-0000-000000000001";

function requireStrength(id: string, strengthId: string): ConditionalAccessPolicy {
  const { policy } = normalizePolicy({
    id,
    displayName: `Require ${strengthId}`,
    state: "enabled",
    conditions: { users: { includeUsers: ["All"] }, applications: { includeApplications: ["All"] }, clientAppTypes: ["all"] },
    grantControls: { operator: "OR", authenticationStrength: { id: strengthId } },
  });
  if (policy === null) throw new Error("test policy does not normalize");
  return policy;
}

const tenant = (policies: ConditionalAccessPolicy[]): TenantSnapshot => ({
  tenantId: "t",
  policies,
  namedLocations: [],
  authenticationStrengthPolicies: [],
  users: [{ id: USER, userPrincipalName: "alice@contoso.test", userType: "Member" }],
  groups: [],
  roleAssignments: [],
  servicePrincipals: [],
});

const signIn = (used: SignInMethod[]): WhatIfRequest => ({
  signInIdentity: { "@odata.type": "#microsoft.graph.userSignIn", userId: USER },
  signInContext: { "@odata.type": "#microsoft.graph.applicationContext", includeApplications: [APP] },
  signInConditions: { clientAppType: "browser", devicePlatform: "windows", ipAddress: "203.0.113.5" },
  satisfied: { authenticationMethods: methodsForSession(used) },
});

describe("methodsForSession", () => {
  it("names our methods with Graph's authenticationMethodModes, each once", () => {
    expect(methodsForSession(["password", "totp"])).toEqual(["password", "softwareOath"]);
    expect(methodsForSession(["passkey"])).toEqual(["fido2"]);
    expect(methodsForSession(["password", "totp", "totp", "passkey"])).toEqual(["password", "softwareOath", "fido2"]);
    expect(methodsForSession([])).toEqual([]);
    expect(() => methodsForSession(["sms" as SignInMethod])).toThrow(TypeError);
  });
});

describe("authentication strengths with our methods", () => {
  const mfa = compileTenant(tenant([requireStrength("ffffffff-0000-0000-0000-000000000001", MFA_STRENGTH_ID)]));
  const phishingResistant = compileTenant(
    tenant([requireStrength("ffffffff-0000-0000-0000-000000000002", PHISHING_RESISTANT_MFA_STRENGTH_ID)]),
  );

  it("password + TOTP satisfies multifactor authentication but not phishing-resistant MFA", () => {
    expect(decide(mfa, signIn(["password", "totp"])).outcome).toBe("grant");
    expect(decide(phishingResistant, signIn(["password", "totp"])).outcome).not.toBe("grant");
  });

  it("a passkey satisfies both, alone or after a password", () => {
    for (const used of [["passkey"], ["password", "passkey"]] as SignInMethod[][]) {
      expect(decide(mfa, signIn(used)).outcome).toBe("grant");
      expect(decide(phishingResistant, signIn(used)).outcome).toBe("grant");
    }
  });

  it("a password alone or TOTP alone satisfies neither", () => {
    for (const used of [["password"], ["totp"]] as SignInMethod[][]) {
      expect(decide(mfa, signIn(used)).outcome).not.toBe("grant");
      expect(decide(phishingResistant, signIn(used)).outcome).not.toBe("grant");
    }
  });
});
