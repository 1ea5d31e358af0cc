import { Router } from 'express';
import type { GroupServices } from '../app';
import { queryFromParams, queryFromSearchBody } from '../../scim/scim-query';
import { scimBase } from '../../scim/representation';
import { contextOf } from '../principal';
import { notModified, sendList, sendResource } from './respond';

/** SCIM 2.0 /Groups. */
export function groupsRouter({ commands, queries }: GroupServices): Router {
  const router = Router();

  router.post('/', async (req, res) => {
    const group = await commands.create(contextOf(req).tenant, req.body);
    sendResource(req, res, 201, await queries.represent(group, scimBase(req)), 'Group');
  });

  router.get('/', async (req, res) => {
    const query = queryFromParams(req.query as Record<string, unknown>);
    sendList(res, await queries.list(contextOf(req).tenant, query, scimBase(req)), query, () => 'Group');
  });

  router.post('/.search', async (req, res) => {
    const query = queryFromSearchBody(req.body);
    sendList(res, await queries.list(contextOf(req).tenant, query, scimBase(req)), query, () => 'Group');
  });

  router.get('/:id', async (req, res) => {
    const resource = await queries.represent(await queries.get(contextOf(req).tenant, req.params.id), scimBase(req));
    if (notModified(req, res, resource)) return;
    sendResource(req, res, 200, resource, 'Group');
  });

  router.put('/:id', async (req, res) => {
    const group = await commands.replace(contextOf(req).tenant, req.params.id, req.body, req.get('If-Match'));
    sendResource(req, res, 200, await queries.represent(group, scimBase(req)), 'Group');
  });

  router.patch('/:id', async (req, res) => {
    const group = await commands.patch(contextOf(req).tenant, req.params.id, req.body, req.get('If-Match'));
    sendResource(req, res, 200, await queries.represent(group, scimBase(req)), 'Group');
  });

  router.delete('/:id', async (req, res) => {
    await commands.delete(contextOf(req).tenant, req.params.id, req.get('If-Match'));
    res.status(204).end();
  });

  return router;
}
