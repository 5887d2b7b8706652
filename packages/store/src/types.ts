/**
 * The store's records and inputs. Graph's words are used for members; ids, timestamps
 * (ISO-8601, UTC) and JSON documents round-trip as given. Secrets never appear in a record:
 * password hashes and client-secret hashes are read only through their own methods.
 */
import type {
  AuthenticationStrengthPolicy,
  ConditionalAccessPolicy,
  NamedLocation,
  SignInLogEntry,
  TenantSnapshot,
} from "@gatehouse/engine";

// ---- Paging and filters ------------------------------------------------------------------

export interface ListOptions<F> {
  /** Page size, 1..999 (Graph's `$top` limit); default 100. */
  top?: number;
  /** Rows to skip (Graph's `$skip`); default 0. */
  skip?: number;
  filter?: F;
}

export interface Page<T> {
  value: T[];
  /** The `skip` of the next page, or `null` on the last page. */
  nextSkip: number | null;
}

/** Filters every named object kind understands. String comparisons are case-insensitive. */
export interface NameFilter {
  id?: string;
  /** `displayName eq '...'` */
  displayName?: string;
  /** `startsWith(displayName, '...')` */
  displayNameStartsWith?: string;
}

// ---- Tenant ---------------------------------------------------------------------------------

export interface TenantSettings {
  tenantId: string;
  displayName: string;
  /** Break-glass accounts: never to be locked out by a policy (checked by the server on writes). */
  emergencyAccessUserIds: string[];
  emergencyAccessGroupIds: string[];
  /** A regular expression policy display names should match, or `null`. */
  namingStandardPattern: string | null;
  /** Any further settings, as a JSON object. */
  settings: Record<string, unknown>;
  modifiedDateTime: string;
}

export interface TenantSettingsInput {
  tenantId: string;
  displayName: string;
  emergencyAccessUserIds?: string[];
  emergencyAccessGroupIds?: string[];
  namingStandardPattern?: string | null;
  settings?: Record<string, unknown>;
}

// ---- Users ----------------------------------------------------------------------------------

export interface UserRecord {
  id: string;
  userPrincipalName: string;
  displayName: string;
  /** `Member` or `Guest`. */
  userType: string;
  accountEnabled: boolean;
  /** Guest classification (R12), e.g. `b2bCollaborationGuest`. */
  externalUserType: string | null;
  /** Home tenant of an external user (R13). */
  externalTenantId: string | null;
  createdDateTime: string;
}

export interface NewUser {
  /** Assigned (a lowercase GUID) when absent. */
  id?: string;
  userPrincipalName: string;
  displayName: string;
  /** Default `Member`. */
  userType?: string;
  /** Default `true`. */
  accountEnabled?: boolean;
  externalUserType?: string | null;
  externalTenantId?: string | null;
  /** A hash made by the caller (argon2id); the password itself is never given to the store. */
  passwordHash?: string | null;
}

export interface UserPatch {
  userPrincipalName?: string;
  displayName?: string;
  userType?: string;
  accountEnabled?: boolean;
  externalUserType?: string | null;
  externalTenantId?: string | null;
}

export interface UserFilter extends NameFilter {
  userPrincipalName?: string;
  userType?: string;
  accountEnabled?: boolean;
}

// ---- Groups ---------------------------------------------------------------------------------

export interface GroupRecord {
  id: string;
  displayName: string;
  description: string | null;
  isAssignableToRole: boolean;
  createdDateTime: string;
}

export interface NewGroup {
  id?: string;
  displayName: string;
  description?: string | null;
  /** Default `false`. */
  isAssignableToRole?: boolean;
}

export interface GroupPatch {
  displayName?: string;
  description?: string | null;
  isAssignableToRole?: boolean;
}

export type GroupMemberType = "user" | "group";

export interface GroupMember {
  id: string;
  type: GroupMemberType;
}

// ---- Directory role assignments -------------------------------------------------------------

export interface RoleAssignmentRecord {
  id: string;
  roleTemplateId: string;
  /** A user, group or service principal. */
  principalId: string;
  /** `/` is tenant-wide, the only scope Conditional Access counts (R11). */
  directoryScopeId: string;
  createdDateTime: string;
}

export interface NewRoleAssignment {
  id?: string;
  roleTemplateId: string;
  principalId: string;
  /** Default `/`. */
  directoryScopeId?: string;
}

export interface RoleAssignmentFilter {
  id?: string;
  principalId?: string;
  roleTemplateId?: string;
}

// ---- Applications (app registrations) -------------------------------------------------------

export interface ApplicationRecord {
  id: string;
  /** The client id. */
  appId: string;
  displayName: string;
  description: string | null;
  signInAudience: string;
  identifierUris: string[];
  redirectUris: string[];
  isPublicClient: boolean;
  createdDateTime: string;
}

export interface NewApplication {
  id?: string;
  /** Assigned (a lowercase GUID) when absent. */
  appId?: string;
  displayName: string;
  description?: string | null;
  /** Default `AzureADMyOrg`. */
  signInAudience?: string;
  identifierUris?: string[];
  redirectUris?: string[];
  /** Default `false`. */
  isPublicClient?: boolean;
}

export interface ApplicationPatch {
  displayName?: string;
  description?: string | null;
  signInAudience?: string;
  identifierUris?: string[];
  redirectUris?: string[];
  isPublicClient?: boolean;
}

export interface ApplicationFilter extends NameFilter {
  appId?: string;
}

/** Graph's `passwordCredential` as listed: the secret is never stored, only its hash. */
export interface PasswordCredentialRecord {
  keyId: string;
  displayName: string | null;
  /** The first characters of the secret, to recognise it. */
  hint: string | null;
  startDateTime: string;
  endDateTime: string | null;
}

export interface NewPasswordCredential {
  keyId?: string;
  /** A hash made by the caller; the secret itself is shown once to the user and never stored. */
  secretHash: string;
  hint?: string | null;
  displayName?: string | null;
  /** Default: now. */
  startDateTime?: string;
  endDateTime?: string | null;
}

/** What client authentication needs: the hashes of an app's secrets. */
export interface ClientSecretHash {
  keyId: string;
  secretHash: string;
  startDateTime: string;
  endDateTime: string | null;
}

/**
 * Graph's `keyCredential` of an application: an X.509 certificate (public part only) the
 * application proves possession of with `private_key_jwt`. `key` is the certificate's base64
 * DER; `customKeyIdentifier` its SHA-1 thumbprint (base64), as Entra sets it.
 */
export interface KeyCredentialRecord {
  keyId: string;
  customKeyIdentifier: string;
  displayName: string | null;
  /** `AsymmetricX509Cert`. */
  type: string;
  /** `Verify`. */
  usage: string;
  key: string;
  startDateTime: string;
  endDateTime: string;
}

export interface NewKeyCredential {
  keyId?: string;
  customKeyIdentifier: string;
  displayName?: string | null;
  type: string;
  usage: string;
  key: string;
  startDateTime: string;
  endDateTime: string;
}

// ---- Service principals ---------------------------------------------------------------------

export interface ServicePrincipalRecord {
  id: string;
  appId: string;
  displayName: string;
  /** `Application`, `ManagedIdentity`, `Legacy`, `SocialIdp`. */
  servicePrincipalType: string;
  appOwnerOrganizationId: string | null;
  accountEnabled: boolean;
  /** Flat `Set_Attribute` -> value(s), as the engine reads them (R21). */
  customSecurityAttributes: Record<string, string | string[]>;
  createdDateTime: string;
}

export interface NewServicePrincipal {
  id?: string;
  appId: string;
  displayName: string;
  /** Default `Application`. */
  servicePrincipalType?: string;
  appOwnerOrganizationId?: string | null;
  /** Default `true`. */
  accountEnabled?: boolean;
  customSecurityAttributes?: Record<string, string | string[]>;
}

export interface ServicePrincipalPatch {
  displayName?: string;
  servicePrincipalType?: string;
  appOwnerOrganizationId?: string | null;
  accountEnabled?: boolean;
  customSecurityAttributes?: Record<string, string | string[]>;
}

export interface ServicePrincipalFilter extends NameFilter {
  appId?: string;
}

// ---- Authentication contexts ----------------------------------------------------------------

/** Graph's `authenticationContextClassReference`. */
export interface AuthenticationContextRecord {
  /** `c1` .. `c99`. */
  id: string;
  displayName: string;
  description: string | null;
  isAvailable: boolean;
}

export interface AuthenticationContextPatch {
  displayName?: string;
  description?: string | null;
  isAvailable?: boolean;
}

// ---- Named locations and authentication strengths -------------------------------------------

export interface NamedLocationFilter extends NameFilter {
  /** `@odata.type`, e.g. `#microsoft.graph.ipNamedLocation`. */
  odataType?: string;
}

// ---- Conditional Access policies ------------------------------------------------------------

export interface PolicyRecord {
  /** The full Graph document; `id`, `createdDateTime` and `modifiedDateTime` are the store's. */
  policy: ConditionalAccessPolicy;
  /** Starts at 1 and grows by one on every update: the ETag. */
  version: number;
}

export interface PolicyFilter extends NameFilter {
  state?: string;
  templateId?: string;
}

/** Who makes a policy change, recorded with it in the same transaction. */
export interface AuditContext {
  initiatedBy: AuditInitiator;
  correlationId: string;
  /** The audit record's id; assigned when absent. */
  id?: string;
  additionalDetails?: AuditKeyValue[];
}

export interface PolicyWriteOptions {
  audit: AuditContext;
}

export interface PolicyChangeOptions extends PolicyWriteOptions {
  /** Fail with `preconditionFailed` unless the stored version is this one (If-Match). */
  ifMatchVersion?: number;
}

// ---- Audit log (Graph's directoryAudit) -----------------------------------------------------

export interface AuditUserIdentity {
  id: string;
  displayName?: string | null;
  userPrincipalName?: string | null;
  ipAddress?: string | null;
}

export interface AuditAppIdentity {
  appId?: string | null;
  displayName?: string | null;
  servicePrincipalId?: string | null;
  servicePrincipalName?: string | null;
}

export interface AuditInitiator {
  user?: AuditUserIdentity | null;
  app?: AuditAppIdentity | null;
}

export interface AuditModifiedProperty {
  displayName: string;
  /** JSON text, as Graph writes it; `null` when there was no old (or new) value. */
  oldValue: string | null;
  newValue: string | null;
}

export interface AuditTargetResource {
  id: string;
  displayName?: string | null;
  type?: string | null;
  userPrincipalName?: string | null;
  modifiedProperties?: AuditModifiedProperty[];
}

export interface AuditKeyValue {
  key: string;
  value: string;
}

export interface AuditRecord {
  id: string;
  activityDateTime: string;
  /** e.g. `Policy`, `UserManagement`, `GroupManagement`, `ApplicationManagement`. */
  category: string;
  activityDisplayName: string;
  /** `Add`, `Update`, `Delete`, `Assign`, `Unassign`. */
  operationType: string;
  initiatedBy: AuditInitiator;
  targetResources: AuditTargetResource[];
  /** `success`, `failure`, `timeout`. */
  result: string;
  resultReason: string | null;
  correlationId: string;
  loggedByService: string;
  additionalDetails: AuditKeyValue[];
}

export interface NewAuditRecord {
  id?: string;
  /** Default: now. */
  activityDateTime?: string;
  category: string;
  activityDisplayName: string;
  operationType: string;
  initiatedBy: AuditInitiator;
  targetResources: AuditTargetResource[];
  /** Default `success`. */
  result?: string;
  resultReason?: string | null;
  correlationId: string;
  /** Default `Core Directory`. */
  loggedByService?: string;
  additionalDetails?: AuditKeyValue[];
}

export interface AuditFilter {
  id?: string;
  category?: string;
  correlationId?: string;
  activityDisplayName?: string;
  operationType?: string;
  /** Inclusive lower bound on `activityDateTime`. */
  fromDateTime?: string;
  /** Exclusive upper bound on `activityDateTime`. */
  toDateTime?: string;
}

// ---- Repositories ---------------------------------------------------------------------------

export interface TenantRepository {
  /** `null` until the tenant is set up. */
  get(): Promise<TenantSettings | null>;
  /** Creates or replaces the tenant's settings. */
  put(settings: TenantSettingsInput): Promise<TenantSettings>;
}

export interface UserRepository {
  /** `conflict` when the id or (case-insensitively) the userPrincipalName is taken. */
  create(user: NewUser): Promise<UserRecord>;
  get(id: string): Promise<UserRecord | null>;
  /** Case-insensitive. */
  getByUserPrincipalName(userPrincipalName: string): Promise<UserRecord | null>;
  list(options?: ListOptions<UserFilter>): Promise<Page<UserRecord>>;
  update(id: string, patch: UserPatch): Promise<UserRecord>;
  /** Also removes the user's group memberships and role assignments. */
  delete(id: string): Promise<void>;
  /** `notFound` when there is no such user; `null` when the user has no password. */
  getPasswordHash(id: string): Promise<string | null>;
  setPasswordHash(id: string, passwordHash: string | null): Promise<void>;
}

export interface GroupRepository {
  create(group: NewGroup): Promise<GroupRecord>;
  get(id: string): Promise<GroupRecord | null>;
  list(options?: ListOptions<NameFilter>): Promise<Page<GroupRecord>>;
  update(id: string, patch: GroupPatch): Promise<GroupRecord>;
  /** Also removes its members, its own memberships in other groups and its role assignments. */
  delete(id: string): Promise<void>;
  /**
   * Adds a user or a group (its type is found by id). `notFound` for an unknown group or member,
   * `conflict` when already a member, `invalidInput` when the group would contain itself.
   */
  addMember(groupId: string, memberId: string): Promise<GroupMember>;
  removeMember(groupId: string, memberId: string): Promise<void>;
  /** Direct members, users and groups. */
  listMembers(groupId: string): Promise<GroupMember[]>;
  /** Groups the object is a direct member of. */
  listMemberOf(memberId: string): Promise<string[]>;
}

export interface RoleAssignmentRepository {
  /** `notFound` when the principal is no user, group or service principal; `conflict` when the same assignment exists. */
  create(assignment: NewRoleAssignment): Promise<RoleAssignmentRecord>;
  get(id: string): Promise<RoleAssignmentRecord | null>;
  list(options?: ListOptions<RoleAssignmentFilter>): Promise<Page<RoleAssignmentRecord>>;
  delete(id: string): Promise<void>;
}

export interface ApplicationRepository {
  /** `conflict` when the id or (case-insensitively) the appId is taken. */
  create(application: NewApplication): Promise<ApplicationRecord>;
  get(id: string): Promise<ApplicationRecord | null>;
  getByAppId(appId: string): Promise<ApplicationRecord | null>;
  list(options?: ListOptions<ApplicationFilter>): Promise<Page<ApplicationRecord>>;
  update(id: string, patch: ApplicationPatch): Promise<ApplicationRecord>;
  /** Also removes its password credentials. */
  delete(id: string): Promise<void>;
  addPasswordCredential(applicationId: string, credential: NewPasswordCredential): Promise<PasswordCredentialRecord>;
  removePasswordCredential(applicationId: string, keyId: string): Promise<void>;
  listPasswordCredentials(applicationId: string): Promise<PasswordCredentialRecord[]>;
  /** Secret hashes of the application with this appId (client id), for client authentication. */
  listClientSecretHashes(appId: string): Promise<ClientSecretHash[]>;
  /** Certificates (keyCredentials), oldest start first; `notFound` for an unknown application. */
  listKeyCredentials(applicationId: string): Promise<KeyCredentialRecord[]>;
  /** Replaces all certificates at once (Graph's PATCH of `keyCredentials`). */
  replaceKeyCredentials(applicationId: string, credentials: readonly NewKeyCredential[]): Promise<KeyCredentialRecord[]>;
  addKeyCredential(applicationId: string, credential: NewKeyCredential): Promise<KeyCredentialRecord>;
  removeKeyCredential(applicationId: string, keyId: string): Promise<void>;
  /** Certificates of the application with this appId (client id), for `private_key_jwt`. */
  listClientCertificates(appId: string): Promise<KeyCredentialRecord[]>;
}

export interface ServicePrincipalRepository {
  /** `conflict` when the id or (case-insensitively) the appId is taken: one per app in a tenant. */
  create(servicePrincipal: NewServicePrincipal): Promise<ServicePrincipalRecord>;
  get(id: string): Promise<ServicePrincipalRecord | null>;
  getByAppId(appId: string): Promise<ServicePrincipalRecord | null>;
  list(options?: ListOptions<ServicePrincipalFilter>): Promise<Page<ServicePrincipalRecord>>;
  update(id: string, patch: ServicePrincipalPatch): Promise<ServicePrincipalRecord>;
  /** Also removes its role assignments. */
  delete(id: string): Promise<void>;
}

export interface NamedLocationRepository {
  /** An empty `id` is assigned. */
  create(location: NamedLocation): Promise<NamedLocation>;
  get(id: string): Promise<NamedLocation | null>;
  list(options?: ListOptions<NamedLocationFilter>): Promise<Page<NamedLocation>>;
  /** Replaces the document; `invalidInput` when `@odata.type` would change. */
  update(id: string, location: NamedLocation): Promise<NamedLocation>;
  /** `conflict` while a policy references the location (Entra refuses too). */
  delete(id: string): Promise<void>;
}

export interface AuthenticationStrengthRepository {
  /** Custom strengths only; `conflict` for a built-in id. An empty `id` is assigned. */
  create(strength: AuthenticationStrengthPolicy): Promise<AuthenticationStrengthPolicy>;
  get(id: string): Promise<AuthenticationStrengthPolicy | null>;
  list(options?: ListOptions<NameFilter>): Promise<Page<AuthenticationStrengthPolicy>>;
  update(id: string, strength: AuthenticationStrengthPolicy): Promise<AuthenticationStrengthPolicy>;
  /** `conflict` while a policy requires the strength. */
  delete(id: string): Promise<void>;
}

export interface AuthenticationContextRepository {
  /** `invalidInput` unless the id is `c1`..`c99`; `conflict` when it exists. */
  create(context: AuthenticationContextRecord): Promise<AuthenticationContextRecord>;
  get(id: string): Promise<AuthenticationContextRecord | null>;
  list(options?: ListOptions<NameFilter>): Promise<Page<AuthenticationContextRecord>>;
  update(id: string, patch: AuthenticationContextPatch): Promise<AuthenticationContextRecord>;
  /** `conflict` while a policy targets the context. */
  delete(id: string): Promise<void>;
}

export interface PolicyRepository {
  /**
   * Stores a (normalized, validated) policy at version 1 and its audit record in one
   * transaction. An empty `id` is assigned; `createdDateTime` is now, `modifiedDateTime` null.
   */
  create(policy: ConditionalAccessPolicy, options: PolicyWriteOptions): Promise<PolicyRecord>;
  get(id: string): Promise<PolicyRecord | null>;
  list(options?: ListOptions<PolicyFilter>): Promise<Page<PolicyRecord>>;
  /**
   * Replaces the document (the caller merges a PATCH first), bumps the version, and writes the
   * audit record with old and new values, in one transaction. `notFound`, or
   * `preconditionFailed` when `ifMatchVersion` is stale.
   */
  update(id: string, policy: ConditionalAccessPolicy, options: PolicyChangeOptions): Promise<PolicyRecord>;
  delete(id: string, options: PolicyChangeOptions): Promise<void>;
}

/** Append-only: there is deliberately no update or delete. */
export interface AuditLogRepository {
  append(record: NewAuditRecord): Promise<AuditRecord>;
  get(id: string): Promise<AuditRecord | null>;
  /** Newest first. */
  list(options?: ListOptions<AuditFilter>): Promise<Page<AuditRecord>>;
}

// ---- Sign-in logs (Graph's signIn) -----------------------------------------------------------

/** `userId`, `appId` and `correlationId` compare case-insensitively; the date bounds are inclusive. */
export interface SignInLogFilter {
  userId?: string;
  /** The client application's appId. */
  appId?: string;
  /** `success`, `failure`, `notApplied`. */
  conditionalAccessStatus?: string;
  correlationId?: string;
  /** Inclusive lower bound on `createdDateTime` (ISO 8601). */
  createdFrom?: string;
  /** Inclusive upper bound on `createdDateTime` (ISO 8601). */
  createdTo?: string;
}

/** Written by the sign-in service only: append, read, and expire by age (tenant setting `signInLogRetentionDays`). */
export interface SignInLogRepository {
  /**
   * Stores the record as given. `invalidInput` when it lacks an id, a correlationId, a known
   * conditionalAccessStatus, an integer status.errorCode or an ISO-8601 createdDateTime;
   * `conflict` when the id is taken.
   */
  append(entry: SignInLogEntry): Promise<SignInLogEntry>;
  get(id: string): Promise<SignInLogEntry | null>;
  /** Newest first (createdDateTime, then id). */
  list(options?: ListOptions<SignInLogFilter>): Promise<Page<SignInLogEntry>>;
  /** Removes the records created before `dateTime` (ISO 8601); returns how many. */
  purgeOlderThan(dateTime: string): Promise<number>;
}

// ---- Authentication methods (MFA) ----------------------------------------------------------

/** Graph's `authenticationMethodModes` for what the store keeps: TOTP and passkeys. */
export type AuthenticationMethodType = "softwareOath" | "fido2";

/** A user's second factor as listed: never a secret, a public key or a counter. */
export interface AuthenticationMethodRecord {
  id: string;
  userId: string;
  methodType: AuthenticationMethodType;
  displayName: string;
  createdDateTime: string;
  lastUsedDateTime: string | null;
  /** Passkeys only (base64url), for `allowCredentials` / `excludeCredentials`; `null` for TOTP. */
  credentialId: string | null;
  /** Passkeys only: WebAuthn transports (`usb`, `internal`, `hybrid`...); `[]` for TOTP. */
  transports: string[];
  aaguid: string | null;
  /** `singleDevice` or `multiDevice`; `null` for TOTP. */
  deviceType: string | null;
  backedUp: boolean | null;
}

export interface NewTotpMethod {
  id?: string;
  userId: string;
  displayName: string;
  /** The base32 secret, encrypted by the caller; the store never sees it in clear. */
  secretCiphertext: string;
  /** The time step of the code that proved the registration, so it cannot be used again. */
  lastTimeStep?: number | null;
}

/** What TOTP verification needs; read only through `getTotpSecret`. */
export interface TotpSecret {
  id: string;
  userId: string;
  secretCiphertext: string;
  /** The newest time step accepted so far (replay guard), or `null`. */
  lastTimeStep: number | null;
}

export interface NewPasskeyMethod {
  id?: string;
  userId: string;
  displayName: string;
  /** base64url; unique across the tenant. */
  credentialId: string;
  /** The COSE public key, base64url. */
  publicKey: string;
  counter: number;
  transports?: string[];
  aaguid?: string | null;
  deviceType?: string | null;
  backedUp?: boolean | null;
}

/** What WebAuthn assertion verification needs. */
export interface PasskeyCredential {
  id: string;
  userId: string;
  displayName: string;
  credentialId: string;
  publicKey: string;
  counter: number;
  transports: string[];
  aaguid: string | null;
  deviceType: string | null;
  backedUp: boolean | null;
  createdDateTime: string;
  lastUsedDateTime: string | null;
}

export interface AuthenticationMethodRepository {
  /** The user's methods, oldest first, without secrets or keys. */
  listForUser(userId: string): Promise<AuthenticationMethodRecord[]>;
  /** `notFound` when the user does not exist. */
  createTotp(method: NewTotpMethod): Promise<AuthenticationMethodRecord>;
  /** `null` when there is no TOTP method with this id. */
  getTotpSecret(id: string): Promise<TotpSecret | null>;
  /**
   * Records a use of a TOTP code from `timeStep`: true only when `timeStep` is newer than every
   * step accepted before (one atomic UPDATE, so two nodes cannot both accept the same code).
   * False also when there is no such TOTP method.
   */
  recordTotpUse(id: string, timeStep: number): Promise<boolean>;
  /** `notFound` when the user does not exist; `conflict` when the credential id is registered. */
  createPasskey(method: NewPasskeyMethod): Promise<AuthenticationMethodRecord>;
  getPasskeyByCredentialId(credentialId: string): Promise<PasskeyCredential | null>;
  /**
   * Stores a passkey's new signature counter and marks it used: true only when `newCounter` is
   * greater than the stored one, or both are 0 (an authenticator without a counter). One
   * atomic UPDATE: a cloned authenticator or a replayed assertion gets false.
   */
  updatePasskeyCounter(id: string, newCounter: number): Promise<boolean>;
  /** `notFound` when there is no such method. */
  delete(id: string): Promise<void>;
}

// ---- Sign-in service protocol state (oidc-provider's adapter) -------------------------------

/** One oidc-provider model instance as it is stored: JSON, with `consumed` set once consumed. */
export type OidcPayload = Record<string, unknown> & { grantId?: string; userCode?: string; uid?: string; consumed?: number };

/**
 * oidc-provider's adapter contract over one table, for every model (`model` is its name:
 * `Session`, `Grant`, `AuthorizationCode`, `DeviceCode`, `RefreshToken`...). Expired rows are
 * never found; `purgeExpired` removes them.
 */
export interface OidcPayloadRepository {
  /** Creates or replaces (model, id); `expiresInSeconds` from now, none = never expires. Clears `consumed`. */
  upsert(model: string, id: string, payload: OidcPayload, expiresInSeconds?: number | null): Promise<void>;
  find(model: string, id: string): Promise<OidcPayload | null>;
  findByUserCode(model: string, userCode: string): Promise<OidcPayload | null>;
  findByUid(model: string, uid: string): Promise<OidcPayload | null>;
  /** Marks (model, id) consumed (the first time only); a missing row is not an error. */
  consume(model: string, id: string): Promise<void>;
  /** A missing row is not an error. */
  destroy(model: string, id: string): Promise<void>;
  /** Removes every row, of any model, of the grant; returns how many. */
  revokeByGrantId(grantId: string): Promise<number>;
  /** Removes the expired rows; returns how many. */
  purgeExpired(): Promise<number>;
}

/** A failure-counting rule of the sign-in service's throttling (all positive integers). */
export interface SignInThrottleRule {
  /** Failures within the window that lock the key. */
  threshold: number;
  windowSeconds: number;
  /** The first lockout's length; each further lockout doubles it... */
  lockSeconds: number;
  /** ...up to this. */
  maxLockSeconds: number;
}

export interface SignInThrottleState {
  key: string;
  /** Failures in the current window (0 right after a lockout starts). */
  failures: number;
  windowStartedAt: string;
  /** Lockouts so far (they grow the next one); forgotten after a day without failures. */
  lockouts: number;
  /** ISO-8601; the key is locked while this is in the future. */
  lockedUntil: string | null;
  lastFailureAt: string;
}

/**
 * Counters of failed sign-in attempts (migration `0005_sign_in_throttle`), shared by every
 * node: the keys are the caller's (an account, an IP address...). A key idle for a day and not
 * locked is forgotten.
 */
export interface SignInThrottleRepository {
  /** The key's state, `null` when nothing is recorded (or it is forgotten). */
  get(key: string): Promise<SignInThrottleState | null>;
  /** Counts one failure, atomically; reaching `threshold` in the window locks the key for a growing time. */
  recordFailure(key: string, rule: SignInThrottleRule): Promise<SignInThrottleState>;
  /** Forgets the key (after a successful attempt). */
  clear(key: string): Promise<void>;
  /** Removes forgotten keys; returns how many. */
  purgeExpired(): Promise<number>;
}

/** A registration of security info in progress (migration `0007_security_info_registrations`). */
export interface SecurityInfoRegistrationRecord {
  id: string;
  userId: string;
  methodType: AuthenticationMethodType;
  /** TOTP: the secret being registered, encrypted by the caller. */
  secretCiphertext: string | null;
  /** Passkey: the WebAuthn challenge of the creation options. */
  challenge: string | null;
  /** Wrong codes so far. */
  attempts: number;
  createdDateTime: string;
  expiresDateTime: string;
}

export interface NewSecurityInfoRegistration {
  userId: string;
  methodType: AuthenticationMethodType;
  secretCiphertext?: string | null;
  challenge?: string | null;
  /** 1..3600. */
  expiresInSeconds: number;
}

/**
 * Registrations of security info between their start and their verification, shared by every
 * node. An expired registration is never found. One per user and method type: a new start
 * replaces the previous one.
 */
export interface SecurityInfoRegistrationRepository {
  /** `notFound` when the user does not exist. */
  create(registration: NewSecurityInfoRegistration): Promise<SecurityInfoRegistrationRecord>;
  get(id: string): Promise<SecurityInfoRegistrationRecord | null>;
  /** Counts a wrong code, atomically; the attempts so far, or `null` when there is no such (live) registration. */
  recordFailedAttempt(id: string): Promise<number | null>;
  /** Removes and returns the registration (once: of concurrent takers, one gets it); `null` when missing or expired. */
  take(id: string): Promise<SecurityInfoRegistrationRecord | null>;
  /** A missing row is not an error. */
  delete(id: string): Promise<void>;
  /** Removes the expired registrations; returns how many. */
  purgeExpired(): Promise<number>;
}

/** The same API outside and inside a transaction. */
export interface Repositories {
  readonly tenant: TenantRepository;
  readonly users: UserRepository;
  readonly groups: GroupRepository;
  readonly roleAssignments: RoleAssignmentRepository;
  readonly applications: ApplicationRepository;
  readonly servicePrincipals: ServicePrincipalRepository;
  readonly namedLocations: NamedLocationRepository;
  readonly authenticationStrengths: AuthenticationStrengthRepository;
  readonly authenticationContexts: AuthenticationContextRepository;
  readonly policies: PolicyRepository;
  readonly audit: AuditLogRepository;
  readonly signIns: SignInLogRepository;
  readonly authenticationMethods: AuthenticationMethodRepository;
  readonly oidcPayloads: OidcPayloadRepository;
  readonly signInThrottle: SignInThrottleRepository;
  readonly securityInfoRegistrations: SecurityInfoRegistrationRepository;
  /**
   * The engine's tenant snapshot, read consistently (one transaction). `tenantId` is `""`
   * until the tenant settings are put.
   */
  loadTenantSnapshot(): Promise<TenantSnapshot>;
}

export type StoreDialect = "sqlite" | "postgres";

export interface AppliedMigration {
  name: string;
  /** `null` when the migration has not run (only possible for a store opened by newer code). */
  executedAt: Date | null;
}

export interface Store extends Repositories {
  readonly dialect: StoreDialect;
  /**
   * Runs `work` in one transaction: committed when it resolves, rolled back when it throws.
   * Use only `tx` inside (on SQLite the store's own methods would wait for the transaction).
   */
  transaction<T>(work: (tx: Repositories) => Promise<T>): Promise<T>;
  /** The migrations this code knows and when each ran. */
  migrations(): Promise<AppliedMigration[]>;
  close(): Promise<void>;
}

interface CommonStoreOptions {
  /** The clock for timestamps (default: the system clock). */
  now?: () => Date;
}

export interface SqliteStoreOptions extends CommonStoreOptions {
  /** A file (its folder is created), or `:memory:`. */
  sqlitePath: string;
}

export interface PostgresStoreOptions extends CommonStoreOptions {
  /** e.g. `postgres://user@host:5432/db`. */
  databaseUrl: string;
  /** The schema to use (created when missing); default `public`. */
  schema?: string;
  /** Pool size; default 10. */
  maxConnections?: number;
}

export type StoreOptions = SqliteStoreOptions | PostgresStoreOptions;
