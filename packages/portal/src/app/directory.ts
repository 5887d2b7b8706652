/** Directory objects the pickers and the name display need, loaded once per page load (and on demand again). */
import { DIRECTORY_ROLE_TEMPLATES } from "@gatehouse/engine";
import { useEffect, useState } from "react";
import { list, PATHS } from "./api";
import type { AuthenticationContext, AuthenticationStrengthPolicy, Group, NamedLocation, ServicePrincipal, User } from "./types";

export interface Directory {
  users: User[];
  groups: Group[];
  servicePrincipals: ServicePrincipal[];
  namedLocations: NamedLocation[];
  strengths: AuthenticationStrengthPolicy[];
  contexts: AuthenticationContext[];
}

let cached: Promise<Directory> | null = null;

export function loadDirectory(): Promise<Directory> {
  cached ??= Promise.all([
    list<User>(`${PATHS.users}?$top=999`),
    list<Group>(`${PATHS.groups}?$top=999`),
    list<ServicePrincipal>(`${PATHS.servicePrincipals}?$top=999`),
    list<NamedLocation>(`${PATHS.namedLocations}?$top=999`),
    list<AuthenticationStrengthPolicy>(`${PATHS.strengths}?$top=999`),
    list<AuthenticationContext>(`${PATHS.contexts}?$top=999`),
  ]).then(([users, groups, servicePrincipals, namedLocations, strengths, contexts]) => ({
    users,
    groups,
    servicePrincipals,
    namedLocations,
    strengths,
    contexts,
  }));
  cached.catch(() => {
    cached = null;
  });
  return cached;
}

/** Drops the cache after a write, so the next page sees the change. */
export function invalidateDirectory(): void {
  cached = null;
}

export function useDirectory(): { directory: Directory | undefined; error: unknown } {
  const [directory, setDirectory] = useState<Directory | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  useEffect(() => {
    let live = true;
    loadDirectory().then(
      (d) => live && setDirectory(d),
      (e: unknown) => live && setError(e),
    );
    return () => {
      live = false;
    };
  }, []);
  return { directory, error };
}

export const ROLE_NAMES: Readonly<Record<string, string>> = DIRECTORY_ROLE_TEMPLATES;

export const SPECIAL_NAMES: Record<string, string> = {
  All: "All",
  None: "None",
  GuestsOrExternalUsers: "Guests or external users",
  AllTrusted: "All trusted locations",
  Office365: "Office 365",
  MicrosoftAdminPortals: "Microsoft Admin Portals",
  ServicePrincipalsInMyTenant: "All owned service principals",
  "urn:user:registersecurityinfo": "Register security information",
  "urn:user:registerdevice": "Register or join devices",
};

/** A display name for an id a policy references; the id itself (marked) when the object is gone. */
export function nameOf(directory: Directory | undefined, id: string): string {
  const special = SPECIAL_NAMES[id];
  if (special) return special;
  const lower = id.toLowerCase();
  if (directory) {
    const user = directory.users.find((u) => u.id.toLowerCase() === lower);
    if (user) return `${user.displayName} (${user.userPrincipalName})`;
    const group = directory.groups.find((g) => g.id.toLowerCase() === lower);
    if (group) return group.displayName;
    const sp = directory.servicePrincipals.find((s) => s.appId.toLowerCase() === lower || s.id.toLowerCase() === lower);
    if (sp) return sp.displayName;
    const location = directory.namedLocations.find((l) => l.id.toLowerCase() === lower);
    if (location) return location.displayName;
    const context = directory.contexts.find((c) => c.id.toLowerCase() === lower);
    if (context) return `${context.id}: ${context.displayName}`;
  }
  const role = ROLE_NAMES[lower] ?? ROLE_NAMES[id];
  if (role) return role;
  return id;
}
