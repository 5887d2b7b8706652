/**
 * `DELETE /me/authentication/{softwareOathMethods|fido2Methods}/{id}`: only the caller's own
 * method (another user's id is not found). Removing the last method while a policy requires
 * MFA is allowed, as in Entra (the user registers again at the next sign-in), and said in the
 * audit record and in a warning.
 */
import { GatehouseError } from "@gatehouse/store";
import type { OperationWarning } from "../operation-context.js";
import type { MethodSegment } from "./authentication-method-representation.js";
import { SEGMENT_METHOD_TYPE } from "./authentication-method-representation.js";
import { authorizeSecurityInfoChange, policiesRequiringMfa } from "./security-info-access.js";
import { securityInfoAudit } from "./security-info-audit.js";
import type { SelfServiceOperation } from "./self-service.js";

export async function removeMyAuthenticationMethod(
  op: SelfServiceOperation,
  segment: MethodSegment,
  methodId: string,
): Promise<OperationWarning[]> {
  const { ctx } = op;
  const registered = await ctx.store.authenticationMethods.listForUser(ctx.caller.id);
  const access = await authorizeSecurityInfoChange(op.deps, op.request, registered, { registering: false });
  const method = registered.find((m) => m.id.toLowerCase() === methodId.toLowerCase() && m.methodType === SEGMENT_METHOD_TYPE[segment]);
  if (method === undefined)
    throw new GatehouseError(
      "notFound",
      `You have no ${segment === "fido2Methods" ? "passkey" : "authenticator app"} with the id '${methodId}'.`,
    );
  const last = registered.length === 1;
  const requiring = last ? policiesRequiringMfa(access) : [];
  const warnings: OperationWarning[] =
    requiring.length === 0
      ? []
      : [
          {
            code: "lastMethodRemoved",
            message:
              "This was your last sign-in method and Conditional Access requires multifactor authentication: you will be asked to register a method at your next sign-in.",
          },
        ];
  await ctx.store.transaction(async (tx) => {
    await tx.authenticationMethods.delete(method.id);
    await tx.audit.append(
      securityInfoAudit(ctx, "deleted", method, [
        ...(last ? [{ key: "lastMethodRemoved", value: "true" }] : []),
        ...(requiring.length > 0 ? [{ key: "mfaRequiredByPolicies", value: requiring.join(",") }] : []),
      ]),
    );
  });
  return warnings;
}
