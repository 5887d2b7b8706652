import type { ConditionalAccessPolicy } from "@gatehouse/engine";
import { fromJson } from "./json-column.js";
import type { RepositoryContext } from "./repository-context.js";

const lowerIncludes = (values: unknown, id: string): boolean =>
  Array.isArray(values) && values.some((v) => typeof v === "string" && v.toLowerCase() === id.toLowerCase());

/** Display names of the policies for which `references(policy)` holds (a delete is refused while any do). */
export async function findReferencingPolicies(
  tx: RepositoryContext,
  references: (policy: ConditionalAccessPolicy) => boolean,
): Promise<string[]> {
  const rows = await tx.db.selectFrom("policies").select(["display_name", "body"]).orderBy("id").execute();
  return rows
    .filter((row) => references(fromJson<ConditionalAccessPolicy>(row.body, {} as ConditionalAccessPolicy)))
    .map((r) => r.display_name);
}

export const referencesLocation =
  (id: string) =>
  (policy: ConditionalAccessPolicy): boolean =>
    lowerIncludes(policy.conditions?.locations?.includeLocations, id) || lowerIncludes(policy.conditions?.locations?.excludeLocations, id);

export const referencesStrength =
  (id: string) =>
  (policy: ConditionalAccessPolicy): boolean => {
    const strength = policy.grantControls?.authenticationStrength?.id;
    return typeof strength === "string" && strength.toLowerCase() === id.toLowerCase();
  };

export const referencesAuthenticationContext =
  (id: string) =>
  (policy: ConditionalAccessPolicy): boolean =>
    lowerIncludes(policy.conditions?.applications?.includeAuthenticationContextClassReferences, id);
