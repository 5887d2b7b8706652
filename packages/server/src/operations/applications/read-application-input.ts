import type { ApplicationPatch } from "@gatehouse/store";
import { BodyReader } from "../body-reader.js";

function redirectUris(r: BodyReader, member: "web" | "publicClient"): string[] | undefined {
  const section = r.object(member);
  if (section === undefined) return undefined;
  const uris = section.redirectUris;
  if (uris === undefined || uris === null) return undefined;
  if (!Array.isArray(uris) || uris.some((u) => typeof u !== "string")) {
    r.issues.push({ path: `$.${member}.redirectUris`, message: "redirectUris must be an array of strings." });
    return undefined;
  }
  uris.forEach((uri: string, index) => {
    if (!URL.canParse(uri)) r.issues.push({ path: `$.${member}.redirectUris[${index}]`, message: `'${uri}' is not an absolute URI.` });
  });
  return uris as string[];
}

export function readApplicationInput(body: unknown, creating: boolean): ApplicationPatch {
  const r = new BodyReader(body, "an application");
  const patch: ApplicationPatch = {};
  const displayName = r.string("displayName", { required: creating, nonEmpty: true, maxLength: 256 });
  const description = r.nullableString("description");
  const signInAudience = r.string("signInAudience");
  if (signInAudience !== undefined && signInAudience !== "AzureADMyOrg") {
    r.issues.push({ path: "$.signInAudience", message: "Only AzureADMyOrg (this tenant) is supported." });
  }
  const identifierUris = r.stringArray("identifierUris");
  const web = redirectUris(r, "web");
  const publicClient = redirectUris(r, "publicClient");
  const isFallbackPublicClient = r.boolean("isFallbackPublicClient");
  r.accept("passwordCredentials");
  if (r.has("passwordCredentials")) r.issues.push({ path: "$.passwordCredentials", message: "Add secrets with the addPassword action." });
  r.done();
  if (displayName !== undefined) patch.displayName = displayName;
  if (description !== undefined) patch.description = description;
  if (signInAudience !== undefined) patch.signInAudience = signInAudience;
  if (identifierUris !== undefined) patch.identifierUris = identifierUris;
  if (web !== undefined || publicClient !== undefined) patch.redirectUris = [...(web ?? []), ...(publicClient ?? [])];
  if (isFallbackPublicClient !== undefined) patch.isPublicClient = isFallbackPublicClient;
  else if (publicClient !== undefined && publicClient.length > 0 && (web ?? []).length === 0) patch.isPublicClient = true;
  return patch;
}
