import { findLockout, GATEHOUSE_MANAGEMENT_API_APP_ID, type Lockout } from "@gatehouse/admin";
import type { NamedLocation } from "@gatehouse/engine";
import { GatehouseError, type Repositories } from "@gatehouse/store";
import { PolicyWriteRefusedError } from "../../errors/policy-write-refused-error.js";
import { auditRecordOf } from "../audit-change.js";
import type { OperationContext, OperationWarning } from "../operation-context.js";
import { requireObject } from "../policies/read-policy-document.js";
import { readNamedLocation } from "./read-named-location.js";

const READ_ONLY = new Set(["id", "createddatetime", "modifieddatetime"]);

/** PATCH: top-level members replace the stored ones; the `@odata.type` cannot change. */
export async function updateNamedLocation(
  ctx: OperationContext,
  input: { id: string; patch: unknown; acknowledgeUnsafe?: boolean },
): Promise<{ location: NamedLocation; warnings: OperationWarning[] }> {
  const patch = requireObject(input.patch, "members of a namedLocation to change");
  return ctx.store.transaction(async (tx) => {
    const current = await tx.namedLocations.get(input.id);
    if (current === null) throw new GatehouseError("notFound", `There is no named location with the id '${input.id}'.`);
    const merged: Record<string, unknown> = { ...current };
    for (const [key, value] of Object.entries(patch)) if (!READ_ONLY.has(key.toLowerCase())) merged[key] = value;
    merged.id = current.id;
    const { location, warnings } = readNamedLocation(merged);
    // A location change changes what every policy naming it means: it must not lock the
    // calling admin out of the Management API either (as a policy write must not).
    const lockout = await lockoutByLocationChange(ctx, tx, location);
    if (lockout !== null) {
      if (lockout.severity === "error" && input.acknowledgeUnsafe !== true) {
        throw new PolicyWriteRefusedError([{ code: "lockout", status: 409, message: lockout.message }], []);
      }
      warnings.push({
        code: "lockout",
        message: input.acknowledgeUnsafe === true && lockout.severity === "error" ? `Acknowledged: ${lockout.message}` : lockout.message,
      });
    }
    const updated = await tx.namedLocations.update(input.id, location);
    await tx.audit.append(
      auditRecordOf(ctx, {
        category: "Policy",
        activityDisplayName: "Update named location",
        operationType: "Update",
        target: { id: updated.id, displayName: updated.displayName, type: "NamedLocation" },
        before: current,
        after: updated,
        ...(lockout !== null && input.acknowledgeUnsafe === true
          ? { additionalDetails: [{ key: "acknowledgedUnsafeChange", value: `lockout: ${lockout.message}` }] }
          : {}),
      }),
    );
    return { location: updated, warnings };
  });
}

async function lockoutByLocationChange(ctx: OperationContext, tx: Repositories, location: NamedLocation): Promise<Lockout | null> {
  if (ctx.caller.kind !== "user") return null;
  const snapshot = await tx.loadTenantSnapshot();
  const namedLocations = snapshot.namedLocations.map((l) => (l.id.toLowerCase() === location.id.toLowerCase() ? location : l));
  return findLockout({
    snapshot,
    proposedPolicies: snapshot.policies,
    proposedSnapshot: { ...snapshot, namedLocations },
    caller: { userId: ctx.caller.id },
    managementApiAppId: GATEHOUSE_MANAGEMENT_API_APP_ID,
  });
}
