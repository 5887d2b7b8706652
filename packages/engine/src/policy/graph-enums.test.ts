import { describe, expect, it } from "vitest";
import type { GraphEnum } from "./graph-enums.js";
import * as enums from "./graph-enums.js";

const tables = Object.entries(enums).filter((entry): entry is [string, GraphEnum] => {
  const value = entry[1];
  return typeof value === "object" && value !== null && "known" in value && Array.isArray(value.known);
});

describe("graph-enums", () => {
  it("lists each value once per table, never both documented and preview/deprecated", () => {
    expect(tables.length).toBeGreaterThan(25);
    for (const [name, table] of tables) {
      const all = enums.enumValues(table);
      expect(new Set(all.map((v) => v.toLowerCase())).size, name).toBe(all.length);
      expect(all.includes(enums.UNKNOWN_FUTURE_VALUE), name).toBe(false);
    }
  });

  it("maps any casing to Graph's documented spelling, unknownFutureValue included", () => {
    const platforms = enums.spellingTable(enums.DEVICE_PLATFORMS);
    expect(platforms.get("ios")).toBe("iOS");
    expect(platforms.get("windowsphone")).toBe("windowsPhone");
    expect(platforms.get("unknownfuturevalue")).toBe("unknownFutureValue");
    expect(enums.spellingTable(enums.CLIENT_APP_TYPES).get("easunsupported")).toBe("easUnsupported");
    expect(enums.spellingTable(enums.GRANT_CONTROLS).get("verifiedid")).toBe("verifiedID");
    expect(enums.spellingTable(enums.INCLUDE_APPLICATIONS_KEYWORDS).get("allagentidresources")).toBe("AllAgentIdResources");
  });

  it("knows the spec's documented values (§1.3, §1.7, §1.10)", () => {
    expect(enums.CLIENT_APP_TYPES.known).toEqual([
      "all",
      "browser",
      "mobileAppsAndDesktopClients",
      "exchangeActiveSync",
      "easSupported",
      "other",
    ]);
    expect(enums.GRANT_CONTROLS.known).toContain("passwordChange");
    expect(enums.RISK_LEVELS.known).toEqual(["low", "medium", "high", "hidden", "none"]);
    expect(enums.USER_ACTION_URNS.registerOrJoinDevices).toBe("urn:user:registerdevice");
  });
});
