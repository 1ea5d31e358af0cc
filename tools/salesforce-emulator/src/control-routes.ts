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
    const users = [...state.users.values()];
    res.json({
      tokenRequests: state.tokenRequests,
      liveTokens: state.tokens.size,
      apiUsage: { ...state.apiUsage, remaining: Math.max(0, state.apiUsage.max - state.apiUsage.used) },
      users: {
        total: users.length,
        active: users.filter((u) => u.IsActive).length,
        frozen: [...state.userLogins.values()].filter((l) => l.IsFrozen).length,
        licenses: state.options.licenses,
      },
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
