import { type AuthenticationMethodRecord, GatehouseError } from "@gatehouse/store";
import type { UserCaller } from "../../auth/caller.js";
import type { OperationContext } from "../operation-context.js";
import { type MethodSegment, methodRepresentation, passwordMethod, SEGMENT_METHOD_TYPE } from "./authentication-method-representation.js";

/** `GET /me/authentication/methods`: the password (when the account has one), then the methods, oldest first. */
export async function listMyAuthenticationMethods(ctx: OperationContext & { caller: UserCaller }): Promise<Record<string, unknown>[]> {
  const [hash, methods] = await Promise.all([
    ctx.store.users.getPasswordHash(ctx.caller.id),
    ctx.store.authenticationMethods.listForUser(ctx.caller.id),
  ]);
  return [...(hash === null ? [] : [passwordMethod()]), ...methods.map(methodRepresentation)];
}

/** `GET /me/authentication/{softwareOathMethods|fido2Methods}`: the caller's methods of that kind. */
export async function listMyMethodsOfKind(
  ctx: OperationContext & { caller: UserCaller },
  segment: MethodSegment,
): Promise<AuthenticationMethodRecord[]> {
  return (await ctx.store.authenticationMethods.listForUser(ctx.caller.id)).filter((m) => m.methodType === SEGMENT_METHOD_TYPE[segment]);
}

/** `GET /me/authentication/{softwareOathMethods|fido2Methods}/{id}`: only the caller's own (another's is not found). */
export async function getMyMethod(
  ctx: OperationContext & { caller: UserCaller },
  segment: MethodSegment,
  id: string,
): Promise<AuthenticationMethodRecord> {
  const method = (await listMyMethodsOfKind(ctx, segment)).find((m) => m.id.toLowerCase() === id.toLowerCase());
  if (method === undefined)
    throw new GatehouseError(
      "notFound",
      `You have no ${segment === "fido2Methods" ? "passkey" : "authenticator app"} with the id '${id}'.`,
    );
  return method;
}
