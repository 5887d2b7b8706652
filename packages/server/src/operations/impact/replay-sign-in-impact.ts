/**
 * `POST /v1.0/identity/conditionalAccess/impact` (our extension): the library call behind
 * `gatehouse impact`, over the server's own sign-in log. The body proposes a change to the
 * tenant's policies; the store's sign-in records of the period are replayed through the
 * current and the proposed set, page by page (memory stays flat), and the answer is the
 * library's report, exactly as `gatehouse impact --json` prints it.
 *
 * Body: `{ "policies": [...], "removePolicyIds": [...], "stateChanges": { "<id>": "enabled" },
 * "period": { "from": ISO, "to": ISO } }`; `policies` are added, or replace the policy with
 * the same id (Graph JSON, any accepted dialect); `stateChanges` may also be an array of
 * `{ "policyId", "state" }`. At least one change is required.
 */
import { type ConditionalAccessPolicy, readPolicyDocument } from "@gatehouse/engine";
import { applyProposal, ImpactReplay, type ImpactReport } from "@gatehouse/insight";
import { InvalidRequestError, invalidRequest } from "../../errors/invalid-request-error.js";
import type { OperationContext } from "../operation-context.js";

const PAGE = 500;
const STATES: Readonly<Record<string, string>> = {
  enabled: "enabled",
  disabled: "disabled",
  enabledforreportingbutnotenforced: "enabledForReportingButNotEnforced",
};

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

function readStates(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  const add = (id: unknown, state: unknown, path: string): void => {
    const canonical = typeof state === "string" ? STATES[state.toLowerCase()] : undefined;
    if (typeof id !== "string" || id === "") throw invalidRequest(path, "a state change needs a policy id");
    if (canonical === undefined) throw invalidRequest(path, "the state must be enabled, disabled or enabledForReportingButNotEnforced");
    out[id] = canonical;
  };
  if (value === undefined || value === null) return out;
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      add(isRecord(item) ? item.policyId : undefined, isRecord(item) ? item.state : undefined, `$.stateChanges[${i}]`);
    });
  } else if (isRecord(value)) for (const [id, state] of Object.entries(value)) add(id, state, `$.stateChanges.${id}`);
  else throw invalidRequest("$.stateChanges", "stateChanges must be an object { policyId: state } or an array of { policyId, state }");
  return out;
}

function readInstant(value: unknown, path: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string" || Number.isNaN(Date.parse(value))) throw invalidRequest(path, "expected an ISO 8601 date-time");
  return new Date(Date.parse(value)).toISOString();
}

export async function replaySignInImpact(ctx: OperationContext, body: unknown): Promise<ImpactReport> {
  if (!isRecord(body)) throw invalidRequest("$", "the body must be a JSON object { policies, removePolicyIds, stateChanges, period }");
  let policies: ConditionalAccessPolicy[] = [];
  if (body.policies !== undefined && body.policies !== null) {
    const read = readPolicyDocument(Array.isArray(body.policies) ? body.policies : { value: body.policies }, { basePath: "$.policies" });
    const errors = read.issues.filter((i) => i.severity === "error");
    if (errors.length > 0) throw new InvalidRequestError(errors.map((i) => ({ path: i.path, message: i.message, code: i.code })));
    policies = read.policies;
    const missing = policies.findIndex((p) => p.id === "");
    if (missing >= 0)
      throw invalidRequest(
        `$.policies[${missing}].id`,
        "each proposed policy needs an id (a new one, or the id of the policy it replaces)",
      );
  }
  const removePolicyIds = Array.isArray(body.removePolicyIds) ? body.removePolicyIds.filter((x): x is string => typeof x === "string") : [];
  const states = readStates(body.stateChanges);
  if (policies.length === 0 && removePolicyIds.length === 0 && Object.keys(states).length === 0) {
    throw invalidRequest("$", "nothing proposed: give policies, removePolicyIds or stateChanges");
  }
  const period = isRecord(body.period) ? body.period : {};
  const from = readInstant(period.from ?? body.from, "$.period.from");
  const to = readInstant(period.to ?? body.to, "$.period.to");

  const current = await ctx.store.loadTenantSnapshot();
  const proposal = applyProposal(current.policies, { policies, removePolicyIds, states });
  if (proposal.unknownIds.length > 0) throw invalidRequest("$", `no policy with the id ${proposal.unknownIds.join(", ")}`);
  const replay = new ImpactReplay({
    current,
    proposed: { ...current, policies: proposal.policies },
    ...(from === undefined ? {} : { from }),
    ...(to === undefined ? {} : { to }),
  });
  const filter = { ...(from === undefined ? {} : { createdFrom: from }), ...(to === undefined ? {} : { createdTo: to }) };
  let skip: number | null = 0;
  while (skip !== null) {
    const page = await ctx.store.signIns.list({ top: PAGE, skip, filter });
    for (const record of page.value) replay.add(record);
    skip = page.nextSkip;
  }
  return replay.report();
}
