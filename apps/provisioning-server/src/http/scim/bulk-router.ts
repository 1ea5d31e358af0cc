import { Router } from 'express';
import { isProvisioningError } from '@provisioning/errors';
import type { Logger } from '../../logging';
import type { Request } from 'express';
import { BULK_RESPONSE_SCHEMA, planBulk, resolveBulkIds } from '@provisioning/scim';
import type { BulkOperationStep } from '@provisioning/scim';
import { etagOf } from '@provisioning/directory';
import type { GroupCommands, UserCommands } from '@provisioning/directory';
import { scimBase } from '../../scim/representation';
import type { GroupServices, UserServices } from '../app';
import { loggedError, scimErrorBody, statusOf } from '../error-handler';
import { contextOf } from '../principal';
import { BULK_LIMITS } from './discovery-router';
import { SCIM_JSON } from './respond';

interface BulkResult {
  method: string;
  bulkId?: string;
  version?: string;
  location?: string;
  status: string;
  response?: unknown;
}

/**
 * RFC 7644 3.7 Bulk: operations run in dependency order (bulkId references resolved to the ids the
 * server assigned), each with its own status; `failOnErrors` stops after that many errors. Limits are
 * advertised in ServiceProviderConfig and enforced (413 beyond them).
 */
export function bulkRouter({ commands: users }: UserServices, { commands: groups }: GroupServices, logger: Logger): Router {
  const router = Router();
  router.post('/', async (req: Request, res) => {
    const size = Number(req.get('content-length') ?? JSON.stringify(req.body ?? '').length);
    const plan = planBulk(req.body, BULK_LIMITS, size);
    const tenant = contextOf(req).tenant;
    const base = scimBase(req);
    const ids = new Map<string, string>();
    const results: Array<BulkResult & { index: number }> = [];
    let errors = 0;
    for (const step of plan.steps) {
      if (plan.failOnErrors !== undefined && errors >= plan.failOnErrors) break;
      if (step.kind === 'rejected') {
        errors += 1;
        results.push({ index: step.index, method: step.method ?? '', ...(step.bulkId ? { bulkId: step.bulkId } : {}), status: String(statusOf(step.error)), response: scimErrorBody(step.error) });
        continue;
      }
      try {
        const outcome = await run(step, ids, tenant, base, users, groups);
        if (step.method === 'POST' && step.bulkId && outcome.id) ids.set(step.bulkId, outcome.id);
        results.push({ index: step.index, method: step.method, ...(step.bulkId ? { bulkId: step.bulkId } : {}), ...outcome.result });
      } catch (error) {
        errors += 1;
        if (!isProvisioningError(error)) logger.error({ error: loggedError(error), bulkOperation: step.index }, 'bulk operation failed unexpectedly');
        results.push({ index: step.index, method: step.method, ...(step.bulkId ? { bulkId: step.bulkId } : {}), status: String(statusOf(error)), response: scimErrorBody(error) });
      }
    }
    results.sort((a, b) => a.index - b.index);
    res.type(SCIM_JSON).json({ schemas: [BULK_RESPONSE_SCHEMA], Operations: results.map(({ index: _i, ...r }) => r) });
  });
  return router;
}

async function run(
  step: BulkOperationStep,
  ids: Map<string, string>,
  tenant: string,
  base: string,
  users: UserCommands,
  groups: GroupCommands,
): Promise<{ id?: string; result: Omit<BulkResult, 'method' | 'bulkId'> }> {
  // References in the data and in the path (`/Users/bulkId:x`) resolve the same way: one whose POST
  // failed is an invalidValue naming it (not a lookup of "undefined").
  const data = step.data === undefined ? undefined : resolveBulkIds(step.data, ids, step.bulkId === undefined ? {} : { selfBulkId: step.bulkId });
  const resourceId = step.resourceId === undefined ? undefined : resolveBulkIds(step.resourceId, ids);
  const ifMatch = step.version;
  const isUser = step.resourceType === 'User';
  const located = (id: string, version: number) => ({ location: `${base}/${isUser ? 'Users' : 'Groups'}/${id}`, version: etagOf(version) });
  switch (step.method) {
    case 'POST': {
      const entity = isUser ? (await users.create(tenant, data)).user : await groups.create(tenant, data);
      return { id: entity.id, result: { ...located(entity.id, entity.version), status: '201' } };
    }
    case 'PUT': {
      const entity = isUser ? (await users.replace(tenant, resourceId!, data, ifMatch)).user : await groups.replace(tenant, resourceId!, data, ifMatch);
      return { result: { ...located(entity.id, entity.version), status: '200' } };
    }
    case 'PATCH': {
      const entity = isUser ? (await users.patch(tenant, resourceId!, data, ifMatch)).user : await groups.patch(tenant, resourceId!, data, ifMatch);
      return { result: { ...located(entity.id, entity.version), status: '200' } };
    }
    case 'DELETE': {
      if (isUser) await users.delete(tenant, resourceId!, ifMatch);
      else await groups.delete(tenant, resourceId!, ifMatch);
      return { result: { location: `${base}/${isUser ? 'Users' : 'Groups'}/${resourceId}`, status: '204' } };
    }
  }
}
