import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { normalizeWhatIfRequest } from "./normalize-request.js";

const USER = "7d2e4f60-1a3b-4c5d-8e9f-0a1b2c3d4e5f";
const SP = "c65b94a5-0049-439a-a6fd-bce307077730";
const EXO = "00000002-0000-0ff1-ce00-000000000000";

const codes = (raw: unknown) => normalizeWhatIfRequest(raw).issues.map((i) => `${i.severity}:${i.code}@${i.path}`);

describe("normalizeWhatIfRequest", () => {
  it("reads the v1.0 evaluate body", () => {
    const body = {
      signInIdentity: { "@odata.type": "#microsoft.graph.servicePrincipalSignIn", servicePrincipalId: SP },
      signInContext: { "@odata.type": "#microsoft.graph.applicationContext", includeApplications: [EXO] },
      signInConditions: { servicePrincipalRiskLevel: "high", country: "CA", ipAddress: "40.77.182.32" },
      appliedPoliciesOnly: true,
    };
    expect(normalizeWhatIfRequest(body)).toEqual({ request: body, issues: [] });
  });

  it("reads the legacy beta body and maps it to the v1.0 shape", () => {
    const { request, issues } = normalizeWhatIfRequest({
      conditionalAccessWhatIfSubject: {
        "@odata.type": "#microsoft.graph.userSubject",
        userId: USER,
        externalUserType: "ServiceProviderUser",
      },
      conditionalAccessContext: { "@odata.type": "#microsoft.graph.whatIfApplicationContext", includeApplications: [EXO] },
      conditionalAccessWhatIfConditions: {
        clientAppType: "Browser",
        devicePlatform: "IOS",
        deviceInfo: { extenstionAttribute1: "SAW", isCompliant: "true" },
      },
    });
    expect(issues).toEqual([]);
    expect(request).toEqual({
      signInIdentity: { "@odata.type": "#microsoft.graph.userSignIn", userId: USER, externalUserType: "serviceProvider" },
      signInContext: { "@odata.type": "#microsoft.graph.applicationContext", includeApplications: [EXO] },
      signInConditions: { clientAppType: "browser", devicePlatform: "iOS", deviceInfo: { extensionAttribute1: "SAW", isCompliant: true } },
    });
  });

  it("reads PascalCase keys and infers missing @odata.type from the fields", () => {
    const { request, issues } = normalizeWhatIfRequest({
      SignInIdentity: { UserId: USER, ExternalTenantId: "t" },
      SignInContext: { IncludeApplications: ["All"] },
      SignInConditions: {
        SignInRiskLevel: "Medium",
        AuthenticationFlow: { TransferMethod: "DeviceCodeFlow" },
        DeviceInfo: { TrustType: "AzureAD", DeviceOwnership: "Company" },
      },
    });
    expect(issues).toEqual([]);
    expect(request).toEqual({
      signInIdentity: { "@odata.type": "#microsoft.graph.userSignIn", userId: USER, externalTenantId: "t" },
      signInContext: { "@odata.type": "#microsoft.graph.applicationContext", includeApplications: ["All"] },
      signInConditions: {
        signInRiskLevel: "medium",
        authenticationFlow: { transferMethod: "deviceCodeFlow" },
        deviceInfo: { trustType: "AzureAD", ownership: "Company" },
      },
    });
    expect(
      normalizeWhatIfRequest({ signInIdentity: { servicePrincipalId: SP }, signInContext: { authenticationContextValue: "C7" } }).request,
    ).toEqual({
      signInIdentity: { "@odata.type": "#microsoft.graph.servicePrincipalSignIn", servicePrincipalId: SP },
      signInContext: { "@odata.type": "#microsoft.graph.authContext", authenticationContextValue: "c7" },
    });
  });

  it.each([
    ["registerSecurityInformation", "urn:user:registersecurityinfo"],
    ["registerOrJoinDevices", "urn:user:registerdevice"],
    ["REGISTERORJOINDEVICES", "urn:user:registerdevice"],
    ["urn:user:registersecurityinfo", "urn:user:registersecurityinfo"],
    ["URN:USER:REGISTERDEVICE", "urn:user:registerdevice"],
  ])("normalizes the user action %s to %s", (userAction, urn) => {
    const { request } = normalizeWhatIfRequest({ signInIdentity: { userId: USER }, signInContext: { userAction } });
    expect(request?.signInContext).toEqual({ "@odata.type": "#microsoft.graph.userActionContext", userAction: urn });
  });

  it("reads the legacy authentication context and user action contexts", () => {
    expect(
      normalizeWhatIfRequest({
        conditionalAccessWhatIfSubject: { userId: USER },
        conditionalAccessContext: { "@odata.type": "#microsoft.graph.whatIfAuthenticationContext", authenticationContext: "c25" },
      }).request?.signInContext,
    ).toEqual({ "@odata.type": "#microsoft.graph.authContext", authenticationContextValue: "c25" });
    expect(
      normalizeWhatIfRequest({
        conditionalAccessWhatIfSubject: { userId: USER },
        conditionalAccessContext: { "@odata.type": "#microsoft.graph.whatIfUserActionContext", userAction: "registerSecurityInformation" },
      }).request?.signInContext,
    ).toEqual({ "@odata.type": "#microsoft.graph.userActionContext", userAction: "urn:user:registersecurityinfo" });
  });

  it("keeps our satisfied extension and unknown device platforms", () => {
    const { request, issues } = normalizeWhatIfRequest({
      signInIdentity: { userId: USER },
      signInContext: { includeApplications: [EXO] },
      signInConditions: { devicePlatform: "chromeOS" },
      satisfied: { authenticationMethods: ["password", "fido2"], termsOfUse: [], passwordChange: true },
    });
    expect(issues).toEqual([]);
    expect(request?.signInConditions?.devicePlatform).toBe("chromeOS");
    expect(request?.satisfied).toEqual({ authenticationMethods: ["password", "fido2"], termsOfUse: [], passwordChange: true });
  });

  it("warns about unknown risk levels and client app types but keeps the request", () => {
    const { request, issues } = normalizeWhatIfRequest({
      signInIdentity: { userId: USER },
      signInContext: { includeApplications: [EXO] },
      signInConditions: { userRiskLevel: "severe", clientAppType: "fax" },
    });
    expect(request).not.toBeNull();
    expect(issues.map((i) => `${i.severity}:${i.code}@${i.path}`)).toEqual([
      "warning:unknownEnumValue@$.signInConditions.clientAppType",
      "warning:unknownEnumValue@$.signInConditions.userRiskLevel",
    ]);
  });

  it("reports a missing identity or context and returns no request", () => {
    const { request, issues } = normalizeWhatIfRequest({});
    expect(request).toBeNull();
    expect(issues.map((i) => `${i.code}@${i.path}`)).toEqual([
      "missingSignInIdentity@$.signInIdentity",
      "missingSignInContext@$.signInContext",
    ]);
    expect(codes({ signInIdentity: { externalTenantId: "x" }, signInContext: { foo: 1 } })).toEqual([
      "error:missingSignInIdentity@$.signInIdentity",
      "error:missingSignInContext@$.signInContext",
    ]);
    expect(
      codes({ signInIdentity: { "@odata.type": "#microsoft.graph.userSignIn" }, signInContext: { includeApplications: [EXO] } }),
    ).toEqual(["error:missingValue@$.signInIdentity.userId"]);
  });

  it("reports wrong types with their paths", () => {
    expect(codes({ signInIdentity: { userId: 42 }, signInContext: { includeApplications: EXO } })).toEqual([
      "error:wrongType@$.signInIdentity.userId",
      "error:wrongType@$.signInContext.includeApplications",
    ]);
    expect(codes({ signInIdentity: { userId: USER }, signInContext: { includeApplications: [EXO, 7] } })).toEqual([
      "error:wrongType@$.signInContext.includeApplications[1]",
    ]);
    expect(codes({ signInIdentity: { userId: USER }, signInContext: { includeApplications: [] } })).toEqual([
      "error:missingValue@$.signInContext.includeApplications",
    ]);
    expect(
      codes({
        signInIdentity: "me",
        signInContext: { includeApplications: [EXO] },
        signInConditions: { ipAddress: 1, deviceInfo: { isCompliant: "maybe", model: 3 } },
        appliedPoliciesOnly: "yes",
        satisfied: { authenticationMethods: 5 },
      }),
    ).toEqual([
      "error:wrongType@$.signInIdentity",
      "error:wrongType@$.signInConditions.ipAddress",
      "error:wrongType@$.signInConditions.deviceInfo.isCompliant",
      "error:wrongType@$.signInConditions.deviceInfo.model",
      "error:wrongType@$.appliedPoliciesOnly",
      "error:wrongType@$.satisfied.authenticationMethods",
    ]);
  });

  it("rejects unknown identity and context types, user actions and authentication contexts", () => {
    expect(
      codes({
        signInIdentity: { "@odata.type": "#microsoft.graph.deviceSignIn", userId: USER },
        signInContext: { "@odata.type": "#microsoft.graph.whatIfPermissionScopeContext" },
      }),
    ).toEqual([
      'error:unknownSignInIdentityType@$.signInIdentity["@odata.type"]',
      'error:unknownSignInContextType@$.signInContext["@odata.type"]',
    ]);
    expect(codes({ signInIdentity: { userId: USER }, signInContext: { userAction: "resetPassword" } })).toEqual([
      "error:unknownUserAction@$.signInContext.userAction",
    ]);
    expect(codes({ signInIdentity: { userId: USER }, signInContext: { authenticationContextValue: "c100" } })).toEqual([
      "error:invalidAuthenticationContext@$.signInContext.authenticationContextValue",
    ]);
  });

  it("parses text and reports invalid JSON", () => {
    expect(
      normalizeWhatIfRequest(JSON.stringify({ signInIdentity: { userId: USER }, signInContext: { includeApplications: [EXO] } })).request,
    ).not.toBeNull();
    expect(codes("{")).toEqual(["error:invalidJson@$"]);
    expect(codes(null)).toEqual(["error:notAnObject@$"]);
  });

  it("never throws and returns a request only without errors (property)", () => {
    fc.assert(
      fc.property(
        fc.record(
          {
            signInIdentity: fc.oneof(fc.jsonValue(), fc.record({ userId: fc.jsonValue() }), fc.record({ servicePrincipalId: fc.string() })),
            signInContext: fc.oneof(
              fc.jsonValue(),
              fc.record({ includeApplications: fc.jsonValue() }),
              fc.record({ userAction: fc.jsonValue() }),
            ),
            signInConditions: fc.oneof(fc.jsonValue(), fc.record({ deviceInfo: fc.jsonValue(), country: fc.jsonValue() })),
          },
          { requiredKeys: [] },
        ),
        (raw) => {
          const { request, issues } = normalizeWhatIfRequest(raw);
          expect(request === null).toBe(issues.some((i) => i.severity === "error"));
        },
      ),
    );
  });
});
