import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileTenant } from "../compile/compile-tenant.js";
import type { WhatIfRequest } from "../whatif/types.js";
import { signInSubjectKind } from "./condition-outcome.js";
import { prepareSignIn } from "./prepare-sign-in.js";
import { APPS, baseTenant, SP, USERS } from "./test-arbitraries.js";

describe("signInSubjectKind", () => {
  it("agrees with prepareSignIn on every shape of signInIdentity", () => {
    const tenant = compileTenant(baseTenant([]));
    const identity = fc.record(
      {
        "@odata.type": fc.constantFrom(
          "#microsoft.graph.userSignIn",
          "#microsoft.graph.servicePrincipalSignIn",
          "microsoft.graph.ServicePrincipalSignIn",
          "#microsoft.graph.somethingElse",
          undefined,
        ),
        userId: fc.constantFrom(USERS[0], 42, undefined),
        servicePrincipalId: fc.constantFrom(SP, undefined),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(identity, (signInIdentity) => {
        const request = {
          signInIdentity,
          signInContext: { "@odata.type": "#microsoft.graph.applicationContext", includeApplications: [APPS[0]] },
        } as unknown as WhatIfRequest;
        expect(signInSubjectKind(request)).toBe(prepareSignIn(tenant, request).facts.kind);
      }),
      { numRuns: 200 },
    );
  });
});
