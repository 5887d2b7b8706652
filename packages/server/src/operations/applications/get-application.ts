import { type ApplicationRecord, GatehouseError, type KeyCredentialRecord, type PasswordCredentialRecord } from "@gatehouse/store";
import type { OperationContext } from "../operation-context.js";

export async function getApplication(
  ctx: OperationContext,
  id: string,
): Promise<{ application: ApplicationRecord; credentials: PasswordCredentialRecord[]; keyCredentials: KeyCredentialRecord[] }> {
  const application = await ctx.store.applications.get(id);
  if (application === null) throw new GatehouseError("notFound", `There is no application with the id '${id}'.`);
  return {
    application,
    credentials: await ctx.store.applications.listPasswordCredentials(id),
    keyCredentials: await ctx.store.applications.listKeyCredentials(id),
  };
}
