import { GATEHOUSE_MANAGEMENT_API_APP_ID } from "@gatehouse/admin";

/**
 * Gatehouse's built-in applications. Their appIds are the same in every installation (as
 * Microsoft's first-party clients are), so policies, templates and clients can name them.
 */

/** The Management API's identifier URI (the `aud` of its tokens besides the appId). */
export const GATEHOUSE_MANAGEMENT_API_IDENTIFIER_URI = "api://gatehouse-management";

/** appId of the Gatehouse Portal (web / single-page client of the Management API). */
export const GATEHOUSE_PORTAL_APP_ID = "d524cdec-f8d4-45b4-80ef-bccae60cc8e9";

/** appId of the Gatehouse CLI (public client of the Management API, loopback redirect). */
export const GATEHOUSE_CLI_APP_ID = "df31e4d4-5c89-42be-9981-b5f25fd4cc52";

export interface BuiltInApplication {
  appId: string;
  displayName: string;
  description: string;
  identifierUris: string[];
  redirectUris: string[];
  isPublicClient: boolean;
}

/** The resource first, then its two clients. */
export const BUILT_IN_APPLICATIONS: readonly BuiltInApplication[] = [
  {
    appId: GATEHOUSE_MANAGEMENT_API_APP_ID,
    displayName: "Gatehouse Management API",
    description: "The REST API that manages this Gatehouse tenant: Conditional Access policies, named locations, the directory.",
    identifierUris: [GATEHOUSE_MANAGEMENT_API_IDENTIFIER_URI],
    redirectUris: [],
    isPublicClient: false,
  },
  {
    appId: GATEHOUSE_PORTAL_APP_ID,
    displayName: "Gatehouse Portal",
    description: "The administration portal (a single-page web client of the Gatehouse Management API).",
    identifierUris: [],
    // The portal is served by `gatehouse serve` at `/` and signs in at `/auth/callback`; these
    // are its default addresses, and the server adds its public URL's callback at start
    // (ensurePortalRedirectUri).
    redirectUris: ["http://127.0.0.1:8080/auth/callback", "http://localhost:8080/auth/callback"],
    isPublicClient: false,
  },
  {
    appId: GATEHOUSE_CLI_APP_ID,
    displayName: "Gatehouse CLI",
    description: "The gatehouse command line (a public client of the Gatehouse Management API).",
    identifierUris: [],
    // Loopback redirect on any port (RFC 8252 §7.3), as desktop clients sign in.
    redirectUris: ["http://localhost"],
    isPublicClient: true,
  },
];
