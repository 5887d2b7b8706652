import type { ConditionalAccessPolicy, WhatIfAnalysisResult, WhatIfResponse } from "@gatehouse/engine";
import { describe, expect, it } from "vitest";
import { describeGrantControls, describeSessionControls, formatWhatifTable } from "./format-whatif-table.js";
import { renderTable, wrapText } from "./render-table.js";

function entry(id: string, displayName: string, fields: Partial<WhatIfAnalysisResult>): WhatIfAnalysisResult {
  const policy: ConditionalAccessPolicy = {
    id,
    displayName,
    state: "enabled",
    conditions: {
      users: null,
      clientApplications: null,
      applications: null,
      clientAppTypes: [],
      platforms: null,
      locations: null,
      devices: null,
      signInRiskLevels: [],
      userRiskLevels: [],
      servicePrincipalRiskLevels: [],
      insiderRiskLevels: [],
      authenticationFlows: null,
      deviceStates: null,
    },
    grantControls: null,
    sessionControls: null,
  };
  return { ...policy, policyApplies: true, analysisReasons: "notSet", result: "success", ...fields };
}

const grant = (builtInControls: string[], operator = "OR") => ({
  operator,
  builtInControls,
  customAuthenticationFactors: [],
  termsOfUse: [],
  authenticationStrength: null,
});

describe("formatWhatifTable", () => {
  it("lists required controls in prompt order in the header, and splits applying from non-applying policies", () => {
    const response: WhatIfResponse = {
      value: [
        entry("a", "Require MFA and terms", { result: "failure", grantControls: { ...grant(["mfa"], "AND"), termsOfUse: ["tou-1"] } }),
        entry("b", "Not for you", { policyApplies: false, analysisReasons: "users", result: "notApplied" }),
        entry("c", "Disabled one", { state: "disabled", policyApplies: false, analysisReasons: "policyNotEnabled", result: "notEnabled" }),
        entry("d", "Report-only strength", {
          state: "enabledForReportingButNotEnforced",
          result: "reportOnlyInterrupted",
          grantControls: { ...grant([]), authenticationStrength: { id: "00000000-0000-0000-0000-000000000004" } },
        }),
      ],
      decision: {
        outcome: "challenge",
        conditionalAccessStatus: "failure",
        requiredControls: [
          { control: "mfa", policyIds: ["a"] },
          { control: "termsOfUse", id: "tou-1", policyIds: ["a"] },
        ],
        sessionControls: {},
      },
    };
    const text = formatWhatifTable(response, {
      width: 120,
      strengthNames: new Map([["00000000-0000-0000-0000-000000000004", "Phishing-resistant MFA"]]),
    });
    const lines = text.split("\n");
    expect(lines[0]).toBe("Decision: challenge (required, in order: mfa, termsOfUse tou-1)");
    expect(text).toMatch(
      /Policies that will apply \(2\)\n {2}NAME +STATE +RESULT +GRANT +SESSION\n {2}Require MFA and terms +enabled +failure +mfa AND termsOfUse tou-1 +-\n/,
    );
    expect(text).toMatch(/Report-only strength +report-only +reportOnlyInterrupted +strength Phishing-resistant MFA/);
    expect(text).toMatch(
      /Policies that will not apply \(2\)\n {2}NAME +STATE +REASON\n {2}Not for you +enabled +users\n {2}Disabled one +disabled +policyNotEnabled\n$/,
    );
  });

  it("lists every block reason when there are several, and the merged session controls", () => {
    const response: WhatIfResponse = {
      value: [entry("a", "Block A", { result: "failure", grantControls: grant(["block"]) })],
      decision: {
        outcome: "block",
        conditionalAccessStatus: "failure",
        requiredControls: [],
        sessionControls: { signInFrequency: { value: 4, type: "hours", frequencyInterval: "timeBased", policyIds: ["s"] } },
        blockReasons: [
          { policyId: "a", code: "blockControl", message: 'Policy "Block A" blocks access' },
          { policyId: "", code: "unknownUser", message: 'User "x" is not in the tenant' },
        ],
      },
    };
    const lines = formatWhatifTable(response).split("\n");
    expect(lines.slice(0, 4)).toEqual([
      "Decision: block (2 reasons)",
      '  ✗ Policy "Block A" blocks access',
      '  ✗ User "x" is not in the tenant',
      "Session controls: signInFrequency 4 hours",
    ]);
  });

  it("keeps a policy that could not be evaluated (enforced, fail closed) among the applying ones, with its reason", () => {
    const response: WhatIfResponse = {
      value: [
        entry("a", "Device filter", {
          policyApplies: false,
          analysisReasons: "invalidCondition",
          result: "failure",
          grantControls: grant(["block"]),
        }),
      ],
      decision: {
        outcome: "block",
        conditionalAccessStatus: "failure",
        requiredControls: [],
        sessionControls: {},
        blockReasons: [{ policyId: "a", code: "blockControl", message: "blocked" }],
      },
    };
    expect(formatWhatifTable(response)).toMatch(
      /Policies that will apply \(1\)\n.*\n {2}Device filter +enabled +failure \(invalidCondition\) +block/,
    );
  });

  it("wraps long names and controls so that no line is wider than the width, without cutting words", () => {
    const long = "CA999 - An extremely long policy name that goes on and on about what it protects and why it exists";
    const response: WhatIfResponse = {
      value: [
        entry("a", long, {
          result: "reportOnlyInterrupted",
          grantControls: grant(["mfa", "compliantDevice", "domainJoinedDevice", "approvedApplication"]),
          sessionControls: {
            signInFrequency: { isEnabled: true, value: 1, type: "days" },
            persistentBrowser: { isEnabled: true, mode: "never" },
          },
        }),
        entry("b", long, { policyApplies: false, analysisReasons: "location", result: "notApplied" }),
      ],
      decision: { outcome: "grant", conditionalAccessStatus: "success", requiredControls: [], sessionControls: {} },
    };
    for (const width of [100, 120]) {
      const lines = formatWhatifTable(response, { width }).trimEnd().split("\n");
      for (const line of lines) expect([...line].length, line).toBeLessThanOrEqual(width);
      const words = lines.join(" ").split(/\s+/);
      for (const word of [
        "extremely",
        "exists",
        "domainJoinedDevice",
        "approvedApplication",
        "signInFrequency",
        "persistentBrowser",
        "never",
      ])
        expect(words).toContain(word);
    }
  });

  it("uses colours only when asked", () => {
    const response: WhatIfResponse = {
      value: [],
      decision: { outcome: "grant", conditionalAccessStatus: "success", requiredControls: [], sessionControls: {} },
    };
    expect(formatWhatifTable(response)).toBe(
      "Decision: grant\n\nPolicies that will apply (0)\n  (none)\n\nPolicies that will not apply (0)\n  (none)\n",
    );
    expect(formatWhatifTable(response, { color: true })).toContain("\u001b[1;32mgrant\u001b[0m");
  });
});

describe("describeGrantControls and describeSessionControls", () => {
  it("describe grant and session controls in a few words", () => {
    expect(describeGrantControls(null)).toBe("-");
    expect(describeGrantControls({ ...grant(["mfa", "compliantDevice"]), customAuthenticationFactors: ["duo"] })).toBe(
      "mfa OR compliantDevice OR custom duo",
    );
    expect(describeGrantControls(grant(["block", "mfa"]))).toBe("block");
    expect(describeSessionControls(null)).toBe("-");
    expect(
      describeSessionControls({
        signInFrequency: { isEnabled: true, frequencyInterval: "everyTime" },
        applicationEnforcedRestrictions: { isEnabled: true },
        cloudAppSecurity: { isEnabled: true, cloudAppSecurityType: "monitorOnly" },
        continuousAccessEvaluation: { mode: "strictLocation" },
      }),
    ).toBe("signInFrequency every time; appEnforcedRestrictions; cloudAppSecurity monitorOnly; continuousAccessEvaluation strictLocation");
  });
});

describe("wrapText and renderTable", () => {
  it("wraps at spaces, breaks after hyphens, and cuts words longer than the width", () => {
    expect(wrapText("one two three", 7)).toEqual(["one two", "three"]);
    expect(wrapText("strength Phishing-resistant MFA", 18)).toEqual(["strength Phishing-", "resistant MFA"]);
    expect(wrapText("abcdefghij", 4)).toEqual(["abcd", "efgh", "ij"]);
    expect(wrapText("", 4)).toEqual([""]);
  });

  it("shrinks the lowest-ranked shrinkable column first and never pads the last column", () => {
    const lines = renderTable(
      [{ header: "NAME", shrink: true, minWidth: 10, shrinkRank: 1 }, { header: "KIND" }, { header: "NOTE", shrink: true, minWidth: 6 }],
      [["a fairly long name here", "x", "a note that is long"]],
      30,
    );
    expect(lines).toEqual([
      "  NAME            KIND  NOTE",
      "  a fairly long   x     a note",
      "  name here             that",
      "                        is",
      "                        long",
    ]);
  });
});
