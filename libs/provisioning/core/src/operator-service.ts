import { inject, injectable } from 'inversify';
import type { ConnectionTestReport, RemotePayloadPreview } from '@provisioning/connector-kit';
import { ConflictError, NotFoundError, ValidationError } from '@provisioning/errors';
import { z } from 'zod';
import { zodToValidationError } from './zod-errors';
import { ConnectorInstances } from './connector-instances';
import { IdentityProviderService } from './identity-provider-service';
import { JobStore } from './job-store';
import { JOB_STATES } from './jobs';
import { buildUserOperation } from './operation-builder';
import type { JobError, JobState, LocalClaims, ProvisioningJob } from './jobs';
import { ProvisioningOutbox } from './outbox';

const heldSchema = z.object({ idp: z.string().min(1).max(255), connector: z.string().min(1).max(64).optional() }).strict();

export interface JobQuery {
  state?: string;
  user?: string;
  idp?: string;
  limit?: number;
}

export interface IdentityStatus {
  idp: string;
  connector: string;
  remoteId: string | null;
  state: string;
  lastAttemptAt: string | null;
  lastError: JobError | null;
  pendingJobs: number;
}

export interface AttemptLog {
  id: number;
  jobId: number;
  at: string;
  idp: string;
  connector: string;
  user: string;
  operation: string;
  outcome: string;
  httpStatus: number | null;
  remoteCode: string | null;
  remoteMessage: string | null;
  remoteId: string | null;
  durationMs: number;
  calls: unknown[];
}

/** What operators see and do: jobs, per-user status, the attempt log, retry/discard, preview, connection test. Tenant-scoped. */
@injectable()
export class OperatorService {
  constructor(
    @inject(JobStore) private readonly store: JobStore,
    @inject(IdentityProviderService) private readonly idps: IdentityProviderService,
    @inject(ConnectorInstances) private readonly instances: ConnectorInstances,
    @inject(ProvisioningOutbox) private readonly outbox: ProvisioningOutbox,
  ) {}

  async jobs(tenant: string, query: JobQuery): Promise<ProvisioningJob[]> {
    if (query.state !== undefined && !JOB_STATES.includes(query.state as JobState)) {
      throw new ValidationError(`state must be one of ${JOB_STATES.join(', ')}`);
    }
    if (query.limit !== undefined && (!Number.isInteger(query.limit) || query.limit < 1 || query.limit > 1000)) {
      throw new ValidationError('limit must be an integer from 1 to 1000');
    }
    return this.store.list(tenant, { ...(query.state ? { state: query.state as JobState } : {}), ...(query.user ? { user: query.user } : {}), ...(query.idp ? { idp: query.idp } : {}), ...(query.limit ? { limit: query.limit } : {}) });
  }

  /**
   * A failed or discarded job goes back to the queue with a fresh attempt budget. Refused when a later
   * job of the same chain exists (replaying an old snapshot would overtake newer changes: retry the
   * latest one instead) or when the job was coalesced into another (retry that one).
   */
  async retry(tenant: string, id: number): Promise<ProvisioningJob> {
    const job = await this.job(tenant, id);
    if (job.state !== 'failed' && job.state !== 'discarded') {
      throw new ConflictError(`Job ${id} is ${job.state}; only failed or discarded jobs can be retried`);
    }
    if (job.coalescedInto !== undefined) {
      throw new ConflictError(`Job ${id} was merged into job ${job.coalescedInto}; retry job ${job.coalescedInto}`);
    }
    const later = await this.store.laterInChain(job);
    if (later !== undefined) {
      throw new ConflictError(`Job ${id} is superseded by job ${later} for the same user; retry or inspect job ${later} instead`);
    }
    await this.store.requeue(id, job.state);
    this.outbox.committed();
    return this.job(tenant, id);
  }

  async discard(tenant: string, id: number): Promise<ProvisioningJob> {
    const job = await this.job(tenant, id);
    if (job.state === 'running' || job.state === 'succeeded') throw new ConflictError(`Job ${id} is ${job.state} and cannot be discarded`);
    if (job.coalescedInto !== undefined) throw new ConflictError(`Job ${id} was merged into job ${job.coalescedInto}; discard that one`);
    await this.store.discard(id, job.state);
    return this.job(tenant, id);
  }

  /**
   * An administrator's decision on a target's held deprovisions (`{"idp":"Salesforce.com","connector":"salesforce"}`):
   * approve sends them (the guard lets them through), reject discards them; recorded with who decided.
   */
  async decideHeld(tenant: string, body: unknown, decision: 'approve' | 'reject', by: string): Promise<{ count: number }> {
    const parsed = heldSchema.safeParse(body);
    if (!parsed.success) throw zodToValidationError(parsed.error, 'held deprovisions');
    const idp = await this.idps.findByName(tenant, parsed.data.idp);
    if (!idp) throw new NotFoundError(`identity provider "${parsed.data.idp}" not found`, { code: 'IDP-404' });
    const type = parsed.data.connector ?? idp.defaultConnectorType ?? idp.connectors[0]?.connectorType;
    if (!type || !idp.connectors.some((c) => c.connectorType === type)) throw new ValidationError(`identity provider "${idp.name}" has no ${type ?? ''} connector`.trim());
    const held = await this.store.held(tenant, { idpId: idp.id, connectorType: type });
    const count = await this.store.decideHeld(held, decision, by);
    if (decision === 'approve' && count > 0) this.outbox.committed();
    return { count };
  }

  async status(tenant: string, username: string): Promise<IdentityStatus[]> {
    const { identities, open } = await this.store.userStatus(tenant, username);
    const result: IdentityStatus[] = identities.map((row) => ({
      idp: row.idp,
      connector: row.connector_type,
      remoteId: row.remote_id,
      state: row.state,
      lastAttemptAt: row.last_attempt_at ? new Date(row.last_attempt_at).toISOString() : null,
      lastError: row.last_error ? (JSON.parse(row.last_error) as JobError) : null,
      pendingJobs: open.filter((j) => j.idp_name === row.idp && j.connector_type === row.connector_type).length,
    }));
    for (const job of open) {
      if (!result.some((r) => r.idp === job.idp_name && r.connector === job.connector_type)) {
        result.push({ idp: job.idp_name, connector: job.connector_type, remoteId: null, state: 'pending', lastAttemptAt: null, lastError: null, pendingJobs: open.filter((j) => j.idp_name === job.idp_name && j.connector_type === job.connector_type).length });
      }
    }
    return result;
  }

  async logs(tenant: string, query: { user?: string; idp?: string; limit?: number }): Promise<AttemptLog[]> {
    const rows = await this.store.attempts(tenant, query);
    return rows.map((r) => ({
      id: r.id,
      jobId: r.job_id,
      at: new Date(r.at).toISOString(),
      idp: r.idp_name,
      connector: r.connector_type,
      user: r.entity_name,
      operation: r.operation,
      outcome: r.outcome,
      httpStatus: r.http_status,
      remoteCode: r.remote_code,
      remoteMessage: r.remote_message,
      remoteId: r.remote_id,
      durationMs: r.duration_ms,
      calls: JSON.parse(r.calls) as unknown[],
    }));
  }

  /**
   * The exact remote payload a create of a user with these local claims would send, built by the
   * same code as delivery (role mappings included); no side effect.
   */
  async preview(tenant: string, idpId: string, claims: LocalClaims, username: string): Promise<Array<{ connector: string; preview: RemotePayloadPreview }>> {
    const idp = await this.idps.get(tenant, idpId);
    const operation = buildUserOperation({ operation: 'create', localId: 'preview', username, tenant, claims }, idp, undefined);
    const out: Array<{ connector: string; preview: RemotePayloadPreview }> = [];
    for (const configuration of idp.connectors.filter((c) => c.isEnabled)) {
      const preview = await this.instances.get(idp, configuration).preview(operation);
      out.push({ connector: configuration.connectorType, preview });
    }
    return out;
  }

  async testConnection(tenant: string, idpId: string, connectorId: string): Promise<ConnectionTestReport> {
    const idp = await this.idps.get(tenant, idpId);
    const configuration = await this.idps.getConnector(tenant, idpId, connectorId);
    return this.instances.get(idp, configuration).testConnection();
  }

  private async job(tenant: string, id: number): Promise<ProvisioningJob> {
    return this.store.get(tenant, id);
  }
}
