import { randomUUID } from 'node:crypto';
import { Router } from 'express';
import type { NextFunction, Request, Response } from 'express';
import { echo, NotFoundError } from '@provisioning/errors';
import { projectAttributes } from '@provisioning/scim';
import type { ScimResource } from '@provisioning/scim';
import type { Logger } from '../../logging';
import { scim1ErrorBody, scim1ListResponse, scim1PatchToPatchOp, scim1QueryParams, toScim1User } from '../../scim/scim1-representation';
import { queryFromParams } from '../../scim/scim-query';
import type { ScimQuery } from '../../scim/scim-query';
import { checkPrecondition } from '@provisioning/directory';
import type { UserWriteResult } from '@provisioning/directory';
import type { UserServices } from '../app';
import { authenticate, requireRole, tenantResolver } from '../auth';
import type { AuthDependencies } from '../auth';
import { clientDetail, logFailure, statusOf } from '../error-handler';
import { jsonBody } from '../json-body';
import { contextOf } from '../principal';
import { notModified } from './respond';
import { provisioningHeader } from './users-router';

/** The base URL of this endpoint (`.../wso2/scim`): resource locations are under it. */
function baseOf(req: Request): string {
  return `${req.protocol}://${req.get('host')}${req.baseUrl}`;
}

function queryOf(req: Request): ScimQuery {
  return queryFromParams(scim1QueryParams(req.query as Record<string, unknown>));
}

function sendUser(req: Request, res: Response, status: number, resource: ScimResource): void {
  const meta = resource.meta as { version?: string; location?: string } | undefined;
  if (meta?.version) res.setHeader('ETag', meta.version);
  if (status === 201 && meta?.location) res.setHeader('Location', meta.location);
  res.status(status).json(toScim1User(projectAttributes(resource, queryOf(req), 'User')));
}

/**
 * The SCIM 1.1 error mapper of this endpoint (section 3.9): `{"Errors":[{"description","code"}]}`,
 * statuses and messages as the application's one mapping (`statusOf`, `clientDetail`) decides. Never
 * a stack trace, never a library's message.
 */
function scim1ErrorHandler(logger: Logger) {
  return (error: unknown, req: Request, res: Response, _next: NextFunction): void => {
    const status = statusOf(error);
    const description = clientDetail(error, status);
    logFailure(logger, error, status, randomUUID(), req);
    if (res.headersSent) return;
    if (status === 401) res.setHeader('WWW-Authenticate', 'Basic realm="provisioning-server", charset="UTF-8"');
    res.status(status).json(scim1ErrorBody(description, status));
  };
}

/**
 * SCIM 1.1 `/Users` as WSO2 serves it at `/wso2/scim` (admin role): create, get, list (the same
 * filter grammar; 1.1 attribute names accepted), replace, 1.1 PATCH (translated to a SCIM 2.0
 * PatchOp), delete (200, as 1.1 specifies). Everything runs through `UserService`, so validation,
 * the user-store policy and provisioning are those of `/scim2`. Self-contained (tenant, body parsing,
 * authentication, its own 404 and error mapper) so that every answer under it has the 1.1 shape.
 */
export function scim1Router({ commands, queries }: UserServices, auth: AuthDependencies, logger: Logger): Router {
  const router = Router({ mergeParams: true });
  router.use(tenantResolver(auth), authenticate(auth), requireRole(), ...jsonBody());

  router.post('/Users', async (req, res) => {
    const result = await commands.create(contextOf(req).tenant, req.body);
    provisioningHeader(res, result);
    sendUser(req, res, 201, await queries.represent(result.user, baseOf(req), () => []));
  });

  router.get('/Users', async (req, res) => {
    const query = queryOf(req);
    const page = await queries.list(contextOf(req).tenant, query, baseOf(req));
    const resources = page.resources.map((r) => toScim1User(projectAttributes(r, query, 'User')));
    res.json(scim1ListResponse(resources, page.total, page.startIndex));
  });

  router.get('/Users/:id', async (req, res) => {
    const resource = await queries.represent(await queries.get(contextOf(req).tenant, req.params.id), baseOf(req));
    if (notModified(req, res, resource)) return;
    sendUser(req, res, 200, resource);
  });

  router.put('/Users/:id', async (req, res) => {
    const result = await commands.replace(contextOf(req).tenant, req.params.id, req.body, req.get('If-Match'));
    provisioningHeader(res, result);
    sendUser(req, res, 200, await queries.represent(result.user, baseOf(req)));
  });

  router.patch('/Users/:id', async (req, res) => {
    const tenant = contextOf(req).tenant;
    const patchOp = scim1PatchToPatchOp(req.body);
    let result: UserWriteResult;
    if (patchOp) {
      result = await commands.patch(tenant, req.params.id, patchOp, req.get('If-Match'));
    } else {
      // Nothing to change: answer with the resource, still honouring If-Match.
      const user = await queries.get(tenant, req.params.id);
      checkPrecondition(user.version, req.get('If-Match'), `User ${user.id}`);
      result = { user, outbound: [] };
    }
    provisioningHeader(res, result);
    sendUser(req, res, 200, await queries.represent(result.user, baseOf(req)));
  });

  router.delete('/Users/:id', async (req, res) => {
    await commands.delete(contextOf(req).tenant, req.params.id, req.get('If-Match'));
    res.status(200).end();
  });

  router.use((req: Request, _res: Response, next: NextFunction) => {
    next(new NotFoundError(`No resource at ${req.method} ${echo(req.originalUrl.split('?')[0] ?? '')}`));
  });
  router.use(scim1ErrorHandler(logger));
  return router;
}
