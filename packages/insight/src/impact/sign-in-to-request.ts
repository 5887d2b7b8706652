/**
 * Rebuilds the What-If request (R45) of one sign-in record: Graph `signIn` (v1.0 and beta,
 * as Gatehouse writes them with `toSignInLogEntry`, as Entra exports them, camelCase or
 * PascalCase), or a row of the Entra portal's CSV download (column headers as the portal
 * writes them).
 *
 * - user: `userId` (workload sign-ins: `servicePrincipalId`);
 * - resource: `resourceId` (the resource's appId), else `appId`;
 * - client app type: `clientAppUsed` ("Browser", "Mobile Apps and Desktop clients",
 *   "Exchange ActiveSync", the legacy protocols -> `other`);
 * - platform: `deviceDetail.operatingSystem`;
 * - network: `ipAddress`, `location.countryOrRegion`;
 * - risk: `riskLevelDuringSignIn` (sign-in risk); user risk is not in a signIn record;
 * - device: `deviceDetail.isCompliant` / `trustType` / `deviceId`;
 * - methods used: `authenticationMethodsUsed` (beta), `authenticationDetails[]` (succeeded
 *   steps), or the CSV's MFA method column, mapped to `authenticationMethodModes`;
 * - transfer method: `originalTransferMethod` or the `deviceCode` protocol.
 */
import type { DeviceInfo, SignInConditions, WhatIfRequest } from "@gatehouse/engine";

export interface SignInFacts {
  id: string;
  createdDateTime: string | null;
  userId: string | null;
  userLabel: string;
  servicePrincipalId: string | null;
  resourceId: string | null;
  resourceLabel: string;
  clientAppType: string;
  platform: string;
  ipAddress: string | null;
  request: WhatIfRequest;
}

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/** Lower-cased, separators removed: "User ID", "userId", "UserId" -> "userid". */
const squash = (key: string): string => key.toLowerCase().replace(/[\s_\-().]+/g, "");

const squashedKeys = new WeakMap<object, Map<string, string>>();

/**
 * A member by any spelling: camelCase, PascalCase, or a CSV column header. Graph records
 * (camelCase `createdDateTime` / `userId` present) are read by exact name only: the hot path.
 */
function field(record: Record<string, unknown>, ...names: string[]): unknown {
  for (const name of names) {
    const v = record[name];
    if (v !== undefined) return v;
  }
  if ("createdDateTime" in record || "userId" in record || "errorCode" in record || "succeeded" in record) return undefined;
  let index = squashedKeys.get(record);
  if (index === undefined) {
    index = new Map(Object.keys(record).map((k) => [squash(k), k]));
    squashedKeys.set(record, index);
  }
  for (const name of names) {
    const key = index.get(squash(name));
    if (key !== undefined) return record[key];
  }
  return undefined;
}

const text = (v: unknown): string | null => (typeof v === "string" && v.trim().length > 0 ? v.trim() : null);

const CLIENT_APPS: Readonly<Record<string, string>> = {
  browser: "browser",
  mobileappsanddesktopclients: "mobileAppsAndDesktopClients",
  mobileappsanddesktop: "mobileAppsAndDesktopClients",
  modern: "mobileAppsAndDesktopClients",
  exchangeactivesync: "exchangeActiveSync",
  eas: "exchangeActiveSync",
};

/** Graph `clientAppUsed` -> `conditionalAccessClientApp`; every other (legacy) protocol is `other`. */
export function clientAppTypeOf(clientAppUsed: string | null): string {
  if (clientAppUsed === null) return "unknown";
  // A log holds a handful of distinct values: remember them (the replay's hot path).
  let type = clientAppTypes.get(clientAppUsed);
  if (type === undefined) {
    type = CLIENT_APPS[squash(clientAppUsed)] ?? "other";
    if (clientAppTypes.size < 1024) clientAppTypes.set(clientAppUsed, type);
  }
  return type;
}
const clientAppTypes = new Map<string, string>();

/** `deviceDetail.operatingSystem` ("Windows 10", "Ios", "MacOs", "Android 14") -> device platform. */
export function platformOf(operatingSystem: string | null): string {
  const os = (operatingSystem ?? "").toLowerCase();
  if (os.length === 0) return "unknown";
  if (os.startsWith("windowsphone") || os.startsWith("windows phone")) return "windowsPhone";
  if (os.startsWith("windows")) return "windows";
  if (os.startsWith("ios") || os.startsWith("ipados") || os.startsWith("iphone") || os.startsWith("ipad")) return "iOS";
  if (os.startsWith("android")) return "android";
  if (os.startsWith("mac") || os.startsWith("os x")) return "macOS";
  if (os.startsWith("linux") || os.startsWith("ubuntu") || os.startsWith("chrome")) return "linux";
  return "unknown";
}

/** Display names of methods (Graph beta, portal, our log) -> `authenticationMethodModes`. */
const METHODS: Readonly<Record<string, string>> = {
  password: "password",
  passwordhashsync: "password",
  passthroughauthentication: "password",
  sms: "sms",
  textmessage: "sms",
  phonecall: "voice",
  voice: "voice",
  authenticatorapp: "microsoftAuthenticatorPush",
  mobileappnotification: "microsoftAuthenticatorPush",
  microsoftauthenticatorapp: "microsoftAuthenticatorPush",
  microsoftauthenticatorpush: "microsoftAuthenticatorPush",
  microsoftauthenticatorpasswordless: "deviceBasedPush",
  devicebasedpush: "deviceBasedPush",
  appverificationcode: "softwareOath",
  softwareoath: "softwareOath",
  oathverificationcode: "hardwareOath",
  hardwareoath: "hardwareOath",
  fido: "fido2",
  fido2: "fido2",
  fido2securitykey: "fido2",
  passkey: "fido2",
  passkeydevicebound: "fido2",
  windowshelloforbusiness: "windowsHelloForBusiness",
  temporaryaccesspass: "temporaryAccessPassOneTime",
  emailotp: "email",
  email: "email",
  certificate: "x509CertificateMultiFactor",
  certificatebasedauthentication: "x509CertificateMultiFactor",
  x509certificatesinglefactor: "x509CertificateSingleFactor",
  x509certificatemultifactor: "x509CertificateMultiFactor",
  federatedsinglefactor: "federatedSingleFactor",
  federatedmultifactor: "federatedMultiFactor",
  previouslysatisfied: "",
};

function methodsUsed(record: Record<string, unknown>): string[] {
  const out = new Set<string>();
  const add = (name: unknown): void => {
    const s = text(name);
    if (s === null) return;
    for (const part of s.split(/[;,]/)) {
      const mode = METHODS[squash(part)];
      if (mode) out.add(mode);
    }
  };
  const used = field(record, "authenticationMethodsUsed");
  if (Array.isArray(used)) used.forEach(add);
  else add(used);
  const details = field(record, "authenticationDetails");
  if (Array.isArray(details)) {
    for (const d of details) if (isRecord(d) && field(d, "succeeded") !== false) add(field(d, "authenticationMethod"));
  }
  add(field(record, "Multifactor authentication auth method", "mfaAuthMethod"));
  const requirement = text(field(record, "authenticationRequirement", "Authentication requirement"));
  // The first factor is a password unless the record says otherwise (a passwordless method
  // alone satisfies every combination it belongs to; an extra password never hurts).
  out.add("password");
  // A sign-in that passed an MFA requirement without naming the method: count a second factor.
  if (requirement !== null && squash(requirement) === "multifactorauthentication" && out.size === 1 && out.has("password")) {
    const status = field(record, "status");
    const code = isRecord(status) ? field(status, "errorCode") : field(record, "Sign-in error code", "errorCode");
    if (code === 0 || code === "0" || code === "" || code === undefined) out.add("microsoftAuthenticatorPush");
  }
  return [...out];
}

const RISK = new Set(["low", "medium", "high", "none"]);
const TRUST: Readonly<Record<string, string>> = {
  azureadjoined: "AzureAD",
  microsoftentrajoined: "AzureAD",
  azuread: "AzureAD",
  hybridazureadjoined: "ServerAD",
  microsoftentrahybridjoined: "ServerAD",
  serverad: "ServerAD",
  azureadregistered: "Workplace",
  microsoftentraregistered: "Workplace",
  workplace: "Workplace",
};

/** The few facts that decide whether a record needs evaluating at all (no request built). */
export interface SignInBasics {
  userId: string | null;
  servicePrincipalId: string | null;
  resourceId: string | null;
  createdDateTime: string | null;
  /** `conditionalAccessClientApp`, or "unknown". */
  clientAppType: string;
  /** Lower case; "none" when absent or unknown. */
  signInRisk: string;
}

export function signInBasics(record: Record<string, unknown>): SignInBasics | null {
  const userId = text(field(record, "userId", "User ID"));
  const servicePrincipalId = text(field(record, "servicePrincipalId", "Service principal ID"));
  let isWorkload = userId === null;
  if (!isWorkload && servicePrincipalId !== null) {
    const eventTypes = field(record, "signInEventTypes");
    isWorkload = Array.isArray(eventTypes) && eventTypes.some((t) => typeof t === "string" && /serviceprincipal|managedidentity/i.test(t));
  }
  if (isWorkload && servicePrincipalId === null) return null;
  const risk = text(field(record, "riskLevelDuringSignIn", "Risk level during sign-in"))?.toLowerCase() ?? "none";
  return {
    userId: isWorkload ? null : userId,
    servicePrincipalId: isWorkload ? servicePrincipalId : null,
    resourceId: text(field(record, "resourceId", "Resource ID")) ?? text(field(record, "appId", "Application ID")),
    createdDateTime: text(field(record, "createdDateTime", "Date (UTC)", "Date")),
    clientAppType: clientAppTypeOf(text(field(record, "clientAppUsed", "Client app"))),
    signInRisk: RISK.has(risk) ? risk : "none",
  };
}

/** Rebuilds the request of one record, or null when it names no user or service principal. */
export function signInToRequest(record: Record<string, unknown>, basics: SignInBasics | null = signInBasics(record)): SignInFacts | null {
  if (basics === null) return null;
  const id = text(field(record, "id", "Request ID", "Id")) ?? "";
  const { userId, servicePrincipalId, resourceId } = basics;
  const isWorkload = userId === null;
  const resourceLabel =
    text(field(record, "resourceDisplayName", "Resource")) ??
    text(field(record, "appDisplayName", "Application")) ??
    resourceId ??
    "unknown";
  const deviceDetail = field(record, "deviceDetail");
  const device: Record<string, unknown> = isRecord(deviceDetail) ? deviceDetail : record;
  const operatingSystem = text(field(device, "operatingSystem", "Operating System"));
  const location = field(record, "location");
  const country = text(isRecord(location) ? field(location, "countryOrRegion") : field(record, "Location", "countryOrRegion"));
  const ipAddress = text(field(record, "ipAddress", "IP address"));
  const risk = basics.signInRisk;
  const transfer = text(field(record, "originalTransferMethod", "Original transfer method"));
  const protocol = text(field(record, "authenticationProtocol", "Authentication Protocol"));

  const clientAppType = basics.clientAppType;
  const platform = platformOf(operatingSystem);
  const conditions: SignInConditions = { signInRiskLevel: risk };
  if (clientAppType !== "unknown") conditions.clientAppType = clientAppType;
  if (platform !== "unknown") conditions.devicePlatform = platform;
  if (ipAddress !== null) conditions.ipAddress = ipAddress;
  if (country !== null && /^[A-Za-z]{2}$/.test(country)) conditions.country = country.toUpperCase();
  const compliant = field(device, "isCompliant", "Compliant");
  const trustType = text(field(device, "trustType", "Join Type"));
  const deviceId = text(field(device, "deviceId", "Device ID"));
  if (compliant === true || compliant === "true" || compliant === "True" || trustType !== null || deviceId !== null) {
    const info: DeviceInfo = { isCompliant: compliant === true || String(compliant).toLowerCase() === "true" };
    const t = trustType === null ? undefined : TRUST[squash(trustType)];
    if (t !== undefined) info.trustType = t;
    if (deviceId !== null) info.deviceId = deviceId;
    conditions.deviceInfo = info;
  }
  let flow: string | null = null;
  if (transfer !== null && squash(transfer) !== "none") flow = squash(transfer) === "devicecodeflow" ? "deviceCodeFlow" : transfer;
  else if (protocol !== null && squash(protocol) === "devicecode") flow = "deviceCodeFlow";
  if (flow !== null) conditions.authenticationFlow = { transferMethod: flow };

  const request: WhatIfRequest = isWorkload
    ? {
        signInIdentity: { "@odata.type": "#microsoft.graph.servicePrincipalSignIn", servicePrincipalId: servicePrincipalId as string },
        signInContext: {
          "@odata.type": "#microsoft.graph.applicationContext",
          includeApplications: resourceId === null ? [] : [resourceId],
        },
        signInConditions: { ...conditions, servicePrincipalRiskLevel: conditions.signInRiskLevel ?? "none" },
      }
    : {
        signInIdentity: { "@odata.type": "#microsoft.graph.userSignIn", userId: userId as string },
        signInContext: {
          "@odata.type": "#microsoft.graph.applicationContext",
          includeApplications: resourceId === null ? [] : [resourceId],
        },
        signInConditions: conditions,
        satisfied: { authenticationMethods: methodsUsed(record) },
      };
  return {
    id,
    createdDateTime: basics.createdDateTime,
    userId: isWorkload ? null : userId,
    userLabel: isWorkload
      ? (text(field(record, "servicePrincipalName", "Service principal name")) ?? (servicePrincipalId as string))
      : (text(field(record, "userPrincipalName", "Username", "User")) ?? (userId as string)),
    servicePrincipalId: isWorkload ? servicePrincipalId : null,
    resourceId,
    resourceLabel,
    clientAppType: isWorkload ? "servicePrincipal" : clientAppType,
    platform,
    ipAddress,
    request,
  };
}
