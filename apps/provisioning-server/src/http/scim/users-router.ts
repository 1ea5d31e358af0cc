import { Router } from 'express';
import type { Response } from 'express';
import { queryFromParams, queryFromSearchBody } from '../../scim/scim-query';
import { scimBase } from '../../scim/representation';
import type { UserWriteResult } from '@provisioning/directory';
import type { UserServices } from '../app';
import { contextOf } from '../principal';
import { notModified, sendList, sendResource } from './respond';

/** With blocking targets: what each one reported (`idp/connector=state, ...`). */
export function provisioningHeader(res: Response, result: UserWriteResult): void {
  if (result.outbound.length > 0) {
    res.setHeader('X-Provisioning-Status', result.outbound.map((o) => `${o.idp}/${o.connector}=${o.state}`).join(', '));
  }
}

/** SCIM 2.0 /Users (RFC 7644 3.3-3.6, 3.4.3 .search). */
export function usersRouter({ commands, queries }: UserServices): Router {
  const router = Router();

  router.post('/', async (req, res) => {
    const result = await commands.create(contextOf(req).tenant, req.body);
    provisioningHeader(res, result);
    // A user just created belongs to no group yet: no membership read.
    sendResource(req, res, 201, await queries.represent(result.user, scimBase(req), () => []), 'User');
  });

  router.get('/', async (req, res) => {
    const query = queryFromParams(req.query as Record<string, unknown>);
    sendList(res, await queries.list(contextOf(req).tenant, query, scimBase(req)), query, () => 'User');
  });

  router.post('/.search', async (req, res) => {
    const query = queryFromSearchBody(req.body);
    sendList(res, await queries.list(contextOf(req).tenant, query, scimBase(req)), query, () => 'User');
  });

  router.get('/:id', async (req, res) => {
    const resource = await queries.represent(await queries.get(contextOf(req).tenant, req.params.id), scimBase(req));
    if (notModified(req, res, resource)) return;
    sendResource(req, res, 200, resource, 'User');
  });

  router.put('/:id', async (req, res) => {
    const result = await commands.replace(contextOf(req).tenant, req.params.id, req.body, req.get('If-Match'));
    provisioningHeader(res, result);
    sendResource(req, res, 200, await queries.represent(result.user, scimBase(req)), 'User');
  });

  router.patch('/:id', async (req, res) => {
    const result = await commands.patch(contextOf(req).tenant, req.params.id, req.body, req.get('If-Match'));
    provisioningHeader(res, result);
    sendResource(req, res, 200, await queries.represent(result.user, scimBase(req)), 'User');
  });

  router.delete('/:id', async (req, res) => {
    await commands.delete(contextOf(req).tenant, req.params.id, req.get('If-Match'));
    res.status(204).end();
  });

  return router;
}
