import { describe, expect, it } from "vitest";
import { compileTenant } from "../compile/compile-tenant.js";
import type { ConditionalAccessPolicy } from "../policy/types.js";
import type { WhatIfRequest } from "../whatif/types.js";
import { decide, whatIf } from "./evaluate.js";
import { APPS, baseTenant, testPolicy as policy, SP, USERS } from "./test-arbitraries.js";

const request = (extra: Partial<WhatIfRequest> = {}, conditions: WhatIfRequest["signInConditions"] = {}): WhatIfRequest => ({
  signInIdentity: { "@odata.type": "#microsoft.graph.userSignIn", userId: USERS[0] as string },
  signInContext: { "@odata.type": "#microsoft.graph.applicationContext", includeApplications: [APPS[0] as string] },
  signInConditions: { clientAppType: "browser", devicePlatform: "windows", ipAddress: "203.0.113.5", ...conditions },
  ...extra,
});

describe("fail closed", () => {
  it("an enabled policy whose device filter rule does not parse is enforced, with the reason", () => {
    const tenant = compileTenant(
      baseTenant([policy({ conditions: { devices: { deviceFilter: { mode: "exclude", rule: "device.isCompliant -eq" } } } })]),
    );
    expect(tenant.issues.map((i) => i.code)).toContain("invalidFilterRule");
    const answer = whatIf(tenant, request());
    expect(answer.value[0]).toMatchObject({ policyApplies: false, analysisReasons: "invalidCondition", result: "failure" });
    expect(answer.decision.outcome).toBe("challenge");
    expect(answer.decision.blockReasons?.[0]?.code).toBe("invalidCondition");
  });

  it("an invalid filter does not matter when another condition already excludes the sign-in", () => {
    const p = policy({
      conditions: {
        users: {
          includeUsers: [USERS[1] as string],
          excludeUsers: [],
          includeGroups: [],
          excludeGroups: [],
          includeRoles: [],
          excludeRoles: [],
          includeGuestsOrExternalUsers: null,
          excludeGuestsOrExternalUsers: null,
        },
        devices: { deviceFilter: { mode: "include", rule: "device.bogus -eq 1" } },
      },
    });
    const answer = whatIf(compileTenant(baseTenant([p])), request());
    expect(answer.value[0]).toMatchObject({ policyApplies: false, analysisReasons: "users", result: "notApplied" });
    expect(answer.decision.outcome).toBe("grant");
  });

  it("an unknown user is blocked", () => {
    const d = decide(
      compileTenant(baseTenant([])),
      request({ signInIdentity: { "@odata.type": "#microsoft.graph.userSignIn", userId: "12345678-0000-0000-0000-000000000000" } }),
    );
    expect(d.outcome).toBe("block");
    expect(d.blockReasons?.map((r) => r.code)).toEqual(["unknownUser"]);
  });

  it("a B2B direct connect user without a directory object is evaluated, not rejected (R12)", () => {
    const d = decide(
      compileTenant(baseTenant([policy({})])),
      request({
        signInIdentity: {
          "@odata.type": "#microsoft.graph.userSignIn",
          userId: "12345678-0000-0000-0000-000000000000",
          externalUserType: "b2bDirectConnectUser",
          externalTenantId: "22222222-2222-2222-2222-222222222222",
        },
      }),
    );
    // R37: direct-connect users can't do MFA in the resource tenant without inbound trust.
    expect(d.outcome).toBe("block");
    expect(d.blockReasons?.map((r) => r.code)).toEqual(["cannotSatisfy"]);
  });

  it("a malformed IP address is blocked", () => {
    const d = decide(compileTenant(baseTenant([])), request({}, { ipAddress: "300.1.1.1" }));
    expect(d.outcome).toBe("block");
    expect(d.blockReasons?.[0]?.code).toBe("invalidIpAddress");
  });

  it("an authentication strength the tenant does not have cannot be satisfied", () => {
    const p = policy({
      grantControls: {
        operator: "OR",
        builtInControls: [],
        customAuthenticationFactors: [],
        termsOfUse: [],
        authenticationStrength: { id: "99999999-0000-0000-0000-000000000000" },
      },
    });
    const d = decide(compileTenant(baseTenant([p])), request({ satisfied: { authenticationMethods: ["fido2"] } }));
    expect(d.outcome).toBe("block");
  });

  it("an unknown future grant control cannot be satisfied", () => {
    const p = policy({
      grantControls: {
        operator: "AND",
        builtInControls: ["unknownFutureValue"],
        customAuthenticationFactors: [],
        termsOfUse: [],
        authenticationStrength: null,
      },
    });
    expect(decide(compileTenant(baseTenant([p])), request()).outcome).toBe("block");
  });

  it("an unknown future policy state is enforced", () => {
    const p = policy({ state: "partiallyEnabled" });
    expect(decide(compileTenant(baseTenant([p])), request()).outcome).toBe("challenge");
  });
});

describe("decisions", () => {
  it("a request for several resources is subject to the policies of each (R19)", () => {
    const p = policy({
      conditions: {
        applications: {
          includeApplications: [APPS[1] as string],
          excludeApplications: [],
          includeUserActions: [],
          includeAuthenticationContextClassReferences: [],
          applicationFilter: null,
        },
      },
    });
    const tenant = compileTenant(baseTenant([p]));
    expect(decide(tenant, request()).outcome).toBe("grant");
    expect(
      decide(
        tenant,
        request({
          signInContext: {
            "@odata.type": "#microsoft.graph.applicationContext",
            includeApplications: [APPS[0] as string, APPS[1] as string],
          },
        }),
      ).outcome,
    ).toBe("challenge");
  });

  it("a phishing-resistant strength subsumes MFA in the prompt list (R37, R40)", () => {
    const mfa = policy({});
    const strong = policy({
      id: "ffffffff-0000-0000-0000-000000000002",
      grantControls: {
        operator: "OR",
        builtInControls: [],
        customAuthenticationFactors: [],
        termsOfUse: [],
        authenticationStrength: { id: "00000000-0000-0000-0000-000000000004" },
      },
    });
    const d = decide(compileTenant(baseTenant([mfa, strong])), request());
    expect(d.requiredControls).toEqual([
      {
        control: "authenticationStrength",
        authenticationStrength: {
          id: "00000000-0000-0000-0000-000000000004",
          displayName: "Phishing-resistant MFA",
          allowedCombinations: ["windowsHelloForBusiness", "fido2", "x509CertificateMultiFactor"],
        },
        policyIds: ["ffffffff-0000-0000-0000-000000000002", "ffffffff-0000-0000-0000-000000000001"],
      },
    ]);
  });

  it("service principals are never subject to user policies (R14) and can only be blocked (R16)", () => {
    const sp: WhatIfRequest = {
      ...request(),
      signInIdentity: { "@odata.type": "#microsoft.graph.servicePrincipalSignIn", servicePrincipalId: SP },
    };
    const user = policy({
      grantControls: {
        operator: "OR",
        builtInControls: ["block"],
        customAuthenticationFactors: [],
        termsOfUse: [],
        authenticationStrength: null,
      },
    });
    const answer = whatIf(compileTenant(baseTenant([user])), sp);
    expect(answer.value[0]).toMatchObject({ policyApplies: false, analysisReasons: "workloadIdentities" });
    expect(answer.decision.outcome).toBe("grant");
  });

  it("session controls merge to the shortest sign-in frequency (R41)", () => {
    const a = policy({
      grantControls: null,
      sessionControls: { signInFrequency: { isEnabled: true, value: 1, type: "days", frequencyInterval: "timeBased" } },
    });
    const b = policy({
      id: "ffffffff-0000-0000-0000-000000000002",
      grantControls: null,
      sessionControls: { signInFrequency: { isEnabled: true, value: 4, type: "hours", frequencyInterval: "timeBased" } },
    });
    const d = decide(compileTenant(baseTenant([a, b])), request());
    expect(d.outcome).toBe("grant");
    expect(d.sessionControls.signInFrequency).toMatchObject({ value: 4, type: "hours", frequencyInterval: "timeBased" });
    expect(d.conditionalAccessStatus).toBe("success");
  });

  it("appliedPoliciesOnly lists only applying policies (R45)", () => {
    const applies = policy({});
    const not = policy({ id: "ffffffff-0000-0000-0000-000000000002", conditions: { signInRiskLevels: ["high"] } });
    const answer = whatIf(compileTenant(baseTenant([applies, not])), { ...request(), appliedPoliciesOnly: true });
    expect(answer.value.map((v) => v.id)).toEqual(["ffffffff-0000-0000-0000-000000000001"]);
  });

  it("country locations use the injected IP-to-country lookup when the request gives no country (R26)", () => {
    const p = policy({
      conditions: { locations: { includeLocations: ["All"], excludeLocations: ["cccccccc-0000-0000-0000-000000000003"] } },
      grantControls: {
        operator: "OR",
        builtInControls: ["block"],
        customAuthenticationFactors: [],
        termsOfUse: [],
        authenticationStrength: null,
      },
    });
    const lookups: string[] = [];
    const tenant = compileTenant(baseTenant([p]), {
      lookupCountry: (ip) => {
        lookups.push(ip);
        return ip === "192.0.2.44" ? "NL" : null;
      },
    });
    expect(decide(tenant, request({}, { ipAddress: "192.0.2.44" })).outcome).toBe("grant");
    expect(decide(tenant, request({}, { ipAddress: "192.0.2.45" })).outcome).toBe("block");
    expect(decide(tenant, request({}, { ipAddress: "192.0.2.45", country: "BE" })).outcome).toBe("grant");
    expect(lookups).toEqual(["192.0.2.44", "192.0.2.45"]);
  });

  it("during security-info registration, a strength on the registration policy takes precedence over All-resources strengths (R37)", () => {
    const strength = (id: string) => ({
      operator: "AND",
      builtInControls: [],
      customAuthenticationFactors: [],
      termsOfUse: [],
      authenticationStrength: { id },
    });
    const allResources = policy({
      grantControls: strength("00000000-0000-0000-0000-000000000004") as ConditionalAccessPolicy["grantControls"],
    });
    const registration = policy({
      id: "ffffffff-0000-0000-0000-000000000002",
      conditions: {
        applications: {
          includeApplications: [],
          excludeApplications: [],
          includeUserActions: ["urn:user:registersecurityinfo"],
          includeAuthenticationContextClassReferences: [],
          applicationFilter: null,
        },
      },
      grantControls: strength("00000000-0000-0000-0000-000000000002") as ConditionalAccessPolicy["grantControls"],
    });
    const register: WhatIfRequest = {
      ...request({ satisfied: { authenticationMethods: ["password", "sms"] } }),
      signInContext: { "@odata.type": "#microsoft.graph.userActionContext", userAction: "registerSecurityInformation" },
    };
    // Only the All-resources policy: its phishing-resistant strength applies to registration too.
    expect(decide(compileTenant(baseTenant([allResources])), register).outcome).toBe("challenge");
    // With the registration policy: password + SMS satisfies its MFA strength, and the All-resources strength yields.
    const both = compileTenant(baseTenant([allResources, registration]));
    expect(decide(both, register).outcome).toBe("grant");
    expect(whatIf(both, register).decision.outcome).toBe("grant");
    // Anywhere else the phishing-resistant strength still holds.
    expect(decide(both, request({ satisfied: { authenticationMethods: ["password", "sms"] } })).outcome).toBe("challenge");
  });

  it("external users' home-tenant MFA and device claims count only with inbound trust (R37)", () => {
    const home = "22222222-2222-2222-2222-222222222222";
    const directConnect = (methods: string[]): WhatIfRequest =>
      request({
        signInIdentity: {
          "@odata.type": "#microsoft.graph.userSignIn",
          userId: "12345678-0000-0000-0000-000000000000",
          externalUserType: "b2bDirectConnectUser",
          externalTenantId: home,
        },
        satisfied: { authenticationMethods: methods },
      });
    const mfa = [policy({})];
    expect(decide(compileTenant(baseTenant(mfa)), directConnect(["password", "microsoftAuthenticatorPush"])).outcome).toBe("block");
    const trusting = {
      ...baseTenant(mfa),
      crossTenantAccessPolicy: { partners: [{ tenantId: home, inboundTrust: { isMfaAccepted: true } }] },
    };
    expect(decide(compileTenant(trusting), directConnect(["password", "microsoftAuthenticatorPush"])).outcome).toBe("grant");
    expect(decide(compileTenant(trusting), directConnect(["password"])).outcome).toBe("challenge");

    const compliant = [
      policy({
        grantControls: {
          operator: "OR",
          builtInControls: ["compliantDevice"],
          customAuthenticationFactors: [],
          termsOfUse: [],
          authenticationStrength: null,
        },
      }),
    ];
    // USERS[4] is a guest (userType Guest): a B2B collaboration guest from an unknown home tenant.
    const guest = request(
      { signInIdentity: { "@odata.type": "#microsoft.graph.userSignIn", userId: USERS[4] as string } },
      { deviceInfo: { isCompliant: true } },
    );
    expect(decide(compileTenant(baseTenant(compliant)), guest).outcome).toBe("block");
    const trustDevices = {
      ...baseTenant(compliant),
      crossTenantAccessPolicy: { default: { inboundTrust: { isCompliantDeviceAccepted: true } } },
    };
    expect(decide(compileTenant(trustDevices), guest).outcome).toBe("grant");
  });

  it("registering a device cannot be satisfied by Windows Hello for Business (R22)", () => {
    const p = policy({
      conditions: {
        applications: {
          includeApplications: [],
          excludeApplications: [],
          includeUserActions: ["urn:user:registerdevice"],
          includeAuthenticationContextClassReferences: [],
          applicationFilter: null,
        },
      },
    });
    const tenant = compileTenant(baseTenant([p]));
    const register = (methods: string[]): WhatIfRequest => ({
      ...request({ satisfied: { authenticationMethods: methods } }),
      signInContext: { "@odata.type": "#microsoft.graph.userActionContext", userAction: "registerOrJoinDevices" },
    });
    expect(decide(tenant, register(["windowsHelloForBusiness"])).outcome).toBe("challenge");
    expect(decide(tenant, register(["password", "microsoftAuthenticatorPush"])).outcome).toBe("grant");
  });
});
