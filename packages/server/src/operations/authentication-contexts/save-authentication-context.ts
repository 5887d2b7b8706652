/**
 * Creates (POST, or PATCH of an id that does not exist yet: Graph's upsert) or updates an
 * authentication context class reference `c1`..`c99`.
 */
import type { AuthenticationContextRecord } from "@gatehouse/store";
import { invalidRequest } from "../../errors/invalid-request-error.js";
import { auditRecordOf } from "../audit-change.js";
import { BodyReader } from "../body-reader.js";
import type { OperationContext } from "../operation-context.js";

export interface SaveAuthenticationContextInput {
  /** From the URL (PATCH); for POST the body's `id`. */
  id?: string;
  body: unknown;
  /** POST: refuse an existing id (409). */
  createOnly: boolean;
}

export async function saveAuthenticationContext(
  ctx: OperationContext,
  input: SaveAuthenticationContextInput,
): Promise<{ context: AuthenticationContextRecord; created: boolean }> {
  const r = new BodyReader(input.body, "an authenticationContextClassReference");
  const bodyId = r.string("id");
  const displayName = r.string("displayName", { nonEmpty: true });
  const description = r.nullableString("description");
  const isAvailable = r.boolean("isAvailable");
  r.done();
  const id = input.id ?? bodyId;
  if (id === undefined) throw invalidRequest("$.id", "id is required (c1 to c99).");
  if (input.id !== undefined && bodyId !== undefined && bodyId !== input.id)
    throw invalidRequest("$.id", "The id in the body differs from the URL.");
  return ctx.store.transaction(async (tx) => {
    const current = input.createOnly ? null : await tx.authenticationContexts.get(id);
    let context: AuthenticationContextRecord;
    if (current === null) {
      if (displayName === undefined) throw invalidRequest("$.displayName", "displayName is required.");
      context = await tx.authenticationContexts.create({
        id,
        displayName,
        description: description ?? null,
        isAvailable: isAvailable ?? false,
      });
    } else {
      context = await tx.authenticationContexts.update(id, {
        ...(displayName === undefined ? {} : { displayName }),
        ...(description === undefined ? {} : { description }),
        ...(isAvailable === undefined ? {} : { isAvailable }),
      });
    }
    await tx.audit.append(
      auditRecordOf(ctx, {
        category: "Policy",
        activityDisplayName: current === null ? "Add authentication context" : "Update authentication context",
        operationType: current === null ? "Add" : "Update",
        target: { id, displayName: context.displayName, type: "AuthenticationContextClassReference" },
        before: current,
        after: context,
      }),
    );
    return { context, created: current === null };
  });
}
