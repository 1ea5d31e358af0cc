import { Router } from 'express';
import { ForbiddenError } from '@provisioning/errors';
import type { TenantService } from '@provisioning/directory';
import { contextOf } from '../principal';

/** /api/server/v1/tenants: super tenant administrators only. */
export function tenantsRouter(tenants: TenantService, superTenant: string): Router {
  const router = Router();
  router.use((req, _res, next) => {
    const ctx = contextOf(req);
    if (ctx.tenant !== superTenant) return next(new ForbiddenError('Tenants are managed by the super tenant\'s administrators only'));
    next();
  });
  router.post('/', async (req, res) => {
    const tenant = await tenants.create(req.body);
    res.status(201).setHeader('Location', `${req.protocol}://${req.get('host')}${req.baseUrl}/${tenant.id}`).json(tenant);
  });
  router.get('/', async (_req, res) => {
    const list = await tenants.list();
    res.json({ totalResults: list.length, startIndex: 1, count: list.length, tenants: list });
  });
  router.get('/:id', async (req, res) => {
    res.json(await tenants.get(req.params.id));
  });
  return router;
}
