import { Router } from 'express';
import type { Request } from 'express';
import { ForbiddenError, UnauthenticatedError } from '@provisioning/errors';
import { scimBase } from '../../scim/representation';
import type { UserServices } from '../app';
import { contextOf } from '../principal';
import { notModified, sendResource } from './respond';

function me(req: Request): { tenant: string; id: string } {
  const ctx = contextOf(req);
  if (!ctx.principal) throw new UnauthenticatedError();
  return { tenant: ctx.tenant, id: ctx.principal.userId };
}

/**
 * RFC 7644 3.11 /Me: the authenticated user's own resource (no admin role needed). Writes are limited to
 * self-service attributes (see UserCommands.replaceSelf); deleting oneself is refused.
 */
export function meRouter({ commands, queries }: UserServices): Router {
  const router = Router();
  router.get('/', async (req, res) => {
    const { tenant, id } = me(req);
    const resource = await queries.represent(await queries.get(tenant, id), scimBase(req));
    if (notModified(req, res, resource)) return;
    sendResource(req, res, 200, resource, 'User');
  });
  router.put('/', async (req, res) => {
    const { tenant, id } = me(req);
    const result = await commands.replaceSelf(tenant, id, req.body, req.get('If-Match'));
    sendResource(req, res, 200, await queries.represent(result.user, scimBase(req)), 'User');
  });
  router.patch('/', async (req, res) => {
    const { tenant, id } = me(req);
    const result = await commands.patchSelf(tenant, id, req.body, req.get('If-Match'));
    sendResource(req, res, 200, await queries.represent(result.user, scimBase(req)), 'User');
  });
  router.delete('/', () => {
    // Deleting an account (and deprovisioning it everywhere) is an administrator's decision.
    throw new ForbiddenError('Deleting your own account through /Me is not permitted; ask an administrator');
  });
  return router;
}
