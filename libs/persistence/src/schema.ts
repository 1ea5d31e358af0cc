import type { Generated } from 'kysely';

/**
 * The whole relational schema, one interface per table. Every row that belongs to a tenant carries
 * `tenant` (the tenant domain, `carbon.super` for the super tenant) from day one, so isolation is a
 * WHERE clause and never a migration. Timestamps are epoch milliseconds; JSON columns are text.
 */
export interface TenantTable {
  domain: string;
  created_at: number;
  active: number;
}

export interface UserTable {
  id: string;
  tenant: string;
  username: string;
  /** Lower-cased username: uniqueness and look-ups are case-insensitive, as in Salesforce. */
  username_key: string;
  password_hash: string | null;
  /** The SCIM resource (without password and meta) as JSON. */
  resource: string;
  /** Local claims projected from the resource, JSON object claimURI -> value. */
  claims: string;
  /** JSON array of the server's own permission roles (e.g. `admin`); not provisioned. */
  roles: string;
  created_at: number;
  updated_at: number;
  version: number;
}

export interface IdentityProviderTable {
  id: string;
  tenant: string;
  name: string;
  name_key: string;
  description: string;
  enabled: number;
  /** JSON: the IdP body other than connectors (certificate, claims, roles, ...). */
  config: string;
  created_at: number;
  updated_at: number;
}

export interface IdpConnectorTable {
  idp_id: string;
  tenant: string;
  connector_type: string;
  enabled: number;
  is_default: number;
  blocking: number;
  rules: number;
  /** JSON object of non-confidential properties. */
  properties: string;
  /** Confidential properties, encrypted (AES-256-GCM envelope), or null when there are none. */
  secrets: string | null;
  /** Bumped on every change: connector instances (and their tokens) are keyed by it. */
  revision: number;
  updated_at: number;
}

export interface ResidentServiceProviderTable {
  tenant: string;
  config: string;
  updated_at: number;
}

export interface LocalClaimOverrideTable {
  tenant: string;
  claim_uri: string;
  display_name: string | null;
  description: string | null;
  mapped_attribute: string | null;
  user_store: string | null;
  updated_at: number;
}

export interface ProvisioningJobTable {
  /** Monotonic: commit order for one (target, entity) chain. */
  id: Generated<number>;
  tenant: string;
  entity_type: string;
  entity_id: string;
  entity_name: string;
  operation: string;
  idp_id: string;
  idp_name: string;
  connector_type: string;
  /** JSON: claim snapshot and changed claims at commit time (never passwords). */
  payload: string;
  state: string;
  attempts: number;
  next_attempt_at: number;
  lease_owner: string | null;
  lease_expires_at: number | null;
  last_error: string | null;
  created_at: number;
  updated_at: number;
  completed_at: number | null;
  /** Set on a pending update absorbed into an earlier job of its chain; it settles with that job. */
  coalesced_into: number | null;
  /** Lower-cased username: orders jobs of a target across a delete and re-create of the same name. */
  chain_key: string | null;
}

export interface ProvisionedIdentityTable {
  tenant: string;
  idp_id: string;
  connector_type: string;
  entity_type: string;
  entity_id: string;
  entity_name: string;
  remote_id: string | null;
  remote_name: string | null;
  /** provisioned | deprovisioned | failed */
  state: string;
  last_job_id: number | null;
  last_attempt_at: number | null;
  last_error: string | null;
  updated_at: number;
}

export interface ProvisioningAttemptTable {
  id: Generated<number>;
  job_id: number;
  tenant: string;
  idp_id: string;
  idp_name: string;
  connector_type: string;
  entity_id: string;
  entity_name: string;
  operation: string;
  /** JSON array of the remote calls made (method, path, redacted body, status). */
  calls: string;
  outcome: string;
  http_status: number | null;
  remote_code: string | null;
  remote_message: string | null;
  remote_id: string | null;
  duration_ms: number;
  at: number;
}

export interface GroupTable {
  id: string;
  tenant: string;
  display_name: string;
  /** Lower-cased display name: group names are unique per tenant, case-insensitively. */
  display_key: string;
  /** The SCIM resource without members and meta, as JSON. */
  resource: string;
  created_at: number;
  updated_at: number;
  version: number;
}

export interface GroupMemberTable {
  tenant: string;
  group_id: string;
  member_id: string;
  /** `User` or `Group` (nested groups). */
  member_type: string;
}

export interface TargetPauseTable {
  idp_id: string;
  connector_type: string;
  paused_until: number;
}

/** A remote account name claimed by one local entity on a target (see migration 0007). */
export interface RemoteNameClaimTable {
  idp_id: string;
  connector_type: string;
  entity_type: string;
  /** The remote name, lower-cased (Salesforce and SCIM user names compare case-insensitively). */
  name_key: string;
  entity_id: string;
  entity_name: string;
  claimed_at: number;
}

/** A reconciliation run (migration 0009). Counters are JSON objects of counts. */
export interface ReconciliationRunTable {
  id: string;
  tenant: string;
  idp_id: string;
  idp_name: string;
  connector_type: string;
  dry_run: number;
  trigger: string;
  /** JSON array of local usernames the run is limited to, or null for everyone in scope. */
  users: string | null;
  state: string;
  phase: string;
  progress_total: number;
  progress_done: number;
  situations: string;
  actions: string;
  cancel_requested: number;
  lease_owner: string | null;
  lease_expires_at: number | null;
  error: string | null;
  requested_by: string | null;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  updated_at: number;
}

/** One local user or remote account a run looked at. `fields` is a JSON array of differences. */
export interface ReconciliationItemTable {
  id: Generated<number>;
  run_id: string;
  entity_id: string | null;
  username: string | null;
  remote_id: string | null;
  remote_name: string | null;
  situation: string;
  fields: string;
  action: string;
  job_id: number | null;
  outcome: string | null;
  note: string | null;
}

/** Deprovisions sent to a target in its current guard window (migration 0010). */
export interface DeprovisionBudgetTable {
  idp_id: string;
  connector_type: string;
  window_start: number;
  count: number;
}

/** What automatic reconciliation last saw of an enabled outbound target (migration 0012). */
export interface TargetSyncStateTable {
  idp_id: string;
  connector_type: string;
  tenant: string;
  /** The IdP's provisioning configuration fingerprint; null: adopt the current one without a run. */
  fingerprint: string | null;
  updated_at: number;
}

export interface SignInCounterTable {
  /** `name` (per tenant, name and address) or `address`. */
  scope: string;
  counter_key: string;
  count: number;
  window_ends: number;
}

export interface Database {
  tenants: TenantTable;
  users: UserTable;
  identity_providers: IdentityProviderTable;
  idp_connectors: IdpConnectorTable;
  resident_service_providers: ResidentServiceProviderTable;
  local_claim_overrides: LocalClaimOverrideTable;
  provisioning_jobs: ProvisioningJobTable;
  provisioned_identities: ProvisionedIdentityTable;
  provisioning_attempts: ProvisioningAttemptTable;
  groups: GroupTable;
  group_members: GroupMemberTable;
  target_pauses: TargetPauseTable;
  remote_name_claims: RemoteNameClaimTable;
  reconciliation_runs: ReconciliationRunTable;
  reconciliation_items: ReconciliationItemTable;
  deprovision_budgets: DeprovisionBudgetTable;
  target_sync_state: TargetSyncStateTable;
  sign_in_counters: SignInCounterTable;
}
