import { Router } from 'express';
import type { Request } from 'express';
import { scimUserToLocalClaims } from '@provisioning/claims';
import type { ImpactService, OperatorService, RunService } from '@provisioning/core';
import { ValidationError } from '@provisioning/errors';
import { extractPassword, validateResource } from '@provisioning/scim';
import { contextOf } from '../principal';

function jobId(req: Request): number {
  const id = Number(req.params.id);
  if (!Number.isInteger(id) || id <= 0) throw new ValidationError(`job id "${req.params.id}" is not a positive integer`);
  return id;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function integer(value: unknown, name: string): number | undefined {
  const raw = text(value);
  if (raw === undefined) return undefined;
  if (!/^-?\d{1,10}$/.test(raw)) throw new ValidationError(`${name} must be an integer`);
  return Number(raw);
}

/** /api/server/v1/provisioning: jobs, per-user status, the attempt log and reconciliation runs (operators). */
export function provisioningRouter(operator: OperatorService, runs: RunService): Router {
  const router = Router();
  router.post('/runs', async (req, res) => {
    const { tenant, principal } = contextOf(req);
    const run = await runs.start(tenant, req.body, principal?.username ?? null);
    res.status(202).location(`${req.baseUrl}/runs/${run.id}`).json(run);
  });
  router.get('/runs', async (req, res) => {
    res.json(await runs.list(contextOf(req).tenant, { idp: text(req.query.idp), state: text(req.query.state) }));
  });
  router.get('/runs/:id', async (req, res) => {
    res.json(await runs.get(contextOf(req).tenant, req.params.id));
  });
  router.get('/runs/:id/items', async (req, res) => {
    res.json(
      await runs.items(contextOf(req).tenant, req.params.id, {
        situation: text(req.query.situation),
        startIndex: integer(req.query.startIndex, 'startIndex'),
        count: integer(req.query.count, 'count'),
      }),
    );
  });
  router.post('/runs/:id/cancel', async (req, res) => {
    res.status(202).json(await runs.cancel(contextOf(req).tenant, req.params.id));
  });
  router.get('/jobs', async (req, res) => {
    const limit = text(req.query.limit) !== undefined ? Number(req.query.limit) : undefined;
    res.json(await operator.jobs(contextOf(req).tenant, { state: text(req.query.state), user: text(req.query.user), idp: text(req.query.idp), limit }));
  });
  router.post('/jobs/:id/retry', async (req, res) => {
    res.json(await operator.retry(contextOf(req).tenant, jobId(req)));
  });
  router.post('/held/approve', async (req, res) => {
    const { tenant, principal } = contextOf(req);
    res.json(await operator.decideHeld(tenant, req.body, 'approve', principal?.username ?? 'unknown'));
  });
  router.post('/held/reject', async (req, res) => {
    const { tenant, principal } = contextOf(req);
    res.json(await operator.decideHeld(tenant, req.body, 'reject', principal?.username ?? 'unknown'));
  });
  router.post('/jobs/:id/discard', async (req, res) => {
    res.json(await operator.discard(contextOf(req).tenant, jobId(req)));
  });
  router.get('/status', async (req, res) => {
    const user = text(req.query.user);
    if (!user) throw new ValidationError('query parameter "user" (a username) is required');
    res.json({ user, connectors: await operator.status(contextOf(req).tenant, user) });
  });
  router.get('/logs', async (req, res) => {
    res.json(await operator.logs(contextOf(req).tenant, { user: text(req.query.user), idp: text(req.query.idp) }));
  });
  return router;
}

/** Per-IdP operator endpoints mounted under /identity-providers/{id}/provisioning. */
export function idpProvisioningRouter(operator: OperatorService, impact: ImpactService): Router {
  const router = Router({ mergeParams: true });
  // What saving this IdP body (as PUT .../{id} takes it) would do to the target's accounts; no side effect.
  router.post('/:id/provisioning/impact', async (req, res) => {
    res.json(await impact.impact(contextOf(req).tenant, req.params.id, req.body));
  });
  router.post('/:id/provisioning/preview', async (req, res) => {
    const { resource } = extractPassword(validateResource(req.body, 'User', { mode: 'create' }).resource);
    const claims = scimUserToLocalClaims(resource);
    res.json(await operator.preview(contextOf(req).tenant, req.params.id, claims, String(resource.userName)));
  });
  router.post('/:id/provisioning/outbound-connectors/:connectorId/test', async (req, res) => {
    res.json(await operator.testConnection(contextOf(req).tenant, req.params.id, req.params.connectorId));
  });
  return router;
}
