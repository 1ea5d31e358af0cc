import { Router } from 'express';
import { listClaimDialects } from '@provisioning/claims';
import type { LocalClaimService } from '../../claims/local-claim-service';
import { contextOf } from '../principal';

/** /api/server/v1/claim-dialects */
export function claimsRouter(claims: LocalClaimService): Router {
  const router = Router();
  router.get('/', (req, res) => {
    const base = `${req.protocol}://${req.get('host')}${req.baseUrl}`;
    res.json(listClaimDialects().map((d) => ({ id: d.id, dialectURI: d.dialectURI, link: { href: `${base}/${d.id}`, rel: 'dialect' } })));
  });
  router.get('/local/claims', async (req, res) => {
    res.json(await claims.list(contextOf(req).tenant));
  });
  router.get('/local/claims/:claimId', async (req, res) => {
    res.json(await claims.get(contextOf(req).tenant, req.params.claimId));
  });
  router.put('/local/claims/:claimId', async (req, res) => {
    res.json(await claims.update(contextOf(req).tenant, req.params.claimId, req.body));
  });
  return router;
}
