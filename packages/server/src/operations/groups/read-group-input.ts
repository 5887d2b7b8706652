import type { GroupPatch } from "@gatehouse/store";
import { BodyReader } from "../body-reader.js";

export function readGroupInput(body: unknown, creating: boolean): GroupPatch {
  const r = new BodyReader(body, "a group");
  const displayName = r.string("displayName", { required: creating, nonEmpty: true, maxLength: 256 });
  const description = r.nullableString("description");
  const isAssignableToRole = r.boolean("isAssignableToRole");
  const securityEnabled = r.boolean("securityEnabled");
  const mailEnabled = r.boolean("mailEnabled");
  if (securityEnabled === false)
    r.issues.push({ path: "$.securityEnabled", message: "Only security groups are supported: securityEnabled must be true." });
  if (mailEnabled === true) r.issues.push({ path: "$.mailEnabled", message: "Mail-enabled groups are not supported." });
  r.accept("mailNickname", "groupTypes");
  r.done();
  const patch: GroupPatch = {};
  if (displayName !== undefined) patch.displayName = displayName;
  if (description !== undefined) patch.description = description;
  if (isAssignableToRole !== undefined) patch.isAssignableToRole = isAssignableToRole;
  return patch;
}
