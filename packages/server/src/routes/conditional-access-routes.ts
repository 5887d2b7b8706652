/** `/v1.0/identity/conditionalAccess/...`: policies, named locations, strengths, contexts, templates, evaluate. */
import type { NamedLocation } from "@gatehouse/engine";
import type { AuthenticationContextRecord, PolicyRecord } from "@gatehouse/store";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { parseListQuery } from "../odata/parse-list-query.js";
import { deleteAuthenticationContext } from "../operations/authentication-contexts/delete-authentication-context.js";
import { getAuthenticationContext } from "../operations/authentication-contexts/get-authentication-context.js";
import { listAuthenticationContexts } from "../operations/authentication-contexts/list-authentication-contexts.js";
import { saveAuthenticationContext } from "../operations/authentication-contexts/save-authentication-context.js";
import { createAuthenticationStrength } from "../operations/authentication-strengths/create-authentication-strength.js";
import { deleteAuthenticationStrength } from "../operations/authentication-strengths/delete-authentication-strength.js";
import { getAuthenticationStrength } from "../operations/authentication-strengths/get-authentication-strength.js";
import { listAuthenticationStrengths } from "../operations/authentication-strengths/list-authentication-strengths.js";
import { updateAuthenticationStrength } from "../operations/authentication-strengths/update-authentication-strength.js";
import { getEmergencyAccess, updateEmergencyAccess } from "../operations/emergency-access/emergency-access.js";
import { evaluateSignIn } from "../operations/evaluate/evaluate-sign-in.js";
import { createNamedLocation } from "../operations/named-locations/create-named-location.js";
import { deleteNamedLocation } from "../operations/named-locations/delete-named-location.js";
import { getNamedLocation } from "../operations/named-locations/get-named-location.js";
import { listNamedLocations } from "../operations/named-locations/list-named-locations.js";
import { updateNamedLocation } from "../operations/named-locations/update-named-location.js";
import { createPolicy } from "../operations/policies/create-policy.js";
import { deletePolicy } from "../operations/policies/delete-policy.js";
import { getPolicy } from "../operations/policies/get-policy.js";
import { listPolicies } from "../operations/policies/list-policies.js";
import { updatePolicy } from "../operations/policies/update-policy.js";
import { getTemplate } from "../operations/templates/get-template.js";
import { listTemplates } from "../operations/templates/list-templates.js";
import {
  addRoute,
  allowUnsafe,
  baseUrl,
  etagOf,
  ifMatchVersion,
  listBody,
  odataContext,
  operationContext,
  params,
  query,
  type RouteDeps,
  returnRepresentation,
  setWarnings,
  withWarnings,
} from "./route-support.js";

export const CONDITIONAL_ACCESS = "/v1.0/identity/conditionalAccess";
const TAG = "Conditional Access";
const NAME_FILTER = { eq: { id: "id", displayName: "displayName" }, startsWith: { displayName: "displayNameStartsWith" } };

const POLICY_CONTEXT = "identity/conditionalAccess/policies";

function policyBody(request: FastifyRequest, record: PolicyRecord, single: boolean): Record<string, unknown> {
  return single ? { "@odata.context": `${odataContext(request, POLICY_CONTEXT)}/$entity`, ...record.policy } : { ...record.policy };
}

function registerPolicies(app: FastifyInstance, deps: RouteDeps): void {
  const base = `${CONDITIONAL_ACCESS}/policies`;
  addRoute(app, "GET", base, "conditionalAccess.read", "List Conditional Access policies", TAG, async (request) => {
    const list = parseListQuery(query(request), { ...NAME_FILTER, eq: { ...NAME_FILTER.eq, state: "state", templateId: "templateId" } });
    const page = await listPolicies(operationContext(request, deps), list);
    return listBody(request, POLICY_CONTEXT, page, list, (r) => r.policy);
  });
  addRoute(app, "GET", `${base}/:id`, "conditionalAccess.read", "Get a Conditional Access policy", TAG, async (request, reply) => {
    const record = await getPolicy(operationContext(request, deps), params(request).id as string);
    reply.header("etag", etagOf(record.version));
    return policyBody(request, record, true);
  });
  addRoute(
    app,
    "POST",
    base,
    "conditionalAccess.write",
    "Create a Conditional Access policy (or, with only templateId and displayName, from a template)",
    TAG,
    async (request, reply) => {
      const { record, warnings } = await createPolicy(operationContext(request, deps), {
        body: request.body,
        acknowledgeUnsafe: allowUnsafe(request),
      });
      setWarnings(reply, warnings);
      reply
        .code(201)
        .header("location", `${baseUrl(request)}${base}/${record.policy.id}`)
        .header("etag", etagOf(record.version));
      return withWarnings(policyBody(request, record, true), warnings);
    },
  );
  addRoute(app, "PATCH", `${base}/:id`, "conditionalAccess.write", "Update a Conditional Access policy", TAG, async (request, reply) => {
    const version = ifMatchVersion(request);
    const { record, warnings } = await updatePolicy(operationContext(request, deps), {
      id: params(request).id as string,
      patch: request.body,
      ...(version === undefined ? {} : { ifMatchVersion: version }),
      acknowledgeUnsafe: allowUnsafe(request),
    });
    setWarnings(reply, warnings);
    reply.header("etag", etagOf(record.version));
    if (returnRepresentation(request)) return reply.code(200).send(withWarnings(policyBody(request, record, true), warnings));
    return reply.code(204).send();
  });
  addRoute(app, "DELETE", `${base}/:id`, "conditionalAccess.write", "Delete a Conditional Access policy", TAG, async (request, reply) => {
    const version = ifMatchVersion(request);
    const { warnings } = await deletePolicy(operationContext(request, deps), {
      id: params(request).id as string,
      ...(version === undefined ? {} : { ifMatchVersion: version }),
      acknowledgeUnsafe: allowUnsafe(request),
    });
    setWarnings(reply, warnings);
    return reply.code(204).send();
  });
}

const LOCATION_CONTEXT = "identity/conditionalAccess/namedLocations";

function registerNamedLocations(app: FastifyInstance, deps: RouteDeps): void {
  const base = `${CONDITIONAL_ACCESS}/namedLocations`;
  const single = (request: FastifyRequest, location: NamedLocation) => ({
    "@odata.context": `${odataContext(request, LOCATION_CONTEXT)}/$entity`,
    ...location,
  });
  addRoute(app, "GET", base, "conditionalAccess.read", "List named locations", TAG, async (request) => {
    const list = parseListQuery(query(request), { ...NAME_FILTER, eq: { ...NAME_FILTER.eq, "@odata.type": "odataType" } });
    return listBody(request, LOCATION_CONTEXT, await listNamedLocations(operationContext(request, deps), list), list, (l) => l);
  });
  addRoute(app, "GET", `${base}/:id`, "conditionalAccess.read", "Get a named location", TAG, async (request) =>
    single(request, await getNamedLocation(operationContext(request, deps), params(request).id as string)),
  );
  addRoute(
    app,
    "POST",
    base,
    "conditionalAccess.write",
    "Create a named location (ipNamedLocation or countryNamedLocation)",
    TAG,
    async (request, reply) => {
      const { location, warnings } = await createNamedLocation(operationContext(request, deps), request.body);
      setWarnings(reply, warnings);
      reply.code(201).header("location", `${baseUrl(request)}${base}/${location.id}`);
      return withWarnings(single(request, location), warnings);
    },
  );
  addRoute(app, "PATCH", `${base}/:id`, "conditionalAccess.write", "Update a named location", TAG, async (request, reply) => {
    const { location, warnings } = await updateNamedLocation(operationContext(request, deps), {
      id: params(request).id as string,
      patch: request.body,
      acknowledgeUnsafe: allowUnsafe(request),
    });
    setWarnings(reply, warnings);
    if (returnRepresentation(request)) return reply.code(200).send(withWarnings(single(request, location), warnings));
    return reply.code(204).send();
  });
  addRoute(
    app,
    "DELETE",
    `${base}/:id`,
    "conditionalAccess.write",
    "Delete a named location (409 while a policy uses it)",
    TAG,
    async (request, reply) => {
      await deleteNamedLocation(operationContext(request, deps), params(request).id as string);
      return reply.code(204).send();
    },
  );
}

const STRENGTH_CONTEXT = "identity/conditionalAccess/authenticationStrength/policies";

function registerAuthenticationStrengths(app: FastifyInstance, deps: RouteDeps, base: string): void {
  const single = (request: FastifyRequest, strength: object) => ({
    "@odata.context": `${odataContext(request, STRENGTH_CONTEXT)}/$entity`,
    ...strength,
  });
  addRoute(app, "GET", base, "conditionalAccess.read", "List authentication strengths (built-in and custom)", TAG, async (request) => {
    const list = parseListQuery(query(request), NAME_FILTER);
    return listBody(request, STRENGTH_CONTEXT, await listAuthenticationStrengths(operationContext(request, deps), list), list, (s) => s);
  });
  addRoute(app, "GET", `${base}/:id`, "conditionalAccess.read", "Get an authentication strength", TAG, async (request) =>
    single(request, await getAuthenticationStrength(operationContext(request, deps), params(request).id as string)),
  );
  addRoute(app, "POST", base, "conditionalAccess.write", "Create a custom authentication strength", TAG, async (request, reply) => {
    const strength = await createAuthenticationStrength(operationContext(request, deps), request.body);
    reply.code(201).header("location", `${baseUrl(request)}${base}/${strength.id}`);
    return single(request, strength);
  });
  addRoute(
    app,
    "PATCH",
    `${base}/:id`,
    "conditionalAccess.write",
    "Update a custom authentication strength",
    TAG,
    async (request, reply) => {
      const strength = await updateAuthenticationStrength(operationContext(request, deps), {
        id: params(request).id as string,
        patch: request.body,
      });
      if (returnRepresentation(request)) return reply.code(200).send(single(request, strength));
      return reply.code(204).send();
    },
  );
  addRoute(
    app,
    "DELETE",
    `${base}/:id`,
    "conditionalAccess.write",
    "Delete a custom authentication strength (409 while a policy uses it)",
    TAG,
    async (request, reply) => {
      await deleteAuthenticationStrength(operationContext(request, deps), params(request).id as string);
      return reply.code(204).send();
    },
  );
}

const CONTEXT_CONTEXT = "identity/conditionalAccess/authenticationContextClassReferences";

function registerAuthenticationContexts(app: FastifyInstance, deps: RouteDeps): void {
  const base = `${CONDITIONAL_ACCESS}/authenticationContextClassReferences`;
  const single = (request: FastifyRequest, context: AuthenticationContextRecord) => ({
    "@odata.context": `${odataContext(request, CONTEXT_CONTEXT)}/$entity`,
    ...context,
  });
  addRoute(app, "GET", base, "conditionalAccess.read", "List authentication contexts", TAG, async (request) => {
    const list = parseListQuery(query(request), NAME_FILTER);
    return listBody(request, CONTEXT_CONTEXT, await listAuthenticationContexts(operationContext(request, deps), list), list, (c) => c);
  });
  addRoute(app, "GET", `${base}/:id`, "conditionalAccess.read", "Get an authentication context", TAG, async (request) =>
    single(request, await getAuthenticationContext(operationContext(request, deps), params(request).id as string)),
  );
  addRoute(app, "POST", base, "conditionalAccess.write", "Create an authentication context (c1..c99)", TAG, async (request, reply) => {
    const { context } = await saveAuthenticationContext(operationContext(request, deps), { body: request.body, createOnly: true });
    reply.code(201).header("location", `${baseUrl(request)}${base}/${context.id}`);
    return single(request, context);
  });
  addRoute(
    app,
    "PATCH",
    `${base}/:id`,
    "conditionalAccess.write",
    "Create or update an authentication context",
    TAG,
    async (request, reply) => {
      const { context, created } = await saveAuthenticationContext(operationContext(request, deps), {
        id: params(request).id as string,
        body: request.body,
        createOnly: false,
      });
      if (created)
        return reply
          .code(201)
          .header("location", `${baseUrl(request)}${base}/${context.id}`)
          .send(single(request, context));
      if (returnRepresentation(request)) return reply.code(200).send(single(request, context));
      return reply.code(204).send();
    },
  );
  addRoute(
    app,
    "DELETE",
    `${base}/:id`,
    "conditionalAccess.write",
    "Delete an authentication context (409 while a policy uses it)",
    TAG,
    async (request, reply) => {
      await deleteAuthenticationContext(operationContext(request, deps), params(request).id as string);
      return reply.code(204).send();
    },
  );
}

const TEMPLATE_CONTEXT = "identity/conditionalAccess/templates";

function registerTemplates(app: FastifyInstance): void {
  const base = `${CONDITIONAL_ACCESS}/templates`;
  addRoute(app, "GET", base, "conditionalAccess.read", "List Conditional Access templates", TAG, async (request) => {
    const list = parseListQuery(query(request), {
      eq: { id: "id", name: "name" },
      startsWith: { name: "nameStartsWith" },
      has: { scenarios: "scenario" },
    });
    return listBody(request, TEMPLATE_CONTEXT, listTemplates(list), list, (t) => t);
  });
  addRoute(app, "GET", `${base}/:id`, "conditionalAccess.read", "Get a Conditional Access template", TAG, async (request) => ({
    "@odata.context": `${odataContext(request, TEMPLATE_CONTEXT)}/$entity`,
    ...getTemplate(params(request).id as string),
  }));
}

function registerEvaluate(app: FastifyInstance, deps: RouteDeps): void {
  addRoute(
    app,
    "POST",
    `${CONDITIONAL_ACCESS}/evaluate`,
    "conditionalAccess.evaluate",
    "What If: evaluate a sign-in against the tenant's policies (same request and answer as gatehouse whatif)",
    TAG,
    async (request: FastifyRequest, reply: FastifyReply) =>
      reply
        .code(200)
        .type("application/json; charset=utf-8")
        .send(await evaluateSignIn(deps.cache, request.body)),
  );
}

const EMERGENCY_ACCESS_CONTEXT = "identity/conditionalAccess/emergencyAccess";

/** Our extension: the tenant's emergency-access (break-glass) declaration, its accounts and the policies exposing them. */
function registerEmergencyAccess(app: FastifyInstance, deps: RouteDeps): void {
  const url = `${CONDITIONAL_ACCESS}/emergencyAccess`;
  const body = (request: FastifyRequest, view: object) => ({ "@odata.context": odataContext(request, EMERGENCY_ACCESS_CONTEXT), ...view });
  addRoute(
    app,
    "GET",
    url,
    "conditionalAccess.read",
    "Get the emergency-access accounts (declared users and groups, resolved accounts, policies that would apply to them) (our extension)",
    TAG,
    async (request) => body(request, await getEmergencyAccess(operationContext(request, deps))),
  );
  addRoute(
    app,
    "PATCH",
    url,
    "emergencyAccess.write",
    "Change the emergency-access users and groups: 409 when none is left or a new account is exposed, unless Prefer: allow-unsafe-policy (our extension)",
    TAG,
    async (request, reply) => {
      const { view, warnings } = await updateEmergencyAccess(operationContext(request, deps), {
        patch: request.body,
        acknowledgeUnsafe: allowUnsafe(request),
      });
      setWarnings(reply, warnings);
      if (returnRepresentation(request)) return reply.code(200).send(withWarnings(body(request, view), warnings));
      return reply.code(204).send();
    },
  );
}

export function registerConditionalAccessRoutes(app: FastifyInstance, deps: RouteDeps): void {
  registerEmergencyAccess(app, deps);
  registerPolicies(app, deps);
  registerNamedLocations(app, deps);
  registerAuthenticationStrengths(app, deps, `${CONDITIONAL_ACCESS}/authenticationStrength/policies`);
  registerAuthenticationStrengths(app, deps, "/v1.0/policies/authenticationStrengthPolicies");
  registerAuthenticationContexts(app, deps);
  registerTemplates(app);
  registerEvaluate(app, deps);
}
