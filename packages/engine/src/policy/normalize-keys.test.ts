import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  convertDotNetDate,
  isAnnotationKey,
  isNotConfigured,
  MAX_DEPTH,
  memberPath,
  normalizeKey,
  normalizeKeys,
} from "./normalize-keys.js";

describe("normalizeKey", () => {
  it("maps PowerShell SDK PascalCase to Graph camelCase", () => {
    expect(normalizeKey("DisplayName")).toBe("displayName");
    expect(normalizeKey("IncludeUsers")).toBe("includeUsers");
    expect(normalizeKey("BuiltInControls")).toBe("builtInControls");
    expect(normalizeKey("IsEnabled")).toBe("isEnabled");
  });

  it("fixes irregular casings with the table of known member names", () => {
    expect(normalizeKey("IPRanges")).toBe("ipRanges");
    expect(normalizeKey("DISPLAYNAME")).toBe("displayName");
    expect(normalizeKey("includeauthenticationcontextclassreferences")).toBe("includeAuthenticationContextClassReferences");
    expect(normalizeKey("@OData.Type")).toBe("@odata.type");
  });

  it("lower-cases only the first letter of unknown names", () => {
    expect(normalizeKey("SomeFutureMember")).toBe("someFutureMember");
    expect(normalizeKey("conditional_access_policies")).toBe("conditional_access_policies");
    expect(normalizeKey("")).toBe("");
  });
});

describe("isAnnotationKey", () => {
  it("recognizes OData annotations and actions but keeps @odata.type", () => {
    for (const key of [
      "@odata.context",
      "@odata.id",
      "@odata.editLink",
      "createdDateTime@odata.type",
      "#microsoft.graph.restore",
      "@microsoft.graph.tips",
    ]) {
      expect(isAnnotationKey(key), key).toBe(true);
    }
    expect(isAnnotationKey("@odata.type")).toBe(false);
    expect(isAnnotationKey("displayName")).toBe(false);
  });
});

describe("convertDotNetDate", () => {
  it("converts /Date(ms)/ with or without an offset to ISO-8601", () => {
    expect(convertDotNetDate("/Date(1656640539718)/")).toBe("2022-07-01T01:55:39.718Z");
    expect(convertDotNetDate("/Date(0+0200)/")).toBe("1970-01-01T00:00:00.000Z");
    expect(convertDotNetDate("/Date(-86400000)/")).toBe("1969-12-31T00:00:00.000Z");
  });

  it("returns null for anything else, including out-of-range dates", () => {
    expect(convertDotNetDate("2022-07-01T01:55:39Z")).toBeNull();
    expect(convertDotNetDate("/Date(abc)/")).toBeNull();
    expect(convertDotNetDate("/Date(9999999999999999)/")).toBeNull();
  });
});

describe("normalizeKeys", () => {
  it("normalizes keys deeply, strips annotations and converts .NET dates", () => {
    const input = {
      "@odata.context": "https://graph.microsoft.com/beta/$metadata#policies/$entity",
      "#microsoft.graph.restore": { title: "restore" },
      DisplayName: "x",
      "CreatedDateTime@odata.type": "#DateTimeOffset",
      CreatedDateTime: "/Date(1656640539718)/",
      Conditions: { Users: { IncludeUsers: ["All"] }, Locations: { "@odata.type": "#x", IncludeLocations: [] } },
    };
    expect(normalizeKeys(input)).toEqual({
      displayName: "x",
      createdDateTime: "2022-07-01T01:55:39.718Z",
      conditions: { users: { includeUsers: ["All"] }, locations: { "@odata.type": "#x", includeLocations: [] } },
    });
  });

  it("prefers the member already spelled in camelCase when both spellings are present", () => {
    expect(normalizeKeys({ State: "disabled", state: "enabled" })).toEqual({ state: "enabled" });
    expect(normalizeKeys({ state: "enabled", State: "disabled" })).toEqual({ state: "enabled" });
    expect(normalizeKeys({ STATE: "a", State: "b" })).toEqual({ state: "a" });
  });

  it("merges the SDK's AdditionalProperties into the object without overriding members", () => {
    const sdk = {
      Id: "1",
      DisplayName: "HQ",
      AdditionalProperties: { "@odata.type": "#microsoft.graph.ipNamedLocation", isTrusted: true, displayName: "ignored" },
    };
    expect(normalizeKeys(sdk)).toEqual({ id: "1", displayName: "HQ", "@odata.type": "#microsoft.graph.ipNamedLocation", isTrusted: true });
    expect(normalizeKeys({ Id: "1", AdditionalProperties: {} })).toEqual({ id: "1" });
  });

  it("drops __proto__ members instead of changing the prototype", () => {
    const out = normalizeKeys(JSON.parse('{"__proto__": {"polluted": true}, "a": 1}')) as Record<string, unknown>;
    expect(out).toEqual({ a: 1 });
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("cuts nesting deeper than MAX_DEPTH instead of overflowing the stack", () => {
    let deep: unknown = "leaf";
    for (let i = 0; i < 100_000; i++) deep = [deep];
    let out = normalizeKeys(deep);
    let depth = 0;
    while (Array.isArray(out)) {
      out = out[0];
      depth++;
    }
    expect(depth).toBe(MAX_DEPTH);
    expect(out).toBeNull();
  });

  it("is idempotent and never throws on any JSON value (property)", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const once = normalizeKeys(value);
        expect(normalizeKeys(once)).toEqual(once);
      }),
    );
  });
});

describe("isNotConfigured", () => {
  it("treats null, blanks, empty arrays and all-empty objects as not configured", () => {
    for (const value of [null, undefined, "", "  ", [], [null, ""], {}, { a: null, b: [], c: { d: null } }, { "@odata.type": "#x" }]) {
      expect(isNotConfigured(value), JSON.stringify(value)).toBe(true);
    }
  });

  it("treats false, numbers and any non-empty string as configured", () => {
    for (const value of [false, 0, "x", ["x"], { isEnabled: false }, { a: { b: 0 } }]) {
      expect(isNotConfigured(value), JSON.stringify(value)).toBe(false);
    }
  });
});

describe("memberPath", () => {
  it("writes identifier keys with a dot and other keys in brackets", () => {
    expect(memberPath("$", "conditions")).toBe("$.conditions");
    expect(memberPath("$.a", "@odata.type")).toBe('$.a["@odata.type"]');
  });
});
