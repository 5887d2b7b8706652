import { describe, expect, it } from "vitest";
import { parseClaimsChallenge } from "./claims-challenge";

const encode = (value: unknown, url = false) => {
  const base64 = btoa(JSON.stringify(value));
  return url ? base64.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "") : base64;
};
const CLAIMS = { access_token: { acr: { essential: true, values: ["urn:gatehouse:acr:mfa", "urn:gatehouse:acr:phr"] } } };

describe("parseClaimsChallenge", () => {
  it("decodes the acr values of an insufficient_claims challenge (base64 or base64url)", () => {
    for (const url of [false, true]) {
      const header = `Bearer realm="", authorization_uri="http://localhost/oauth2/auth", error="insufficient_claims", claims="${encode(CLAIMS, url)}"`;
      expect(parseClaimsChallenge(header)).toEqual({ acrValues: ["urn:gatehouse:acr:mfa", "urn:gatehouse:acr:phr"], claims: CLAIMS });
    }
  });

  it("accepts a single acr value", () => {
    const header = `Bearer error="insufficient_claims", claims="${encode({ access_token: { acr: { essential: true, value: "c1" } } })}"`;
    expect(parseClaimsChallenge(header)?.acrValues).toEqual(["c1"]);
  });

  it("is null for other challenges and malformed claims", () => {
    expect(parseClaimsChallenge(null)).toBeNull();
    expect(parseClaimsChallenge('Bearer error="invalid_token", error_description="expired"')).toBeNull();
    expect(parseClaimsChallenge('Bearer error="insufficient_claims"')).toBeNull();
    expect(parseClaimsChallenge('Bearer error="insufficient_claims", claims="not base64 json"')).toBeNull();
    expect(parseClaimsChallenge(`Basic error="insufficient_claims", claims="${encode(CLAIMS)}"`)).toBeNull();
  });
});
