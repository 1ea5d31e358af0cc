/**
 * A claim's value, and so an outbound attribute's: one text, or the values of a multi-valued claim
 * (roles, groups, entitlements) each as it is. Never comma-joined: a value may contain a comma.
 */
export type ClaimValue = string | readonly string[];

/**
 * One attribute to send to the remote system, already mapped to the remote (IdP-side) name by the
 * engine, so a connector never needs to know the local claim dialect.
 */
export interface OutboundAttribute {
  name: string;
  value: ClaimValue;
  /** Whether the value came from the user's claims or from the IdP's provisioning default. */
  source: 'user' | 'default';
  /** The local claim it was read from, when it came from the user (lets warnings name the claim). */
  localClaim?: string;
  /**
   * Set when the value is an entitlement list that the IdP's role mappings produce for this field
   * (role mappings naming a `field`): every value those mappings can give. The value is then the
   * complete list the user should hold among them (possibly empty: none of them), so a connector
   * that converges a list adds what is missing and removes only values of this set that are no
   * longer given; values outside it (assigned by hand in the target) are never touched.
   */
  managedValues?: readonly string[];
}

/**
 * The user operations the engine sends. WSO2's POST/PUT/PATCH/DELETE collapse into these three because
 * the engine has already computed what changed; "delete" is `deprovision` because most targets
 * (Salesforce, SCIM servers by default) deactivate rather than delete.
 */
export type OperationKind = 'create' | 'update' | 'deprovision';

/**
 * One provisioning operation for one user and one connector configuration. The engine has already
 * applied the IdP's claim mapping and defaults: `attributes` speak the remote system's names.
 */
export interface ProvisioningOperation {
  kind: OperationKind;
  entityType: 'USER';
  /** Local user id (stable across renames). */
  localId: string;
  /** Local username (without tenant suffix). */
  username: string;
  tenantDomain: string;
  /** For `create`: every attribute. For `update`: only the changed ones. For `deprovision`: empty. */
  attributes: OutboundAttribute[];
  /** Every attribute of the user as of this change (lets an update fall back to a create or relink). */
  allAttributes: OutboundAttribute[];
  /** Remote id stored for this user and connector, if any. */
  remoteId?: string;
  /**
   * `update` only: make the account active again as well (a reconciliation run found it deactivated
   * or frozen remotely while the local user is active).
   */
  reactivate?: boolean;
}

/**
 * A remote call the connector made, for the provisioning log that operators read. Bodies must already
 * be redacted: the log is stored and shown, so a password in it would be a leak.
 */
export interface RemoteCallRecord {
  method: string;
  path: string;
  body?: unknown;
  status?: number;
  remoteCode?: string;
  remoteMessage?: string;
  durationMs: number;
}

/**
 * What happened remotely. The engine stores `remoteId` as the provisioned identity, so it must be the
 * remote system's real id, never an invented one (WSO2 stored a random UUID after a failed create).
 */
export interface ProvisioningResult {
  outcome: 'created' | 'updated' | 'deprovisioned' | 'linked' | 'unchanged';
  /** The remote id, only when the remote system returned or confirmed one. */
  remoteId?: string;
  remoteName?: string;
  /** Human-readable note for the log (e.g. "no remote account to deactivate"). */
  note?: string;
}

/**
 * The exact payload an operation would send, with secrets redacted; no side effects. Lets an
 * administrator see a mapping mistake (a phone number in a boolean field) before it reaches a target.
 */
export interface RemotePayloadPreview {
  method: string;
  path: string;
  body: Record<string, unknown>;
  /** Problems visible before sending (type mismatches, values the remote will reject). */
  warnings: string[];
}

/**
 * Result of checking a configuration against the remote system. A report rather than an exception so
 * the admin API can show which check failed and why, next to the ones that passed.
 */
export interface ConnectionTestReport {
  ok: boolean;
  checks: Array<{ name: string; ok: boolean; detail: string }>;
  apiUsage?: { used: number; max: number };
}
