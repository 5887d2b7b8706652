import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileTenant } from "../compile/compile-tenant.js";
import { evaluateSignIn, policyResult } from "../evaluate/evaluate.js";
import { baseTenant, policiesArb, requestArb } from "../evaluate/test-arbitraries.js";
import { toSignInLogEntry } from "./to-sign-in-log-entry.js";

const runs = { numRuns: 300 };

describe("sign-in log invariants", () => {
  it("every policy appears exactly once, in the tenant's order, with result equal to policyResult (R42)", () => {
    fc.assert(
      fc.property(policiesArb(), requestArb, (policies, request) => {
        const tenant = compileTenant(baseTenant(policies));
        const evaluation = evaluateSignIn(tenant, request);
        const entry = toSignInLogEntry({ tenant, request, evaluation, id: "i", createdDateTime: "t", correlationId: "c" });
        expect(entry.appliedConditionalAccessPolicies.map((p) => p.id)).toEqual(policies.map((p) => p.id));
        expect(entry.appliedConditionalAccessPolicies.map((p) => p.result)).toEqual(evaluation.judgements.map(policyResult));
      }),
      runs,
    );
  });

  it("status and conditionalAccessStatus follow the decision (R43)", () => {
    fc.assert(
      fc.property(policiesArb(), requestArb, (policies, request) => {
        const tenant = compileTenant(baseTenant(policies));
        const evaluation = evaluateSignIn(tenant, request);
        const entry = toSignInLogEntry({ tenant, request, evaluation, id: "i", createdDateTime: "t", correlationId: "c" });
        const { decision } = evaluation;
        expect(entry.conditionalAccessStatus).toBe(decision.conditionalAccessStatus);
        expect(entry.gatehouse?.decision).toBe(decision);
        expect(entry.status.errorCode === 0).toBe(decision.outcome === "grant");
        if (decision.outcome === "block") expect([53000, 53001, 53002, 53003, 53009]).toContain(entry.status.errorCode);
        if (decision.outcome === "challenge") expect([50074, 50158, 53002, 53009]).toContain(entry.status.errorCode);
      }),
      runs,
    );
  });

  it("a policy that applies has no unsatisfied condition, and one that does not apply has exactly one", () => {
    fc.assert(
      fc.property(policiesArb(), requestArb, (policies, request) => {
        const tenant = compileTenant(baseTenant(policies));
        const evaluation = evaluateSignIn(tenant, request);
        const entry = toSignInLogEntry({ tenant, request, evaluation, id: "i", createdDateTime: "t", correlationId: "c" });
        for (const p of entry.appliedConditionalAccessPolicies) {
          const notSatisfied = p.conditionsNotSatisfied === "none" ? [] : String(p.conditionsNotSatisfied).split(",");
          const satisfied = p.conditionsSatisfied === "none" ? [] : String(p.conditionsSatisfied).split(",");
          if (p.result === "notEnabled") expect([satisfied, notSatisfied]).toEqual([[], []]);
          else if (p.result === "notApplied" || p.result === "reportOnlyNotApplied") {
            expect(notSatisfied).toHaveLength(1);
            expect(satisfied).not.toContain(notSatisfied[0]);
          } else {
            expect(notSatisfied).toEqual([]);
            expect(satisfied).toEqual(expect.arrayContaining(["application", "users"]));
          }
        }
      }),
      runs,
    );
  });

  it("is pure: the same input gives the same record", () => {
    fc.assert(
      fc.property(policiesArb(), requestArb, (policies, request) => {
        const tenant = compileTenant(baseTenant(policies));
        const evaluation = evaluateSignIn(tenant, request);
        const make = () => toSignInLogEntry({ tenant, request, evaluation, id: "i", createdDateTime: "t", correlationId: "c" });
        expect(JSON.stringify(make())).toBe(JSON.stringify(make()));
      }),
      { numRuns: 50 },
    );
  });
});
