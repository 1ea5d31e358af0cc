import { Router } from 'express';
import type { GroupService } from '../../groups/group-service';
import { queryFromParams, queryFromSearchBody } from '../../scim/scim-query';
import { scimBase } from '../../scim/representation';
import { contextOf } from '../principal';
import { notModified, sendList, sendResource } from './respond';

/** SCIM 2.0 /Groups. */
export function groupsRouter(groups: GroupService): Router {
  const router = Router();

  router.post('/', async (req, res) => {
    const group = await groups.create(contextOf(req).tenant, req.body);
    sendResource(req, res, 201, await groups.representOne(group, scimBase(req)), 'Group');
  });

  router.get('/', async (req, res) => {
    const query = queryFromParams(req.query as Record<string, unknown>);
    sendList(res, await groups.list(contextOf(req).tenant, query, scimBase(req)), query, () => 'Group');
  });

  router.post('/.search', async (req, res) => {
    const query = queryFromSearchBody(req.body);
    sendList(res, await groups.list(contextOf(req).tenant, query, scimBase(req)), query, () => 'Group');
  });

  router.get('/:id', async (req, res) => {
    const resource = await groups.representOne(await groups.get(contextOf(req).tenant, req.params.id), scimBase(req));
    if (notModified(req, res, resource)) return;
    sendResource(req, res, 200, resource, 'Group');
  });

  router.put('/:id', async (req, res) => {
    const group = await groups.replace(contextOf(req).tenant, req.params.id, req.body, req.get('If-Match'));
    sendResource(req, res, 200, await groups.representOne(group, scimBase(req)), 'Group');
  });

  router.patch('/:id', async (req, res) => {
    const group = await groups.patch(contextOf(req).tenant, req.params.id, req.body, req.get('If-Match'));
    sendResource(req, res, 200, await groups.representOne(group, scimBase(req)), 'Group');
  });

  router.delete('/:id', async (req, res) => {
    await groups.delete(contextOf(req).tenant, req.params.id, req.get('If-Match'));
    res.status(204).end();
  });

  return router;
}
