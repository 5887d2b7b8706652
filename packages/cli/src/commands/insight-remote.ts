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

async function getAll(fetchImpl: Fetch, server: string, token: string, path: string): Promise<unknown[]> {
  const items: unknown[] = [];
  let url: string | null = `${server}${path}`;
  let pages = 0;
  while (url !== null && pages++ < 100_000) {
    let response: Response;
    try {
      response = await fetchImpl(url, { headers: { authorization: `Bearer ${token}`, accept: "application/json" } });
    } catch (cause) {
      throw new CliError(`cannot reach ${server}: ${cause instanceof Error ? cause.message : String(cause)}`, ExitCode.usage);
    }
    if (!response.ok) {
      let detail = "";
      try {
        const body = (await response.json()) as { error?: { message?: string } };
        detail = body.error?.message ? `: ${body.error.message}` : "";
      } catch {
        // no JSON body
      }
      throw new CliError(
        `GET ${path} on ${server} answered ${response.status}${detail}`,
        response.status === 401 || response.status === 403 ? ExitCode.usage : ExitCode.internal,
      );
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
  let response: Response;
  try {
    response = await fetchImpl(`${server}${path}`, { headers: { authorization: `Bearer ${token}`, accept: "application/json" } });
  } catch (cause) {
    throw new CliError(`cannot reach ${server}: ${cause instanceof Error ? cause.message : String(cause)}`, ExitCode.usage);
  }
  if (response.status === 404) return null;
  if (!response.ok)
    throw new CliError(
      `GET ${path} on ${server} answered ${response.status}`,
      response.status === 401 || response.status === 403 ? ExitCode.usage : ExitCode.internal,
    );
  const body = (await response.json()) as { userIds?: unknown; groupIds?: unknown };
  return { userIds: body.userIds ?? [], groupIds: body.groupIds ?? [] };
}
