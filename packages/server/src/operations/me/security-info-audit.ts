/** The audit records of "My security info": Entra's activities, category UserManagement, service Authentication Methods. */
import type { AuditKeyValue, AuthenticationMethodRecord, NewAuditRecord } from "@gatehouse/store";
import type { UserCaller } from "../../auth/caller.js";
import { auditRecordOf } from "../audit-change.js";
import type { OperationContext } from "../operation-context.js";
import { methodRepresentation } from "./authentication-method-representation.js";

export const SECURITY_INFO_ACTIVITIES = {
  registered: "User registered security info",
  deleted: "User deleted security info",
} as const;

const METHOD_NAMES: Readonly<Record<AuthenticationMethodRecord["methodType"], string>> = {
  softwareOath: "Authenticator app (TOTP)",
  fido2: "Passkey (FIDO2)",
};

export function securityInfoAudit(
  ctx: OperationContext & { caller: UserCaller },
  kind: keyof typeof SECURITY_INFO_ACTIVITIES,
  method: AuthenticationMethodRecord,
  details: AuditKeyValue[] = [],
): NewAuditRecord {
  const shown = JSON.stringify(methodRepresentation(method));
  const record = auditRecordOf(ctx, {
    category: "UserManagement",
    activityDisplayName: SECURITY_INFO_ACTIVITIES[kind],
    operationType: kind === "registered" ? "Add" : "Delete",
    target: { id: ctx.caller.id, displayName: ctx.caller.displayName, type: "User", userPrincipalName: ctx.caller.userPrincipalName },
    before: null,
    after: null,
    modifiedProperties: [
      {
        displayName: "StrongAuthenticationMethod",
        oldValue: kind === "deleted" ? shown : null,
        newValue: kind === "registered" ? shown : null,
      },
    ],
    additionalDetails: [{ key: "methodType", value: METHOD_NAMES[method.methodType] }, { key: "methodId", value: method.id }, ...details],
  });
  return { ...record, loggedByService: "Authentication Methods" };
}
