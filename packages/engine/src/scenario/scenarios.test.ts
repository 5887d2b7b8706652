import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { runScenarioFile } from "./run-scenario-file.js";

/** The golden scenario corpus (packages/engine/scenarios), one test per case. */
const folder = new URL("../../scenarios/", import.meta.url);
const files = readdirSync(folder)
  .filter((f) => f.endsWith(".json"))
  .sort();

/** Rules an offline evaluation can exercise (spec §3); each must be cited by a case. */
const OFFLINE_RULES = [
  "R1",
  "R3",
  "R4",
  "R5",
  "R6",
  "R8",
  "R9",
  "R10",
  "R11",
  "R12",
  "R13",
  "R14",
  "R15",
  "R16",
  "R19",
  "R22",
  "R23",
  "R24",
  "R25",
  "R26",
  "R28",
  "R29",
  "R30",
  "R31",
  "R33",
  "R34",
  "R35",
  "R37",
  "R38",
  "R39",
  "R40",
  "R41",
  "R42",
  "R46",
];

const cited = new Set<string>();

describe("golden scenarios", () => {
  it("the corpus is not empty", () => {
    expect(files.length).toBeGreaterThan(0);
  });

  for (const file of files) {
    const doc = JSON.parse(readFileSync(new URL(file, folder), "utf8")) as unknown;
    const result = runScenarioFile(doc);
    describe(file, () => {
      it("has a valid tenant and cases", () => {
        expect(result.issues.map((i) => `${i.path}: ${i.message}`)).toEqual([]);
      });
      for (const c of result.cases) {
        for (const rule of c.rules) for (const r of rule.split(/[^R0-9]+/)) if (/^R\d+$/.test(r)) cited.add(r);
        it(`${c.name}${c.rules.length ? ` (${c.rules.join(", ")})` : ""}`, () => {
          expect(c.mismatches).toEqual([]);
        });
      }
    });
  }

  it("every offline-evaluable rule of the spec is cited by at least one case", () => {
    expect(OFFLINE_RULES.filter((r) => !cited.has(r))).toEqual([]);
  });
});
