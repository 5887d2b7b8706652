/**
 * `--server URL` for the insight commands: the tenant snapshot read from a running Gatehouse
 * through its Graph-shaped Management API (after `gatehouse login`), following
 * `@odata.nextLink`. Group members come from `/groups/{id}/members`.
 */
import { normalizeTenant, type TenantSnapshot, type ValidationIssue } from "@gatehouse/engine";
import { CliError, ExitCode } from "../cli-error.js";
import { remoteSession } from "../remote/remote-session.js";
import type { Fetch } from "../remote/sign-in-client.js";

export interface RemoteTenantOptions {
  env?: Readonly<Record<string, string | undefined>>;
  fetch?: Fetch;
}

/** GET `url` with the access token; a server that cannot be reached is a usage error. */
async function authorizedGet(fetchImpl: Fetch, server: string, token: string, url: string): Promise<Response> {
  try {
    return await fetchImpl(url, { headers: { authorization: `Bearer ${token}`, accept: "application/json" } });
  } catch (cause) {
    throw new CliError(`cannot reach ${server}: ${cause instanceof Error ? cause.message : String(cause)}`, ExitCode.usage);
  }
}

/** The error for an answer that is not 2xx: a usage error when access was refused (401, 403). */
function refusedGet(path: string, server: string, status: number, detail = ""): CliError {
  return new CliError(
    `GET ${path} on ${server} answered ${status}${detail}`,
    status === 401 || status === 403 ? ExitCode.usage : ExitCode.internal,
  );
}

async function getAll(fetchImpl: Fetch, server: string, token: string, path: string): Promise<unknown[]> {
  const items: unknown[] = [];
  let url: string | null = `${server}${path}`;
  let pages = 0;
  while (url !== null && pages++ < 100_000) {
    const response = await authorizedGet(fetchImpl, server, token, url);
    if (!response.ok) {
      let detail = "";
      try {
        const body = (await response.json()) as { error?: { message?: string } };
        detail = body.error?.message ? `: ${body.error.message}` : "";
      } catch {
        // no JSON body
      }
      throw refusedGet(path, server, response.status, detail);
    }
    const body = (await response.json()) as { value?: unknown[]; "@odata.nextLink"?: string };
    items.push(...(body.value ?? []));
    url = typeof body["@odata.nextLink"] === "string" ? body["@odata.nextLink"] : null;
  }
  return items;
}

/** The tenant snapshot of a remote Gatehouse. */
export async function fetchRemoteTenant(
  server: string,
  options: RemoteTenantOptions = {},
): Promise<{ tenant: TenantSnapshot; issues: ValidationIssue[] }> {
  const session = await remoteSession(
    server,
    options.env ? { env: options.env, ...(options.fetch ? { fetch: options.fetch } : {}) } : options.fetch ? { fetch: options.fetch } : {},
  );
  const f = options.fetch ?? fetch;
  const get = (path: string) => getAll(f, session.server, session.accessToken, path);
  const [policies, namedLocations, authenticationStrengthPolicies, users, groups, roleAssignments, servicePrincipals] = await Promise.all([
    get("/v1.0/identity/conditionalAccess/policies"),
    get("/v1.0/identity/conditionalAccess/namedLocations"),
    get("/v1.0/policies/authenticationStrengthPolicies"),
    get("/v1.0/users"),
    get("/v1.0/groups"),
    get("/v1.0/roleManagement/directory/roleAssignments"),
    get("/v1.0/servicePrincipals"),
  ]);
  const emergencyAccess = await getEmergencyAccess(f, session.server, session.accessToken);
  const withMembers = [];
  for (const g of groups as { id?: string }[]) {
    const members = typeof g.id === "string" ? await get(`/v1.0/groups/${encodeURIComponent(g.id)}/members`) : [];
    withMembers.push({ ...g, members: members.map((m) => (m as { id?: unknown }).id).filter((id) => typeof id === "string") });
  }
  return normalizeTenant({
    tenantId: "",
    policies,
    namedLocations,
    authenticationStrengthPolicies: (authenticationStrengthPolicies as { policyType?: string }[]).filter((s) => s.policyType !== "builtIn"),
    users,
    groups: withMembers,
    roleAssignments,
    servicePrincipals,
    ...(emergencyAccess === null ? {} : { emergencyAccess }),
  });
}

/**
 * The server's emergency-access declaration (`GET /v1.0/identity/conditionalAccess/emergencyAccess`,
 * our extension): `{ userIds, groupIds }`, or null from a server without the route (404).
 */
async function getEmergencyAccess(
  fetchImpl: Fetch,
  server: string,
  token: string,
): Promise<{ userIds: unknown; groupIds: unknown } | null> {
  const path = "/v1.0/identity/conditionalAccess/emergencyAccess";
  const response = await authorizedGet(fetchImpl, server, token, `${server}${path}`);
  if (response.status === 404) return null;
  if (!response.ok) throw refusedGet(path, server, response.status);
  const body = (await response.json()) as { userIds?: unknown; groupIds?: unknown };
  return { userIds: body.userIds ?? [], groupIds: body.groupIds ?? [] };
}
