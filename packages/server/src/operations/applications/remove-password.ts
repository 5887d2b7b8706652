import { GatehouseError } from "@gatehouse/store";
import { invalidRequest } from "../../errors/invalid-request-error.js";
import type { OperationContext } from "../operation-context.js";
import { applicationOrNotFound, credentialAuditRecord } from "./credential-change.js";

/** Graph's `removePassword` with `{ "keyId": "..." }`. */
export async function removePassword(ctx: OperationContext, input: { applicationId: string; body: unknown }): Promise<void> {
  const keyId = typeof input.body === "object" && input.body !== null ? (input.body as Record<string, unknown>).keyId : undefined;
  if (typeof keyId !== "string" || keyId === "") throw invalidRequest("$.keyId", "keyId is required.");
  await ctx.store.transaction(async (tx) => {
    const application = await applicationOrNotFound(tx, input.applicationId);
    const credential = (await tx.applications.listPasswordCredentials(application.id)).find(
      (c) => c.keyId.toLowerCase() === keyId.toLowerCase(),
    );
    if (credential === undefined)
      throw new GatehouseError("notFound", `The application has no password credential with the keyId '${keyId}'.`);
    await tx.applications.removePasswordCredential(application.id, credential.keyId);
    await tx.audit.append(
      credentialAuditRecord(ctx, application, {
        oldValue: JSON.stringify({
          keyId: credential.keyId,
          keyType: "Password",
          displayName: credential.displayName,
          hint: credential.hint,
        }),
        newValue: null,
      }),
    );
  });
}
