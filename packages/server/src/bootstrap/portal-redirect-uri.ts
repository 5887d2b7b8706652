/**
 * The Portal signs in with its redirect URI `<public URL>/auth/callback`, which must be one of
 * the "Gatehouse Portal" application's redirectUris. `gatehouse init` registers the default
 * addresses (127.0.0.1:8080 and localhost:8080); when the server is published elsewhere
 * (`--public-url`, another port), the server registers that address's callback at start, once,
 * with an audit record like any other change of the application.
 */
import { randomUUID } from "node:crypto";
import type { Store } from "@gatehouse/store";
import { appendOperatorAudit, operatorInitiator } from "./bootstrap-audit.js";
import { GATEHOUSE_PORTAL_APP_ID } from "./well-known-applications.js";

/** Where the portal's sign-in comes back to (its client-side route). */
export const PORTAL_CALLBACK_PATH = "/auth/callback";

/** `https://gatehouse.example/oauth2` -> `https://gatehouse.example/auth/callback` (the portal is served at the root). */
export function portalRedirectUriFor(issuer: string): string {
  const url = new URL(issuer);
  return `${url.origin}${PORTAL_CALLBACK_PATH}`;
}

/**
 * Adds the portal callback of this issuer's origin to the Portal application when it is
 * missing; returns whether it was added. Nothing happens when the tenant has no Portal
 * application (it was removed on purpose).
 */
export async function ensurePortalRedirectUri(store: Store, issuer: string, now: Date): Promise<boolean> {
  const uri = portalRedirectUriFor(issuer);
  return store.transaction(async (tx) => {
    const application = await tx.applications.getByAppId(GATEHOUSE_PORTAL_APP_ID);
    if (application === null || application.redirectUris.includes(uri)) return false;
    const redirectUris = [...application.redirectUris, uri];
    await tx.applications.update(application.id, { redirectUris });
    await appendOperatorAudit(
      tx,
      {
        category: "ApplicationManagement",
        activityDisplayName: "Update application",
        operationType: "Update",
        target: {
          id: application.id,
          displayName: application.displayName,
          type: "Application",
          modifiedProperties: [
            { displayName: "RedirectUris", oldValue: JSON.stringify(application.redirectUris), newValue: JSON.stringify(redirectUris) },
          ],
        },
      },
      { initiatedBy: operatorInitiator("serve"), correlationId: randomUUID(), now },
    );
    return true;
  });
}
