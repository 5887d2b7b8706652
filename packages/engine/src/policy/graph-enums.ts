/**
 * Known values of the Microsoft Graph Conditional Access enums and keywords (spec §1, §2.1).
 *
 * Graph enums are evolvable: `unknownFutureValue` and later additions must be carried, never
 * dropped. Each table therefore separates the documented values (`known`) from values the spec
 * lists as preview/beta (`preview`) and deprecated spellings (`deprecated`); the validator
 * accepts `known`, warns on the others and `unknownFutureValue`, and reports anything else.
 * The normalizer uses the same tables to restore Graph's documented spelling case-insensitively
 * (`All` -> `all` in clientAppTypes, `IOS` -> `iOS`, `and` -> `AND`).
 */

export interface GraphEnum {
  /** Documented values in Graph's spelling. */
  readonly known: readonly string[];
  /** Values the spec lists as preview/beta (accepted with a warning). */
  readonly preview?: readonly string[];
  /** Deprecated values still returned by Graph (accepted with a warning). */
  readonly deprecated?: readonly string[];
}

export const UNKNOWN_FUTURE_VALUE = "unknownFutureValue";

/** `conditionalAccessPolicyState` (§1.2). `partiallyEnabled` appears only in a beta What-If doc. */
export const POLICY_STATES: GraphEnum = {
  known: ["enabled", "disabled", "enabledForReportingButNotEnforced"],
  preview: ["partiallyEnabled"],
};

/** `conditionalAccessClientApp` (§1.3). */
export const CLIENT_APP_TYPES: GraphEnum = {
  known: ["all", "browser", "mobileAppsAndDesktopClients", "exchangeActiveSync", "easSupported", "other"],
  deprecated: ["easUnsupported", "modern"],
};

/** `conditionalAccessDevicePlatform` (§1.7). */
export const DEVICE_PLATFORMS: GraphEnum = {
  known: ["android", "iOS", "windows", "windowsPhone", "macOS", "linux", "all"],
};

/** `riskLevel` for sign-in and user risk (§1.3). */
export const RISK_LEVELS: GraphEnum = {
  known: ["low", "medium", "high", "hidden", "none"],
};

/** Documented values for `servicePrincipalRiskLevels` (§1.3). */
export const SERVICE_PRINCIPAL_RISK_LEVELS: GraphEnum = {
  known: ["low", "medium", "high", "none"],
};

/** `conditionalAccessInsiderRiskLevels` flags (§1.3). `none` is only a What-If input value (R45). */
export const INSIDER_RISK_LEVELS: GraphEnum = {
  known: ["minor", "moderate", "elevated"],
};

/** Agent identity risk (beta/preview, §1.3). */
export const AGENT_ID_RISK_LEVELS: GraphEnum = {
  known: [],
  preview: ["low", "medium", "high"],
};

/** `conditionalAccessTransferMethods` flags (§1.3). */
export const TRANSFER_METHODS: GraphEnum = {
  known: ["none", "deviceCodeFlow", "authenticationTransfer"],
};

/** `conditionalAccessGuestOrExternalUserTypes` flags (§1.4). */
export const GUEST_OR_EXTERNAL_USER_TYPES: GraphEnum = {
  known: [
    "none",
    "internalGuest",
    "b2bCollaborationGuest",
    "b2bCollaborationMember",
    "b2bDirectConnectUser",
    "otherExternalUser",
    "serviceProvider",
  ],
};

/** `conditionalAccessExternalTenantsMembershipKind` (§1.4). */
export const EXTERNAL_TENANTS_MEMBERSHIP_KINDS: GraphEnum = { known: ["all", "enumerated"] };

export const EXTERNAL_TENANTS_TYPES = {
  all: "#microsoft.graph.conditionalAccessAllExternalTenants",
  enumerated: "#microsoft.graph.conditionalAccessEnumeratedExternalTenants",
} as const;

/** `conditionalAccessGrantControl` (§1.10). */
export const GRANT_CONTROLS: GraphEnum = {
  known: ["block", "mfa", "compliantDevice", "domainJoinedDevice", "approvedApplication", "compliantApplication", "passwordChange"],
  preview: ["riskRemediation", "verifiedID"],
};

/** `grantControls.operator` (§1.10); Graph examples also show lowercase `and`. */
export const GRANT_OPERATORS: GraphEnum = { known: ["AND", "OR"] };

/** `filterMode` of a conditionalAccessFilter (§1.9). */
export const FILTER_MODES: GraphEnum = { known: ["include", "exclude"] };

/** User actions (§1.6, R22). */
export const USER_ACTIONS: GraphEnum = {
  known: ["urn:user:registersecurityinfo", "urn:user:registerdevice"],
  preview: ["urn:user:accountrecovery"],
};

/** Graph `userAction` enum of the What-If `userActionContext` (R45) -> policy URN. */
export const USER_ACTION_URNS: Readonly<Record<string, string>> = {
  registerSecurityInformation: "urn:user:registersecurityinfo",
  registerOrJoinDevices: "urn:user:registerdevice",
};

/** Session control enums (§1.11). */
export const CLOUD_APP_SECURITY_TYPES: GraphEnum = { known: ["mcasConfigured", "monitorOnly", "blockDownloads"] };
export const SIGN_IN_FREQUENCY_TYPES: GraphEnum = { known: ["days", "hours"] };
export const SIGN_IN_FREQUENCY_INTERVALS: GraphEnum = { known: ["timeBased", "everyTime"] };
export const SIGN_IN_FREQUENCY_AUTHENTICATION_TYPES: GraphEnum = {
  known: ["primaryAndSecondaryAuthentication", "secondaryAuthentication"],
};
export const PERSISTENT_BROWSER_MODES: GraphEnum = { known: ["always", "never"] };
/** Beta session control; its values are accepted as documented (§1.11). */
export const CONTINUOUS_ACCESS_EVALUATION_MODES: GraphEnum = {
  known: ["strictEnforcement", "disabled", "strictLocation"],
};

/** Deprecated device-state condition values (§1.3, §1.9, R32). */
export const DEVICE_STATES_INCLUDE: GraphEnum = { known: ["All"] };
export const DEVICE_STATES_EXCLUDE: GraphEnum = { known: ["Compliant", "DomainJoined"] };

/** Named locations (§1.12). */
export const NAMED_LOCATION_TYPES = {
  ip: "#microsoft.graph.ipNamedLocation",
  country: "#microsoft.graph.countryNamedLocation",
  compliantNetwork: "#microsoft.graph.compliantNetworkNamedLocation",
} as const;

export const IP_RANGE_TYPES = {
  ipv4Cidr: "#microsoft.graph.iPv4CidrRange",
  ipv6Cidr: "#microsoft.graph.iPv6CidrRange",
  ipv4Range: "#microsoft.graph.iPv4Range",
  ipv6Range: "#microsoft.graph.iPv6Range",
} as const;

export const COUNTRY_LOOKUP_METHODS: GraphEnum = { known: ["clientIpAddress", "authenticatorAppGps"] };

/** Limits (§1.12, §4.2). */
export const MAX_IP_RANGES_PER_LOCATION = 2000;
export const MAX_FILTER_RULE_LENGTH = 3072;

/** `authenticationMethodModes` (§1.13). */
export const AUTHENTICATION_METHOD_MODES: GraphEnum = {
  known: [
    "password",
    "voice",
    "hardwareOath",
    "softwareOath",
    "sms",
    "fido2",
    "windowsHelloForBusiness",
    "microsoftAuthenticatorPush",
    "deviceBasedPush",
    "temporaryAccessPassOneTime",
    "temporaryAccessPassMultiUse",
    "email",
    "x509CertificateSingleFactor",
    "x509CertificateMultiFactor",
    "federatedSingleFactor",
    "federatedMultiFactor",
  ],
  preview: ["qrCodePin"],
};

export const AUTHENTICATION_STRENGTH_POLICY_TYPES: GraphEnum = { known: ["builtIn", "custom"] };
export const AUTHENTICATION_STRENGTH_REQUIREMENTS: GraphEnum = { known: ["none", "mfa"] };

// ---- Keywords that may stand where an object id belongs (§2.1) ---------------------------

export interface KeywordSet {
  readonly known: readonly string[];
  readonly preview?: readonly string[];
}

export const INCLUDE_USERS_KEYWORDS: KeywordSet = {
  known: ["All", "None", "GuestsOrExternalUsers"],
  preview: ["AllAgentIdUsers"],
};
export const EXCLUDE_USERS_KEYWORDS: KeywordSet = { known: ["GuestsOrExternalUsers"] };
export const INCLUDE_APPLICATIONS_KEYWORDS: KeywordSet = {
  known: ["All", "None", "Office365", "MicrosoftAdminPortals"],
  preview: ["AllAgentIdResources"],
};
export const EXCLUDE_APPLICATIONS_KEYWORDS: KeywordSet = { known: ["Office365", "MicrosoftAdminPortals"] };
export const INCLUDE_LOCATIONS_KEYWORDS: KeywordSet = { known: ["All", "AllTrusted"] };
export const EXCLUDE_LOCATIONS_KEYWORDS: KeywordSet = { known: ["AllTrusted"] };
export const INCLUDE_SERVICE_PRINCIPALS_KEYWORDS: KeywordSet = { known: ["ServicePrincipalsInMyTenant"] };
export const NO_KEYWORDS: KeywordSet = { known: [] };

/** Every keyword in its documented spelling, for case-insensitive normalization. */
export const ALL_KEYWORDS: readonly string[] = [
  "All",
  "None",
  "GuestsOrExternalUsers",
  "AllAgentIdUsers",
  "Office365",
  "MicrosoftAdminPortals",
  "AllAgentIdResources",
  "AllTrusted",
  "ServicePrincipalsInMyTenant",
];

/** Every value of an enum (documented, preview, deprecated and `unknownFutureValue`). */
export function enumValues(e: GraphEnum | KeywordSet): readonly string[] {
  const deprecated = "deprecated" in e ? (e.deprecated ?? []) : [];
  return [...e.known, ...(e.preview ?? []), ...deprecated];
}

/** Case-insensitive lookup table lower-case -> documented spelling, `unknownFutureValue` included. */
export function spellingTable(e: GraphEnum | KeywordSet): ReadonlyMap<string, string> {
  const table = new Map<string, string>();
  for (const value of [...enumValues(e), UNKNOWN_FUTURE_VALUE]) table.set(value.toLowerCase(), value);
  return table;
}
