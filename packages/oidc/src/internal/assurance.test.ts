import { describe, expect, it } from "vitest";
import { ACR_MFA, ACR_PHISHING_RESISTANT_MFA, ACR_SINGLE_FACTOR, assuranceOf, satisfiesCombination, sessionFactsOf } from "./assurance.js";

describe("amr and acr of a sign-in (RFC 8176, our acr values)", () => {
  it.each([
    [["password"], undefined, ["pwd"], ACR_SINGLE_FACTOR],
    [["password", "totp"], undefined, ["pwd", "otp", "mfa"], ACR_MFA],
    [["password", "passkey"], "hwk", ["pwd", "hwk", "mfa"], ACR_PHISHING_RESISTANT_MFA],
    [["password", "passkey"], "swk", ["pwd", "swk", "mfa"], ACR_PHISHING_RESISTANT_MFA],
    [["password", "totp", "passkey"], "hwk", ["pwd", "otp", "hwk", "mfa"], ACR_PHISHING_RESISTANT_MFA],
    [["totp"], undefined, ["otp"], ACR_SINGLE_FACTOR],
  ] as const)("%j (%s) -> %j %s", (methods, binding, amr, acr) => {
    expect(assuranceOf([...methods], binding)).toEqual({ amr, acr });
  });

  it("reads combinations as the engine's strengths write them", () => {
    expect(satisfiesCombination(["password", "softwareOath"], [["password", "softwareoath"]])).toBe(true);
    expect(satisfiesCombination(["softwareOath"], [["password", "softwareoath"], ["fido2"]])).toBe(false);
  });
});

describe("sessionFactsOf: what a refresh evaluates with (R2, R30)", () => {
  it("turns amr back into method modes and gty into the original transfer method", () => {
    expect(sessionFactsOf({ amr: ["pwd", "otp", "mfa"], gty: "authorization_code" })).toEqual({
      authenticationMethods: ["password", "softwareOath"],
      originalTransferMethod: "none",
    });
    expect(sessionFactsOf({ amr: ["pwd", "hwk", "mfa"], gty: "device_code refresh_token" })).toEqual({
      authenticationMethods: ["password", "fido2"],
      originalTransferMethod: "deviceCodeFlow",
    });
  });

  it("counts unknown amr values for nothing (never more methods than proven)", () => {
    expect(sessionFactsOf({ amr: ["mfa", "face", "pwd"] })).toEqual({
      authenticationMethods: ["password"],
      originalTransferMethod: "none",
    });
    expect(sessionFactsOf({})).toEqual({ authenticationMethods: [], originalTransferMethod: "none" });
  });
});
