import { Router } from 'express';
import type { Request, Response } from 'express';
import { parse as parseFilter } from 'scim2-parse-filter';
import { ValidationError } from '@provisioning/errors';
import { contextOf } from '../principal';
import type { UserService, UserWriteResult } from '../../users/user-service';
import { etagOf, toScimUser } from '../../users/scim-user';

const LIST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
const MAX_COUNT = 200;

function baseUrl(req: Request): string {
  return `${req.protocol}://${req.get('host')}${req.baseUrl}`;
}

function send(req: Request, res: Response, status: number, result: UserWriteResult | { user: UserWriteResult['user'] }): void {
  const location = `${baseUrl(req)}/${result.user.id}`;
  const body = toScimUser(result.user, location);
  res.status(status).setHeader('ETag', etagOf(result.user.version)).type('application/scim+json');
  if (status === 201) res.setHeader('Location', location);
  if ('outbound' in result && result.outbound.length > 0) {
    res.setHeader('X-Provisioning-Status', result.outbound.map((o) => `${o.idp}/${o.connector}=${o.state}`).join(', '));
  }
  res.json(body);
}

/** `userName eq "x"` (the filter this version serves); anything else is `invalidFilter`, never a 500. */
export function usernameFromFilter(filter: string): string {
  let parsed: { op?: string; attrPath?: string; compValue?: unknown };
  try {
    parsed = parseFilter(filter) as typeof parsed;
  } catch (error) {
    throw new ValidationError(`Invalid filter "${filter}": ${(error as Error).message}`, { scimType: 'invalidFilter' });
  }
  if (parsed.op !== 'eq' || parsed.attrPath?.toLowerCase() !== 'username' || typeof parsed.compValue !== 'string') {
    throw new ValidationError(`Unsupported filter "${filter}": only userName eq "<value>" is supported on Users`, { scimType: 'invalidFilter' });
  }
  return parsed.compValue;
}

function positiveInt(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new ValidationError(`${name} must be a non-negative integer`, { scimType: 'invalidValue' });
  return n;
}

/** SCIM 2.0 /Users. */
export function usersRouter(users: UserService): Router {
  const router = Router();

  router.post('/', async (req, res) => {
    send(req, res, 201, await users.create(contextOf(req).tenant, req.body));
  });

  router.get('/', async (req, res) => {
    const filter = typeof req.query.filter === 'string' ? req.query.filter : undefined;
    const startIndex = Math.max(1, positiveInt(req.query.startIndex, 'startIndex', 1));
    const count = Math.min(MAX_COUNT, positiveInt(req.query.count, 'count', 100));
    const page = await users.list(contextOf(req).tenant, { username: filter ? usernameFromFilter(filter) : undefined, startIndex, count });
    res.type('application/scim+json').json({
      schemas: [LIST_SCHEMA],
      totalResults: page.total,
      startIndex,
      itemsPerPage: page.users.length,
      Resources: page.users.map((u) => toScimUser(u, `${baseUrl(req)}/${u.id}`)),
    });
  });

  router.get('/:id', async (req, res) => {
    const user = await users.get(contextOf(req).tenant, req.params.id);
    const etag = etagOf(user.version);
    if (req.get('If-None-Match') === etag) {
      res.status(304).end();
      return;
    }
    send(req, res, 200, { user });
  });

  router.put('/:id', async (req, res) => {
    send(req, res, 200, await users.replace(contextOf(req).tenant, req.params.id, req.body, req.get('If-Match')));
  });

  router.patch('/:id', async (req, res) => {
    send(req, res, 200, await users.patch(contextOf(req).tenant, req.params.id, req.body, req.get('If-Match')));
  });

  router.delete('/:id', async (req, res) => {
    await users.delete(contextOf(req).tenant, req.params.id, req.get('If-Match'));
    res.status(204).end();
  });

  return router;
}
