import type { ServicePrincipalPatch } from "@gatehouse/store";
import { BodyReader } from "../body-reader.js";

export interface ServicePrincipalInput {
  appId?: string;
  patch: ServicePrincipalPatch;
}

const SP_TYPES = new Set(["Application", "ManagedIdentity", "Legacy", "SocialIdp"]);

export function readServicePrincipalInput(body: unknown, creating: boolean): ServicePrincipalInput {
  const r = new BodyReader(body, "a servicePrincipal");
  const appId = creating ? r.string("appId", { required: true, nonEmpty: true }) : undefined;
  const displayName = r.string("displayName", { nonEmpty: true, maxLength: 256 });
  const servicePrincipalType = r.string("servicePrincipalType");
  if (servicePrincipalType !== undefined && !SP_TYPES.has(servicePrincipalType)) {
    r.issues.push({ path: "$.servicePrincipalType", message: `servicePrincipalType is one of ${[...SP_TYPES].join(", ")}.` });
  }
  const appOwnerOrganizationId = r.nullableString("appOwnerOrganizationId");
  const accountEnabled = r.boolean("accountEnabled");
  const attributes = r.object("customSecurityAttributes");
  const customSecurityAttributes: Record<string, string | string[]> = {};
  for (const [key, value] of Object.entries(attributes ?? {})) {
    if (typeof value === "string" || (Array.isArray(value) && value.every((v) => typeof v === "string")))
      customSecurityAttributes[key] = value;
    else
      r.issues.push({
        path: `$.customSecurityAttributes.${key}`,
        message: "A custom security attribute is a string or an array of strings.",
      });
  }
  if (!creating && r.has("appId")) r.issues.push({ path: "$.appId", message: "appId cannot change." });
  r.done();
  const patch: ServicePrincipalPatch = {};
  if (displayName !== undefined) patch.displayName = displayName;
  if (servicePrincipalType !== undefined) patch.servicePrincipalType = servicePrincipalType;
  if (appOwnerOrganizationId !== undefined) patch.appOwnerOrganizationId = appOwnerOrganizationId;
  if (accountEnabled !== undefined) patch.accountEnabled = accountEnabled;
  if (attributes !== undefined) patch.customSecurityAttributes = customSecurityAttributes;
  return appId === undefined ? { patch } : { appId, patch };
}
