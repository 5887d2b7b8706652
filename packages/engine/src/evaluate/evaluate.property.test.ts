import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileTenant } from "../compile/compile-tenant.js";
import type { ConditionalAccessPolicy } from "../policy/types.js";
import type { Decision, WhatIfRequest } from "../whatif/types.js";
import { decide, whatIf, whatIfJson } from "./evaluate.js";
import { baseTenant, policiesArb, policyArb, requestArb, testPolicy, USERS } from "./test-arbitraries.js";
import { userSubject } from "./user-subject.js";

const decisionOf = (policies: ConditionalAccessPolicy[], request: WhatIfRequest): Decision =>
  decide(compileTenant(baseTenant(policies)), request);

/** Decisions compared without policy-id bookkeeping order. */
const shape = (d: Decision) => ({
  outcome: d.outcome,
  required: d.requiredControls.map((c) => `${c.control}:${"id" in c ? c.id : ""}:${[...c.policyIds].sort().join(",")}`),
  session: JSON.stringify(d.sessionControls, (k, v) => (k === "policyIds" ? [...v].sort() : v)),
});

const runs = { numRuns: 300 };

describe("engine invariants (architecture.md)", () => {
  it("users with equal subjects get equal decisions (userSubject: what gap analysis sweeps once)", () => {
    let compared = 0;
    fc.assert(
      fc.property(policiesArb(), requestArb, (policies, request) => {
        const tenant = compileTenant(baseTenant(policies));
        const identity = request.signInIdentity;
        if (!("userId" in identity)) return;
        const subjects = USERS.map((id) => userSubject(tenant, id));
        for (let a = 0; a < USERS.length; a++) {
          for (let b = a + 1; b < USERS.length; b++) {
            const sa = subjects[a];
            const sb = subjects[b];
            if (!sa || !sb || JSON.stringify({ ...sa, matches: [...sa.matches] }) !== JSON.stringify({ ...sb, matches: [...sb.matches] })) {
              continue;
            }
            compared++;
            const as = (id: string): WhatIfRequest => ({ ...request, signInIdentity: { ...identity, userId: id } });
            expect(shape(decide(tenant, as(USERS[b] as string)))).toEqual(shape(decide(tenant, as(USERS[a] as string))));
          }
        }
      }),
      runs,
    );
    expect(compared).toBeGreaterThan(50);
  });

  it("policy order never changes the decision (R33)", () => {
    fc.assert(
      fc.property(policiesArb(), requestArb, (policies, request) => {
        const reversed = [...policies].reverse();
        expect(shape(decisionOf(reversed, request))).toEqual(shape(decisionOf(policies, request)));
      }),
      runs,
    );
  });

  it("report-only and disabled policies never change the decision (R1, R39)", () => {
    fc.assert(
      fc.property(
        policiesArb(),
        policyArb(99),
        fc.constantFrom("disabled", "enabledForReportingButNotEnforced"),
        requestArb,
        (policies, extra, state, request) => {
          const withExtra = [...policies, { ...extra, state }];
          expect(shape(decisionOf(withExtra, request))).toEqual(shape(decisionOf(policies, request)));
        },
      ),
      runs,
    );
  });

  it("an applying enabled block policy always blocks (R34)", () => {
    fc.assert(
      fc.property(policiesArb(), requestArb, (policies, request) => {
        const blockAll = testPolicy({
          id: "ffffffff-0000-0000-0000-0000000000bb",
          grantControls: {
            operator: "OR",
            builtInControls: ["block"],
            customAuthenticationFactors: [],
            termsOfUse: [],
            authenticationStrength: null,
          },
        });
        expect(decisionOf([...policies, blockAll], request).outcome).toBe("block");
      }),
      runs,
    );
  });

  it("adding a user exclusion never widens a policy's scope (R9)", () => {
    fc.assert(
      fc.property(policyArb(0), requestArb, fc.constantFrom("users", "groups"), (policy, request, kind) => {
        const users = policy.conditions.users!;
        const excluded: ConditionalAccessPolicy = {
          ...policy,
          conditions: {
            ...policy.conditions,
            users:
              kind === "users"
                ? {
                    ...users,
                    excludeUsers: [
                      ...users.excludeUsers,
                      request.signInIdentity["@odata.type"] === "#microsoft.graph.userSignIn" ? request.signInIdentity.userId : "",
                    ],
                  }
                : { ...users, excludeGroups: [...users.excludeGroups, "00000000-0000-0000-0000-000000000201"] },
          },
        };
        const before = whatIf(compileTenant(baseTenant([policy])), request).value[0]!;
        const after = whatIf(compileTenant(baseTenant([excluded])), request).value[0]!;
        if (!before.policyApplies) expect(after.policyApplies).toBe(false);
      }),
      runs,
    );
  });

  it("satisfying more controls never turns grant into challenge or block (R37)", () => {
    fc.assert(
      fc.property(policiesArb(), requestArb, (policies, request) => {
        const tenant = compileTenant(baseTenant(policies));
        const before = decide(tenant, request);
        const more: WhatIfRequest = {
          ...request,
          satisfied: {
            authenticationMethods: [...(request.satisfied?.authenticationMethods ?? []), "password", "microsoftAuthenticatorPush", "fido2"],
            termsOfUse: ["tou-1"],
          },
        };
        const after = decide(tenant, more);
        if (before.outcome === "grant") expect(after.outcome).toBe("grant");
        if (before.outcome === "challenge") expect(after.outcome).not.toBe("block");
      }),
      runs,
    );
  });

  it("the fast decision path agrees with the full What-If evaluation", () => {
    fc.assert(
      fc.property(policiesArb(8), requestArb, (policies, request) => {
        const tenant = compileTenant(baseTenant(policies));
        expect(shape(decide(tenant, request))).toEqual(shape(whatIf(tenant, request).decision));
      }),
      runs,
    );
  });
});

describe("whatIfJson", () => {
  it("is exactly JSON.stringify(whatIf(...)) (R46)", () => {
    fc.assert(
      fc.property(policiesArb(8), requestArb, fc.boolean(), (policies, request, appliedOnly) => {
        const tenant = compileTenant(baseTenant(policies));
        const r = { ...request, appliedPoliciesOnly: appliedOnly };
        expect(whatIfJson(tenant, r)).toBe(JSON.stringify(whatIf(tenant, r)));
      }),
      runs,
    );
  });
});
