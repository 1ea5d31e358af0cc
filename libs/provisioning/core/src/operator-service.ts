import { inject, injectable } from 'inversify';
import { computeOutboundAttributes } from '@provisioning/claims';
import type { ConnectionTestReport, RemotePayloadPreview } from '@provisioning/connector-kit';
import { ConflictError, NotFoundError, ValidationError } from '@provisioning/errors';
import { DATABASE } from '@provisioning/persistence';
import type { DatabaseHandle } from '@provisioning/persistence';
import { ConnectorInstances } from './connector-instances';
import { IdentityProviderService } from './identity-provider-service';
import { JOB_STATES, toJob } from './jobs';
import type { JobError, JobState, ProvisioningJob } from './jobs';
import { ProvisioningOutbox } from './outbox';

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
    @inject(DATABASE) private readonly database: DatabaseHandle,
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
    let q = this.database.db.selectFrom('provisioning_jobs').selectAll().where('tenant', '=', tenant);
    if (query.state) q = q.where('state', '=', query.state);
    if (query.user) q = q.where('entity_name', '=', query.user);
    if (query.idp) q = q.where('idp_name', '=', query.idp);
    const rows = await q.orderBy('id', 'desc').limit(Math.min(query.limit ?? 100, 1000)).execute();
    return rows.map(toJob);
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
    const later = await this.database.db
      .selectFrom('provisioning_jobs')
      .select(['id'])
      .where('tenant', '=', tenant)
      .where('idp_id', '=', job.idpId)
      .where('connector_type', '=', job.connectorType)
      .where((eb) => eb.or([eb('entity_id', '=', job.entityId), eb('chain_key', '=', job.entityName.toLowerCase())]))
      .where('id', '>', id)
      .where('state', '!=', 'discarded')
      .where('coalesced_into', 'is', null)
      .orderBy('id', 'desc')
      .executeTakeFirst();
    if (later) {
      throw new ConflictError(`Job ${id} is superseded by job ${later.id} for the same user; retry or inspect job ${later.id} instead`);
    }
    const now = Date.now();
    const result = await this.database.db
      .updateTable('provisioning_jobs')
      .set({ state: 'pending', attempts: 0, next_attempt_at: now, completed_at: null, updated_at: now })
      .where('id', '=', id)
      .where('state', '=', job.state)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) throw new ConflictError(`Job ${id} changed meanwhile; look again`);
    this.outbox.committed();
    return this.job(tenant, id);
  }

  async discard(tenant: string, id: number): Promise<ProvisioningJob> {
    const job = await this.job(tenant, id);
    if (job.state === 'running' || job.state === 'succeeded') throw new ConflictError(`Job ${id} is ${job.state} and cannot be discarded`);
    if (job.coalescedInto !== undefined) throw new ConflictError(`Job ${id} was merged into job ${job.coalescedInto}; discard that one`);
    const now = Date.now();
    await this.database.db.transaction().execute(async (trx) => {
      const result = await trx
        .updateTable('provisioning_jobs')
        .set({ state: 'discarded', completed_at: now, updated_at: now })
        .where('id', '=', id)
        .where('state', '=', job.state)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) throw new ConflictError(`Job ${id} changed meanwhile; look again`);
      await trx
        .updateTable('provisioning_jobs')
        .set({ state: 'discarded', completed_at: now, updated_at: now })
        .where('coalesced_into', '=', id)
        .where('state', 'in', ['pending', 'failed'])
        .execute();
    });
    return this.job(tenant, id);
  }

  async status(tenant: string, username: string): Promise<IdentityStatus[]> {
    const identities = await this.database.db
      .selectFrom('provisioned_identities as p')
      .innerJoin('identity_providers as i', 'i.id', 'p.idp_id')
      .select(['i.name as idp', 'p.connector_type', 'p.remote_id', 'p.state', 'p.last_attempt_at', 'p.last_error', 'p.idp_id', 'p.entity_id'])
      .where('p.tenant', '=', tenant)
      .where('p.entity_name', '=', username)
      .execute();
    const open = await this.database.db
      .selectFrom('provisioning_jobs')
      .select(['idp_name', 'connector_type', 'state'])
      .where('tenant', '=', tenant)
      .where('entity_name', '=', username)
      .where('state', 'in', ['pending', 'running', 'retrying'])
      .execute();
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
    let q = this.database.db.selectFrom('provisioning_attempts').selectAll().where('tenant', '=', tenant);
    if (query.user) q = q.where('entity_name', '=', query.user);
    if (query.idp) q = q.where('idp_name', '=', query.idp);
    const rows = await q.orderBy('id', 'desc').limit(Math.min(query.limit ?? 100, 1000)).execute();
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

  /** The exact remote payload a create of a user with these local claims would send; no side effect. */
  async preview(tenant: string, idpId: string, claims: Record<string, string>, username: string): Promise<Array<{ connector: string; preview: RemotePayloadPreview }>> {
    const idp = await this.idps.get(tenant, idpId);
    const allAttributes = computeOutboundAttributes(claims, idp.claims);
    const out: Array<{ connector: string; preview: RemotePayloadPreview }> = [];
    for (const configuration of idp.connectors.filter((c) => c.isEnabled)) {
      const instance = this.instances.get(idp, configuration);
      const preview = await instance.preview({ kind: 'create', entityType: 'USER', localId: 'preview', username, tenantDomain: tenant, attributes: allAttributes, allAttributes });
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
    const row = await this.database.db.selectFrom('provisioning_jobs').selectAll().where('tenant', '=', tenant).where('id', '=', id).executeTakeFirst();
    if (!row) throw new NotFoundError(`Provisioning job ${id} does not exist`);
    return toJob(row);
  }
}
