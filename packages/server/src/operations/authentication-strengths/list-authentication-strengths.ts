/** Built-in strengths first (always known, spec §1.13), then the tenant's custom ones. */
import { type AuthenticationStrengthPolicy, BUILT_IN_AUTHENTICATION_STRENGTHS } from "@gatehouse/engine";
import type { NameFilter, Page } from "@gatehouse/store";
import type { OperationContext } from "../operation-context.js";

function matches(strength: AuthenticationStrengthPolicy, filter: NameFilter): boolean {
  const name = strength.displayName.toLowerCase();
  return (
    (filter.id === undefined || strength.id.toLowerCase() === filter.id.toLowerCase()) &&
    (filter.displayName === undefined || name === filter.displayName.toLowerCase()) &&
    (filter.displayNameStartsWith === undefined || name.startsWith(filter.displayNameStartsWith.toLowerCase()))
  );
}

export async function listAuthenticationStrengths(
  ctx: OperationContext,
  options: { top: number; skip: number; filter: NameFilter },
): Promise<Page<AuthenticationStrengthPolicy>> {
  const builtIns = BUILT_IN_AUTHENTICATION_STRENGTHS.filter((s) => matches(s, options.filter));
  const value: AuthenticationStrengthPolicy[] = builtIns.slice(options.skip, options.skip + options.top);
  const customSkip = Math.max(0, options.skip - builtIns.length);
  const customTop = options.top - value.length;
  if (customTop === 0) {
    const more =
      builtIns.length > options.skip + options.top ||
      (await ctx.store.authenticationStrengths.list({ top: 1, filter: options.filter })).value.length > 0;
    return { value, nextSkip: more ? options.skip + options.top : null };
  }
  const page = await ctx.store.authenticationStrengths.list({ top: customTop, skip: customSkip, filter: options.filter });
  value.push(...page.value);
  return { value, nextSkip: page.nextSkip === null ? null : options.skip + options.top };
}
