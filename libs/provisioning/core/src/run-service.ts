import { randomUUID } from 'node:crypto';
import { inject, injectable } from 'inversify';
import { z } from 'zod';
import { ConflictError, NotFoundError, ValidationError } from '@provisioning/errors';
import { IdentityProviderService } from './identity-provider-service';
import { RunExecutor } from './run-executor';
import { RunStore } from './run-store';
import { RUN_STATES, SITUATIONS } from './runs';
import type { Run, RunItem, RunState, RunTrigger, Situation } from './runs';
import { zodToValidationError } from './zod-errors';

const startSchema = z
  .object({
    idp: z.string().min(1).max(255),
    connector: z.string().min(1).max(64).optional(),
    dryRun: z.boolean().optional(),
    users: z.array(z.string().min(1).max(1024)).min(1).max(1000).optional(),
  })
  .strict();

/** Starting, reading and cancelling reconciliation runs (admin API; tenant-scoped). */
@injectable()
export class RunService {
  constructor(
    @inject(RunStore) private readonly runs: RunStore,
    @inject(RunExecutor) private readonly executor: RunExecutor,
    @inject(IdentityProviderService) private readonly idps: IdentityProviderService,
  ) {}

  /** Queues a run (a dry run unless `dryRun: false`); one run at a time per target. */
  async start(tenant: string, body: unknown, requestedBy: string | null, trigger: RunTrigger = 'manual'): Promise<Run> {
    const parsed = startSchema.safeParse(body);
    if (!parsed.success) throw zodToValidationError(parsed.error, 'run');
    const input = parsed.data;
    const idp = await this.idps.findByName(tenant, input.idp);
    if (!idp) throw new NotFoundError(`identity provider "${input.idp}" not found`, { code: 'IDP-404' });
    const type = input.connector ?? idp.defaultConnectorType ?? (idp.connectors.length === 1 ? idp.connectors[0]!.connectorType : undefined);
    if (!type) throw new ValidationError(`identity provider "${idp.name}" has several connectors: name one ("connector")`);
    const connector = idp.connectors.find((c) => c.connectorType === type);
    if (!connector) throw new ValidationError(`identity provider "${idp.name}" has no ${type} connector`);
    if (!this.idps.definitionOf(type).manifest.capabilities.listAccounts) {
      throw new ValidationError(`the ${type} connector cannot list its target's accounts, so it cannot be reconciled`);
    }
    const active = await this.runs.activeRun(idp.id, type);
    if (active) throw new ConflictError(`run ${active} of ${idp.name} (${type}) has not finished yet`, { code: 'RUN-409' });
    const id = randomUUID();
    await this.runs.create({ id, tenant, idpId: idp.id, idpName: idp.name, connectorType: type, dryRun: input.dryRun ?? true, trigger, users: input.users ?? null, requestedBy });
    this.executor.wake();
    return this.runs.get(tenant, id);
  }

  async list(tenant: string, query: { idp?: string; state?: string }): Promise<Run[]> {
    if (query.state !== undefined && !RUN_STATES.includes(query.state as RunState)) throw new ValidationError(`state must be one of ${RUN_STATES.join(', ')}`);
    return this.runs.list(tenant, { ...(query.idp ? { idp: query.idp } : {}), ...(query.state ? { state: query.state as RunState } : {}) });
  }

  async get(tenant: string, id: string): Promise<Run> {
    return this.runs.get(tenant, id);
  }

  async items(tenant: string, id: string, query: { situation?: string; startIndex?: number; count?: number }): Promise<{ totalResults: number; startIndex: number; itemsPerPage: number; items: RunItem[] }> {
    if (query.situation !== undefined && !SITUATIONS.includes(query.situation as Situation)) throw new ValidationError(`situation must be one of ${SITUATIONS.join(', ')}`);
    const startIndex = query.startIndex ?? 1;
    const count = query.count ?? 100;
    if (!Number.isInteger(startIndex) || startIndex < 1 || startIndex > 2 ** 31) throw new ValidationError('startIndex must be a positive integer');
    if (!Number.isInteger(count) || count < 0 || count > 1000) throw new ValidationError('count must be an integer from 0 to 1000');
    const page = await this.runs.items(tenant, id, { ...(query.situation ? { situation: query.situation as Situation } : {}), startIndex, count });
    return { totalResults: page.total, startIndex, itemsPerPage: page.items.length, items: page.items };
  }

  async cancel(tenant: string, id: string): Promise<Run> {
    return this.runs.requestCancel(tenant, id);
  }
}
