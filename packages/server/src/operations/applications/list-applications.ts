import type { ApplicationFilter, ApplicationRecord, KeyCredentialRecord, Page, PasswordCredentialRecord } from "@gatehouse/store";
import type { OperationContext } from "../operation-context.js";

export async function listApplications(
  ctx: OperationContext,
  options: { top: number; skip: number; filter: ApplicationFilter },
): Promise<Page<{ application: ApplicationRecord; credentials: PasswordCredentialRecord[]; keyCredentials: KeyCredentialRecord[] }>> {
  const page = await ctx.store.applications.list(options);
  const value = [];
  for (const application of page.value)
    value.push({
      application,
      credentials: await ctx.store.applications.listPasswordCredentials(application.id),
      keyCredentials: await ctx.store.applications.listKeyCredentials(application.id),
    });
  return { value, nextSkip: page.nextSkip };
}
