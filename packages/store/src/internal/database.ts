/**
 * Row shapes of the SQL tables, as both dialects return them: ids, timestamps (ISO-8601) and
 * JSON documents are TEXT; booleans are INTEGER 0/1 (SQLite has no boolean type and
 * better-sqlite3 cannot bind one).
 */

export interface TenantSettingsTable {
  singleton: number;
  tenant_id: string;
  display_name: string;
  emergency_access_user_ids: string;
  emergency_access_group_ids: string;
  naming_standard_pattern: string | null;
  settings: string;
  modified_date_time: string;
}

export interface UsersTable {
  id: string;
  user_principal_name: string;
  display_name: string;
  user_type: string;
  account_enabled: number;
  external_user_type: string | null;
  external_tenant_id: string | null;
  password_hash: string | null;
  created_date_time: string;
}

export interface GroupsTable {
  id: string;
  display_name: string;
  description: string | null;
  is_assignable_to_role: number;
  created_date_time: string;
}

export interface GroupMembersTable {
  group_id: string;
  member_id: string;
  member_type: string;
}

export interface RoleAssignmentsTable {
  id: string;
  role_template_id: string;
  principal_id: string;
  directory_scope_id: string;
  created_date_time: string;
}

export interface ApplicationsTable {
  id: string;
  app_id: string;
  display_name: string;
  description: string | null;
  sign_in_audience: string;
  identifier_uris: string;
  redirect_uris: string;
  is_public_client: number;
  created_date_time: string;
}

export interface PasswordCredentialsTable {
  key_id: string;
  application_id: string;
  secret_hash: string;
  hint: string | null;
  display_name: string | null;
  start_date_time: string;
  end_date_time: string | null;
}

export interface KeyCredentialsTable {
  key_id: string;
  application_id: string;
  custom_key_identifier: string;
  display_name: string | null;
  type: string;
  usage: string;
  /** The certificate, base64 DER. */
  key: string;
  start_date_time: string;
  end_date_time: string;
}

export interface ServicePrincipalsTable {
  id: string;
  app_id: string;
  display_name: string;
  service_principal_type: string;
  app_owner_organization_id: string | null;
  account_enabled: number;
  custom_security_attributes: string;
  created_date_time: string;
}

export interface NamedLocationsTable {
  id: string;
  odata_type: string;
  display_name: string;
  body: string;
  created_date_time: string;
  modified_date_time: string | null;
}

export interface AuthenticationStrengthsTable {
  id: string;
  display_name: string;
  body: string;
  created_date_time: string;
  modified_date_time: string | null;
}

export interface AuthenticationContextsTable {
  id: string;
  display_name: string;
  description: string | null;
  is_available: number;
}

export interface PoliciesTable {
  id: string;
  display_name: string;
  state: string;
  template_id: string | null;
  body: string;
  created_date_time: string;
  modified_date_time: string | null;
  version: number;
}

export interface AuditLogTable {
  id: string;
  activity_date_time: string;
  category: string;
  activity_display_name: string;
  operation_type: string;
  initiated_by: string;
  target_resources: string;
  result: string;
  result_reason: string | null;
  correlation_id: string;
  logged_by_service: string;
  additional_details: string;
}

export interface SignInsTable {
  id: string;
  created_date_time: string;
  user_id: string | null;
  user_principal_name: string | null;
  app_id: string | null;
  service_principal_id: string | null;
  conditional_access_status: string;
  correlation_id: string;
  status_error_code: number;
  body: string;
}

/** A user's second factor: a TOTP secret (`softwareOath`) or a passkey (`fido2`). */
export interface AuthenticationMethodsTable {
  id: string;
  user_id: string;
  method_type: string;
  display_name: string;
  created_date_time: string;
  last_used_date_time: string | null;
  secret_ciphertext: string | null;
  last_time_step: number | null;
  credential_id: string | null;
  public_key: string | null;
  /** BIGINT: pg returns it as text. */
  counter: number | string | null;
  transports: string | null;
  aaguid: string | null;
  device_type: string | null;
  backed_up: number | null;
}

/** The sign-in service's protocol state (oidc-provider models), migration 0004. */
export interface OidcPayloadsTable {
  model: string;
  id: string;
  payload: string;
  grant_id: string | null;
  user_code: string | null;
  uid: string | null;
  expires_at: string | null;
  consumed_at: string | null;
}

export interface SignInThrottleTable {
  key: string;
  failures: number;
  window_started_at: string;
  lockouts: number;
  locked_until: string | null;
  last_failure_at: string;
}

/** Registrations of security info in progress, migration 0007. */
export interface SecurityInfoRegistrationsTable {
  id: string;
  user_id: string;
  method_type: string;
  secret_ciphertext: string | null;
  challenge: string | null;
  attempts: number;
  created_date_time: string;
  expires_at: string;
}

export interface Database {
  tenant_settings: TenantSettingsTable;
  users: UsersTable;
  groups: GroupsTable;
  group_members: GroupMembersTable;
  role_assignments: RoleAssignmentsTable;
  applications: ApplicationsTable;
  password_credentials: PasswordCredentialsTable;
  key_credentials: KeyCredentialsTable;
  service_principals: ServicePrincipalsTable;
  named_locations: NamedLocationsTable;
  authentication_strengths: AuthenticationStrengthsTable;
  authentication_contexts: AuthenticationContextsTable;
  policies: PoliciesTable;
  audit_log: AuditLogTable;
  sign_ins: SignInsTable;
  authentication_methods: AuthenticationMethodsTable;
  oidc_payloads: OidcPayloadsTable;
  sign_in_throttle: SignInThrottleTable;
  security_info_registrations: SecurityInfoRegistrationsTable;
}
