import { describe, expect, it } from "vitest";
import { InvalidRequestError } from "../errors/invalid-request-error.js";
import { parseFilter } from "./parse-filter.js";
import { decodeSkipToken, encodeSkipToken, parseListQuery } from "./parse-list-query.js";

const SPEC = {
  eq: { id: "id", displayName: "displayName", state: "state", accountEnabled: "accountEnabled" },
  booleans: ["accountEnabled"],
  startsWith: { displayName: "displayNameStartsWith" },
};

describe("$filter", () => {
  it("reads eq, startswith and and, with quotes doubled inside literals", () => {
    expect(parseFilter("displayName eq 'O''Brien' and startswith(displayName, 'O') and accountEnabled eq true", SPEC)).toEqual({
      displayName: "O'Brien",
      displayNameStartsWith: "O",
      accountEnabled: true,
    });
  });

  it("treats property names case-insensitively and keeps ' and ' inside a literal", () => {
    expect(parseFilter("DisplayName eq 'salt and pepper'", SPEC)).toEqual({ displayName: "salt and pepper" });
  });

  it("refuses other operators, properties and shapes, naming the expression", () => {
    for (const expression of [
      "displayName ne 'x'",
      "userType eq 'Guest'",
      "state eq 3",
      "accountEnabled eq 'true'",
      "endswith(displayName,'x')",
      "displayName eq 'x' or id eq 'y'",
    ]) {
      expect(() => parseFilter(expression, SPEC), expression).toThrow(InvalidRequestError);
    }
    try {
      parseFilter("userType eq 'Guest'", SPEC);
    } catch (error) {
      expect((error as Error).message).toContain("'userType eq 'Guest''");
    }
  });
});

describe("$top and $skiptoken", () => {
  it("round-trips a skip token and refuses a forged one", () => {
    expect(decodeSkipToken(encodeSkipToken(200))).toBe(200);
    expect(() => decodeSkipToken(Buffer.from("v1:-1").toString("base64url"))).toThrow(InvalidRequestError);
    expect(() => decodeSkipToken("%%%")).toThrow(InvalidRequestError);
  });

  it("defaults $top to 100 and accepts 1..999 only", () => {
    expect(parseListQuery({}, SPEC).top).toBe(100);
    expect(parseListQuery({ $top: "999" }, SPEC).top).toBe(999);
    for (const top of ["0", "1000", "-1", "abc", "1.5"])
      expect(() => parseListQuery({ $top: top }, SPEC), top).toThrow(InvalidRequestError);
  });
});
