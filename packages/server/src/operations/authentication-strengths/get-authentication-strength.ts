import { type AuthenticationStrengthPolicy, BUILT_IN_AUTHENTICATION_STRENGTHS } from "@gatehouse/engine";
import { GatehouseError } from "@gatehouse/store";
import type { OperationContext } from "../operation-context.js";

export const builtInStrength = (id: string): AuthenticationStrengthPolicy | undefined =>
  BUILT_IN_AUTHENTICATION_STRENGTHS.find((s) => s.id.toLowerCase() === id.toLowerCase());

export async function getAuthenticationStrength(ctx: OperationContext, id: string): Promise<AuthenticationStrengthPolicy> {
  const strength = builtInStrength(id) ?? (await ctx.store.authenticationStrengths.get(id));
  if (!strength) throw new GatehouseError("notFound", `There is no authentication strength with the id '${id}'.`);
  return strength;
}
