/**
 * Resources (RFC 8707 `resource`, or Entra's `scope=<appId or identifier URI>/.default`) are
 * applications of the directory with a service principal. A resource indicator must be an
 * absolute URI, so an appId is spelled `api://<appId>` when it names the resource.
 */
import type { ApplicationRecord, ServicePrincipalRecord, Store } from "@gatehouse/store";
import { DEFAULT_SCOPE_SUFFIX } from "./well-known.js";

export interface Resource {
  application: ApplicationRecord;
  servicePrincipal: ServicePrincipalRecord;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

async function byIdentifierUri(store: Store, uri: string): Promise<ApplicationRecord | null> {
  const wanted = uri.toLowerCase();
  let skip: number | null = 0;
  while (skip !== null) {
    const page = await store.applications.list({ top: 999, skip });
    const found = page.value.find((app) => app.identifierUris.some((u) => u.toLowerCase() === wanted));
    if (found) return found;
    skip = page.nextSkip;
  }
  return null;
}

/** The application named by an appId, `api://<appId>` or one of its identifier URIs, with its service principal. */
export async function findResource(store: Store, name: string): Promise<Resource | null> {
  const trimmed = name.trim().replace(/\/+$/, "");
  if (trimmed === "") return null;
  const appId = GUID.test(trimmed) ? trimmed : /^api:\/\/([0-9a-f-]{36})$/i.exec(trimmed)?.[1];
  let application = appId !== undefined && GUID.test(appId) ? await store.applications.getByAppId(appId) : null;
  if (application === null && !GUID.test(trimmed)) application = await byIdentifierUri(store, trimmed);
  if (application === null) return null;
  const servicePrincipal = await store.servicePrincipals.getByAppId(application.appId);
  if (servicePrincipal === null || !servicePrincipal.accountEnabled) return null;
  return { application, servicePrincipal };
}

/** The resource indicator (an absolute URI) for a resource named in a `.default` scope. */
export function resourceIndicatorFor(name: string): string {
  const trimmed = name.trim().replace(/\/+$/, "");
  return GUID.test(trimmed) ? `api://${trimmed.toLowerCase()}` : trimmed;
}

/** The resource names of the `<resource>/.default` scopes of a scope parameter. */
export function defaultScopeResources(scope: unknown): string[] {
  if (typeof scope !== "string") return [];
  const out = new Set<string>();
  for (const item of scope.split(" ")) {
    if (item.length > DEFAULT_SCOPE_SUFFIX.length && item.toLowerCase().endsWith(DEFAULT_SCOPE_SUFFIX)) {
      out.add(item.slice(0, -DEFAULT_SCOPE_SUFFIX.length));
    }
  }
  return [...out];
}

/** The `.default` scopes a resource answers to: by indicator, appId and each identifier URI. */
export function defaultScopesOf(indicator: string, resource: Resource): string {
  const names = new Set([
    indicator,
    resource.application.appId,
    `api://${resource.application.appId}`,
    ...resource.application.identifierUris,
  ]);
  return [...names].map((n) => `${n}${DEFAULT_SCOPE_SUFFIX}`).join(" ");
}
