/**
 * The control API under `/__emulator`: inspection and steering for tests and people. No auth (the
 * emulator is a loopback tool), never logged and never subject to faults.
 */
import express from 'express';
import type { NextFunction, Request, Response, Router } from 'express';
import type { EmulatorState } from './emulator-state';
import { InvalidFaultRuleError, validateFaultRule } from './faults';

function queryString(req: Request, name: string): string | undefined {
  const value = req.query[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function regexFilter(source: string | undefined): RegExp | undefined {
  if (source === undefined) return undefined;
  try {
    return new RegExp(source);
  } catch {
    throw new InvalidFaultRuleError(`not a valid regular expression: ${source}`);
  }
}

function objectBody(req: Request): Record<string, unknown> {
  const body: unknown = req.body;
  return typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
}

function optionalStrings(body: Record<string, unknown>, keys: readonly string[]): boolean {
  return keys.every((key) => body[key] === undefined || typeof body[key] === 'string');
}

function stringFields(body: Record<string, unknown>, keys: readonly string[]): Record<string, string> {
  return Object.fromEntries(keys.flatMap((key) => (typeof body[key] === 'string' ? [[key, body[key]]] : [])));
}

/** 201 with the new record, or 400 with the reason the state refused it. */
function created(res: Response, add: () => unknown): void {
  let record: unknown;
  try {
    record = add();
  } catch (error) {
    res.status(400).json({ error: (error as Error).message });
    return;
  }
  res.status(201).json(record);
}

/** Router for `/__emulator`. */
export function controlRoutes(state: EmulatorState): Router {
  const router = express.Router();
  router.use(express.json({ limit: '1mb' }));

  router.get('/users', (req: Request, res: Response) => {
    const username = queryString(req, 'username');
    if (username !== undefined) {
      const user = state.usersByUsername(username);
      res.json(user ? [user] : []);
      return;
    }
    res.json([...state.users.values()]);
  });

  router.get('/users/:id', (req: Request, res: Response) => {
    const user = state.user(String(req.params.id));
    if (!user) {
      res.status(404).json({ error: 'no such user' });
      return;
    }
    res.json({ ...user, UserLogin: state.userLoginFor(user.Id) ?? null });
  });

  router.get('/users/:id/permission-set-assignments', (req: Request, res: Response) => {
    const user = state.user(String(req.params.id));
    if (!user) {
      res.status(404).json({ error: 'no such user' });
      return;
    }
    res.json(
      state.assignmentsOf(user.Id).map((a) => {
        const set = state.permissionSets.get(a.PermissionSetId);
        return { ...a, PermissionSetName: set?.Name ?? null, IsOwnedByProfile: set?.IsOwnedByProfile ?? false };
      }),
    );
  });

  router.get('/permission-sets', (_req: Request, res: Response) => {
    res.json([...state.permissionSets.values()]);
  });

  router.post('/permission-sets', (req: Request, res: Response) => {
    const body = objectBody(req);
    const name = body.name;
    if (typeof name !== 'string' || !optionalStrings(body, ['label', 'id'])) {
      res.status(400).json({ error: 'body must be {"name": string, "label"?: string, "id"?: string}' });
      return;
    }
    created(res, () => state.addPermissionSet({ name, ...stringFields(body, ['label', 'id']) }));
  });

  router.get('/roles', (_req: Request, res: Response) => {
    res.json([...state.roles.values()]);
  });

  router.post('/roles', (req: Request, res: Response) => {
    const body = objectBody(req);
    const developerName = body.developerName;
    if (typeof developerName !== 'string' || !optionalStrings(body, ['name', 'parent', 'id'])) {
      res.status(400).json({ error: 'body must be {"developerName": string, "name"?: string, "parent"?: string (DeveloperName), "id"?: string}' });
      return;
    }
    created(res, () => state.addRole({ developerName, ...stringFields(body, ['name', 'parent', 'id']) }));
  });

  router.get('/requests', (req: Request, res: Response) => {
    const path = regexFilter(queryString(req, 'path'));
    const method = queryString(req, 'method')?.toUpperCase();
    const status = queryString(req, 'status');
    const limit = Number(queryString(req, 'limit') ?? '0');
    let entries = state.requestLog.filter(
      (e) => (!path || path.test(e.path)) && (!method || e.method === method) && (!status || String(e.status) === status),
    );
    if (limit > 0) entries = entries.slice(-limit);
    res.json(entries);
  });

  router.delete('/requests', (_req: Request, res: Response) => {
    state.requestLog.length = 0;
    res.status(204).end();
  });

  router.get('/stats', (_req: Request, res: Response) => {
    let frozen = 0;
    for (const login of state.userLogins.values()) if (login.IsFrozen) frozen += 1;
    res.json({
      tokenRequests: state.tokenRequests,
      liveTokens: state.tokens.size,
      apiUsage: { ...state.apiUsage, remaining: Math.max(0, state.apiUsage.max - state.apiUsage.used) },
      users: {
        total: state.users.size,
        active: state.activeUserCount(),
        frozen,
        licenses: state.options.licenses,
      },
      permissionSets: state.permissionSets.size,
      permissionSetAssignments: state.permissionSetAssignments.size,
      roles: state.roles.size,
      faults: state.faults.length,
      requestsLogged: state.requestLog.length,
    });
  });

  router.put('/api-usage', (req: Request, res: Response) => {
    const used: unknown = (req.body as Record<string, unknown> | undefined)?.used;
    if (typeof used !== 'number' || !Number.isInteger(used) || used < 0) {
      res.status(400).json({ error: 'body must be {"used": <non-negative integer>}' });
      return;
    }
    state.apiUsage.used = used;
    res.json(state.apiUsage);
  });

  router.get('/faults', (_req: Request, res: Response) => {
    res.json(state.faults);
  });

  router.post('/faults', (req: Request, res: Response) => {
    const id = state.injectFault(validateFaultRule(req.body));
    res.status(201).json({ id });
  });

  router.delete('/faults', (_req: Request, res: Response) => {
    state.clearFaults();
    res.status(204).end();
  });

  router.delete('/faults/:id', (req: Request, res: Response) => {
    const removed = state.removeFault(String(req.params.id));
    if (!removed) {
      res.status(404).json({ error: 'no such fault' });
      return;
    }
    res.status(204).end();
  });

  router.post('/expire-tokens', (_req: Request, res: Response) => {
    res.json({ expired: state.expireTokens() });
  });

  router.post('/reset', (_req: Request, res: Response) => {
    state.reset();
    res.status(204).end();
  });

  router.use((_req: Request, res: Response) => {
    res.status(404).json({ error: 'unknown control endpoint' });
  });

  router.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    if (err instanceof InvalidFaultRuleError) {
      res.status(400).json({ error: err.message });
      return;
    }
    const status = (err as { status?: unknown }).status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      res.status(status).json({ error: (err as Error).message });
      return;
    }
    next(err);
  });

  return router;
}
