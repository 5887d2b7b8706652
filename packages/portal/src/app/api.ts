/**
 * The Management API client: bearer tokens from `auth`, Graph's error body as `GraphError`,
 * collections followed through `@odata.nextLink`. A 401 sends the user to sign in again, except
 * a claims challenge (`insufficient_claims`: the token is good but Conditional Access needs
 * more, e.g. MFA): that one is thrown with `claimsChallenge` set, and the page offers to sign in
 * again with the `acr_values` it asks for (ErrorBar does).
 */
import { clearTokens, currentAccessToken, signIn } from "./auth";
import { type ClaimsChallenge, parseClaimsChallenge } from "./claims-challenge";

export interface GraphErrorDetail {
  code: string;
  message: string;
  target?: string;
  policyId?: string;
}

export class GraphError extends Error {
  override readonly name = "GraphError";
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: GraphErrorDetail[] = [],
    readonly requestId: string | null = null,
    /** Set on a 401 claims challenge: sign in again with these `acr_values` to continue. */
    readonly claimsChallenge: ClaimsChallenge | null = null,
  ) {
    super(message);
  }
}

export interface ApiResponse<T> {
  status: number;
  body: T;
  headers: Headers;
}

export interface RequestOptions {
  method?: "GET" | "POST" | "PATCH" | "PUT" | "DELETE";
  body?: unknown;
  headers?: Record<string, string>;
}

async function toGraphError(response: Response, claimsChallenge: ClaimsChallenge | null = null): Promise<GraphError> {
  const text = await response.text();
  let code = `HTTP${response.status}`;
  let message = text.trim() === "" ? response.statusText || `The server answered ${response.status}.` : text.slice(0, 500);
  let details: GraphErrorDetail[] = [];
  try {
    const json = JSON.parse(text) as { error?: { code?: string; message?: string; innerError?: { details?: GraphErrorDetail[] } } };
    if (json.error) {
      code = json.error.code ?? code;
      message = json.error.message ?? message;
      details = Array.isArray(json.error.innerError?.details) ? json.error.innerError.details : [];
    }
  } catch {
    // Not JSON: the text is the message.
  }
  return new GraphError(response.status, code, message, details, response.headers.get("request-id"), claimsChallenge);
}

export async function request<T>(path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
  const token = await currentAccessToken();
  if (token === null) {
    await signIn();
  }
  const headers: Record<string, string> = { accept: "application/json", authorization: `Bearer ${token}`, ...(options.headers ?? {}) };
  let body: string | undefined;
  if (options.body !== undefined) {
    headers["content-type"] = "application/json";
    body = JSON.stringify(options.body);
  }
  const response = await fetch(path, { method: options.method ?? "GET", headers, ...(body === undefined ? {} : { body }) });
  if (response.status === 401) {
    const challenge = parseClaimsChallenge(response.headers.get("www-authenticate"));
    // The token stays good for everything else: the page offers the step-up sign-in.
    if (challenge !== null) throw await toGraphError(response, challenge);
    clearTokens();
    const error = await toGraphError(response);
    void signIn();
    throw error;
  }
  if (!response.ok) throw await toGraphError(response);
  const text = response.status === 204 ? "" : await response.text();
  return { status: response.status, body: (text === "" ? null : JSON.parse(text)) as T, headers: response.headers };
}

export async function get<T>(path: string): Promise<T> {
  return (await request<T>(path)).body;
}

interface Collection<T> {
  value: T[];
  "@odata.nextLink"?: string;
}

/** Every item of a collection (follows `@odata.nextLink`, up to `limit` items). */
export async function list<T>(path: string, limit = 5000): Promise<T[]> {
  const out: T[] = [];
  let next: string | undefined = path;
  while (next !== undefined && out.length < limit) {
    const page: Collection<T> = await get<Collection<T>>(next);
    out.push(...page.value);
    const link = page["@odata.nextLink"];
    next = link === undefined ? undefined : new URL(link, window.location.origin).pathname + new URL(link, window.location.origin).search;
  }
  return out;
}

export const CA = "/v1.0/identity/conditionalAccess";
export const PATHS = {
  policies: `${CA}/policies`,
  namedLocations: `${CA}/namedLocations`,
  strengths: `${CA}/authenticationStrength/policies`,
  contexts: `${CA}/authenticationContextClassReferences`,
  templates: `${CA}/templates`,
  evaluate: `${CA}/evaluate`,
  users: "/v1.0/users",
  groups: "/v1.0/groups",
  applications: "/v1.0/applications",
  servicePrincipals: "/v1.0/servicePrincipals",
  roleAssignments: "/v1.0/roleManagement/directory/roleAssignments",
  directoryAudits: "/v1.0/auditLogs/directoryAudits",
  signIns: "/v1.0/auditLogs/signIns",
} as const;

/** OData string literal. */
export const odataString = (value: string): string => `'${value.replace(/'/g, "''")}'`;
