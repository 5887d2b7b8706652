/**
 * The built-in clients' appIds. They are defined by `@gatehouse/server`'s bootstrap
 * (`well-known-applications.ts`), which depends on this package, so they are repeated here;
 * `register-oidc.test.ts` checks that both copies agree.
 */
export const GATEHOUSE_PORTAL_APP_ID = "d524cdec-f8d4-45b4-80ef-bccae60cc8e9";
export const GATEHOUSE_CLI_APP_ID = "df31e4d4-5c89-42be-9981-b5f25fd4cc52";

/** Entra's `<resource>/.default` scope suffix. */
export const DEFAULT_SCOPE_SUFFIX = "/.default";

/** oidc-provider's device code grant type. */
export const DEVICE_CODE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";
