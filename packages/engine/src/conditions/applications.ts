import type { ConditionalAccessPolicy } from "../policy/types.js";
import {
  type AnalysisReason,
  type CompileContext,
  type CompiledCondition,
  lowerAll,
  MATCH,
  NO_MATCH,
  type SignInFacts,
  type Tri,
  UNDECIDABLE,
} from "./condition.js";
import { type CompiledFilter, compileFilterCondition } from "./filter-condition.js";

export const REGISTER_SECURITY_INFO = "urn:user:registersecurityinfo";
export const REGISTER_DEVICE = "urn:user:registerdevice";

interface AppSide {
  readonly all: boolean;
  readonly ids: ReadonlySet<string>;
}

function expandSuites(ctx: CompileContext, values: string[]): AppSide {
  const ids = new Set<string>();
  let all = false;
  for (const value of values) {
    if (value === "all") all = true;
    else if (value === "none") continue;
    else {
      const suite = ctx.suites.get(value);
      if (suite) for (const id of suite) ids.add(id);
      else ids.add(value);
    }
  }
  return { all, ids };
}

/** Which kind of resource the policy targets (§1.6), and the what-if reason that goes with it. */
function targetReason(policy: ConditionalAccessPolicy): AnalysisReason {
  const apps = policy.conditions.applications;
  if (!apps) return "application";
  if ((apps.includeUserActions?.length ?? 0) > 0) return "userActions";
  if ((apps.includeAuthenticationContextClassReferences?.length ?? 0) > 0) return "authenticationContext";
  return "application";
}

/**
 * Target resources (R19), user actions (R22) and authentication contexts (R23).
 *
 * Engine choice: an `All` resources policy also applies to the security-info registration
 * action, as R37's registration exception implies; it never applies to device registration
 * nor to an authentication-context-only request.
 */
export function compileApplicationsCondition(policy: ConditionalAccessPolicy, ctx: CompileContext): CompiledCondition {
  const apps = policy.conditions.applications;
  const reason = targetReason(policy);
  if (!apps) return { reason, subjects: "both", check: () => NO_MATCH };
  const include = expandSuites(ctx, lowerAll(apps.includeApplications));
  const exclude = expandSuites(ctx, lowerAll(apps.excludeApplications));
  const actions = new Set(lowerAll(apps.includeUserActions));
  const contexts = new Set(lowerAll(apps.includeAuthenticationContextClassReferences));
  const filter: CompiledFilter | null = apps.applicationFilter
    ? compileFilterCondition(policy, ctx, apps.applicationFilter, "$.conditions.applications.applicationFilter", "customSecurityAttribute")
    : null;

  const appMatches = (appId: string): Tri => {
    if (exclude.ids.has(appId)) return NO_MATCH;
    let included = include.all || include.ids.has(appId);
    if (filter) {
      const f = filter.evaluate(ctx.resourceAttributes.get(appId) ?? {});
      if (f === null) return UNDECIDABLE;
      // R19: include mode adds matching resources, exclude mode removes them (exclusion wins).
      if (filter.mode === "exclude" && f) return NO_MATCH;
      if (filter.mode === "include" && f) included = true;
    }
    return included ? MATCH : NO_MATCH;
  };

  return {
    reason,
    subjects: "both",
    check(facts: SignInFacts): Tri {
      switch (facts.target) {
        case "application": {
          // R19: a request for several resources is subject to the policies of each.
          let result: Tri = NO_MATCH;
          for (const appId of facts.applications) {
            const r = appMatches(appId);
            if (r === MATCH) return MATCH;
            if (r === UNDECIDABLE) result = UNDECIDABLE;
          }
          return result;
        }
        case "userAction": {
          const action = facts.userAction ?? "";
          if (actions.has(action)) return MATCH;
          return action === REGISTER_SECURITY_INFO && include.all ? MATCH : NO_MATCH;
        }
        case "authContext":
          return contexts.has(facts.authContext ?? "") ? MATCH : NO_MATCH;
      }
    },
  };
}
