import { Router } from 'express';
import type { ResidentServiceProviderService } from '@provisioning/core';
import { contextOf } from '../principal';

/** /api/server/v1/applications/resident: the resident service provider's outbound provisioning. */
export function residentRouter(resident: ResidentServiceProviderService): Router {
  const router = Router();
  router.get('/', async (req, res) => {
    res.json({ provisioningConfigurations: await resident.get(contextOf(req).tenant) });
  });
  router.put('/', async (req, res) => {
    res.json({ provisioningConfigurations: await resident.put(contextOf(req).tenant, req.body) });
  });
  return router;
}
