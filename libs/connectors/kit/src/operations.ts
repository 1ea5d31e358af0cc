/** One attribute to send to the remote system, already mapped to the remote (IdP-side) name. */
export interface OutboundAttribute {
  name: string;
  value: string;
  /** Whether the value came from the user's claims or from the IdP's provisioning default. */
  source: 'user' | 'default';
  /** The local claim it was read from, when it came from the user. */
  localClaim?: string;
}

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
}

/** A remote call the connector made, for the provisioning log. Bodies must already be redacted. */
export interface RemoteCallRecord {
  method: string;
  path: string;
  body?: unknown;
  status?: number;
  remoteCode?: string;
  remoteMessage?: string;
  durationMs: number;
}

/** What happened remotely. */
export interface ProvisioningResult {
  outcome: 'created' | 'updated' | 'deprovisioned' | 'linked' | 'unchanged';
  /** The remote id, only when the remote system returned or confirmed one. */
  remoteId?: string;
  remoteName?: string;
  /** Human-readable note for the log (e.g. "no remote account to deactivate"). */
  note?: string;
}

/** The exact payload an operation would send, with secrets redacted; no side effects. */
export interface RemotePayloadPreview {
  method: string;
  path: string;
  body: Record<string, unknown>;
  /** Problems visible before sending (type mismatches, values the remote will reject). */
  warnings: string[];
}

/** Result of checking a configuration against the remote system. */
export interface ConnectionTestReport {
  ok: boolean;
  checks: Array<{ name: string; ok: boolean; detail: string }>;
  apiUsage?: { used: number; max: number };
}
