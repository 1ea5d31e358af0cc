import type { Selectable } from 'kysely';
import { readLocalClaims } from '@provisioning/claims';
import type { ClaimValue } from '@provisioning/connector-kit';
import type { ProvisioningJobTable } from '@provisioning/persistence';

/** A user's local claims: one text per claim, a list for multi-valued ones (roles, groups, entitlements). */
export type LocalClaims = Readonly<Record<string, ClaimValue>>;

/** The values of a claim as a list (one text is a list of one). */
export function valuesOf(value: ClaimValue | undefined): readonly string[] {
  return value === undefined ? [] : typeof value === 'string' ? [value] : value;
}

/** Job states. `failed` is the dead-letter state: kept, visible, and retryable by an operator. */
/**
 * `held`: a deprovision the deprovisioning guard stopped; it waits for an administrator to approve
 * (sent) or reject (discarded) it, and later jobs of the same user wait behind it.
 */
export type JobState = 'pending' | 'running' | 'retrying' | 'succeeded' | 'failed' | 'discarded' | 'held';
export const JOB_STATES: readonly JobState[] = ['pending', 'running', 'retrying', 'succeeded', 'failed', 'discarded', 'held'];
export const OPEN_JOB_STATES: readonly JobState[] = ['pending', 'running', 'retrying'];

export type JobOperation = 'create' | 'update' | 'deprovision';

/** What a job carries from the commit that created it. Never a password. */
/** What a group job carries: the group's name and its user members (local ids), with what changed. */
export interface GroupJobPayload {
  displayName: string;
  members: Array<{ localId: string; username: string }>;
  added: Array<{ localId: string; username: string }>;
  removed: Array<{ localId: string; username: string }>;
}

export interface JobPayload {
  /** Local claims of the user after the change (for a delete: the last known ones). */
  claims: LocalClaims;
  /** For updates: the local claims whose value changed (added, modified or removed). */
  changedClaims?: string[];
  /** Present on GROUP jobs. */
  group?: GroupJobPayload;
  /** Written by a reconciliation run repairing drift: send every attribute, and reactivate the account. */
  repair?: { reactivate: boolean };
  /** A held deprovision an administrator approved: the guard lets it through. */
  approvedBy?: string;
}

/** The last failure of a job, as shown to operators. */
export interface JobError {
  kind: string;
  message: string;
  code?: string;
  status?: number;
  remoteCode?: string;
  remoteMessage?: string;
  /** The request may have been applied remotely although no answer came (timeout after sending). */
  outcomeUnknown?: boolean;
}

export interface ProvisioningJob {
  id: number;
  tenant: string;
  entityType: 'USER' | 'GROUP';
  entityId: string;
  entityName: string;
  operation: JobOperation;
  idpId: string;
  idpName: string;
  connectorType: string;
  payload: JobPayload;
  state: JobState;
  attempts: number;
  nextAttemptAt: number;
  lastError?: JobError;
  createdAt: number;
  updatedAt: number;
  completedAt?: number;
  /** Set when this job was merged into an earlier job of its chain. */
  coalescedInto?: number;
}

/**
 * A job's stored payload, parsed: the one place payload text becomes a value. Claims go through
 * `readLocalClaims`, so a payload queued by an earlier version (multi-valued claims comma-joined)
 * is delivered with the same values.
 */
export function readPayload(text: string): JobPayload {
  const payload = JSON.parse(text) as JobPayload;
  return { ...payload, claims: readLocalClaims(payload.claims) };
}

/** A job row as the engine uses it; `payload`, when given, is the row's payload already parsed. */
export function toJob(row: Selectable<ProvisioningJobTable>, payload?: JobPayload): ProvisioningJob {
  return {
    id: row.id,
    tenant: row.tenant,
    entityType: row.entity_type === 'GROUP' ? 'GROUP' : 'USER',
    entityId: row.entity_id,
    entityName: row.entity_name,
    operation: row.operation as JobOperation,
    idpId: row.idp_id,
    idpName: row.idp_name,
    connectorType: row.connector_type,
    payload: payload ?? readPayload(row.payload),
    state: row.state as JobState,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    lastError: row.last_error ? (JSON.parse(row.last_error) as JobError) : undefined,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    completedAt: row.completed_at ?? undefined,
    ...(row.coalesced_into !== null && row.coalesced_into !== undefined ? { coalescedInto: row.coalesced_into } : {}),
  };
}
