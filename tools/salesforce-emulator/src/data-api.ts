/**
 * `/services/data`: the version listing (no auth), and per version the guards every REST call passes
 * (known version, bearer token, daily API allowance, JSON body) before the resource routers.
 */
import express from 'express';
import type { NextFunction, Request, RequestHandler, Response, Router } from 'express';
import { checkApiVersion, listApiVersions } from './api-versions';
import { compositeRoutes } from './composite-routes';
import { resourceDirectory } from './describe';
import type { EmulatorState } from './emulator-state';
import { queryRoutes } from './query-routes';
import { context } from './request-context';
import { INVALID_SESSION, LIMIT_EXCEEDED, SalesforceApiError, apiError, notFound } from './salesforce-error';
import { sobjectRoutes } from './sobject-routes';

function bearerToken(req: Request): string | undefined {
  const header = req.get('authorization') ?? '';
  const match = /^(?:Bearer|OAuth)\s+(\S+)$/i.exec(header.trim());
  return match?.[1];
}

/** 401 INVALID_SESSION_ID unless the request carries a live token. */
export function requireToken(state: EmulatorState): RequestHandler {
  return (req: Request, _res: Response, next: NextFunction) => {
    const token = bearerToken(req);
    if (!token || !state.isTokenValid(token)) {
      throw new SalesforceApiError(401, [INVALID_SESSION], { 'WWW-Authenticate': 'Token' });
    }
    next();
  };
}

function limitHeader(state: EmulatorState): string {
  return `api-usage=${state.apiUsage.used}/${state.apiUsage.max}`;
}

/** Counts the call against the daily allowance (403 REQUEST_LIMIT_EXCEEDED when used up) and reports usage. */
function countUsage(state: EmulatorState): RequestHandler {
  return (_req: Request, res: Response, next: NextFunction) => {
    if (!state.consumeApiRequest()) {
      throw new SalesforceApiError(403, [LIMIT_EXCEEDED], { 'Sforce-Limit-Info': limitHeader(state) });
    }
    res.setHeader('Sforce-Limit-Info', limitHeader(state));
    next();
  };
}

function checkVersion(): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const verdict = checkApiVersion(String(req.params.version));
    if ('error' in verdict) throw verdict.error;
    context(res).apiVersion = verdict.version;
    next();
  };
}

function rejectInvalidJson(): RequestHandler {
  return (_req: Request, res: Response, next: NextFunction) => {
    const { bodyError } = context(res);
    if (bodyError !== undefined) throw apiError(400, 'JSON_PARSER_ERROR', `Unexpected character in JSON body: ${bodyError}`);
    next();
  };
}

/** Router for `/services/data`. */
export function dataApi(state: EmulatorState): Router {
  const router = express.Router();
  router.get('/', (_req: Request, res: Response) => {
    res.json(listApiVersions());
  });

  const versioned = express.Router({ mergeParams: true });
  versioned.get('/', (_req: Request, res: Response) => {
    res.json(resourceDirectory(context(res).apiVersion ?? '60.0'));
  });
  versioned.get('/limits', (_req: Request, res: Response) => {
    const { used, max } = state.apiUsage;
    res.json({ DailyApiRequests: { Max: max, Remaining: Math.max(0, max - used) } });
  });
  versioned.use('/sobjects', sobjectRoutes(state));
  versioned.use('/query', queryRoutes(state, 'query'));
  versioned.use('/queryAll', queryRoutes(state, 'queryAll'));
  versioned.use('/composite', compositeRoutes(state));
  versioned.use(() => {
    throw notFound();
  });

  router.use('/:version', checkVersion(), requireToken(state), countUsage(state), rejectInvalidJson(), versioned);
  return router;
}

/** `GET /id/{orgId}/{userId}`: the identity URL returned by the token endpoint. */
export function identityRoutes(state: EmulatorState, baseUrl: (req: Request) => string): Router {
  const router = express.Router();
  router.get('/:orgId/:userId', requireToken(state), (req: Request, res: Response) => {
    if (req.params.orgId !== state.orgId || req.params.userId !== state.apiUserId) throw notFound('Bad_Id');
    const base = baseUrl(req);
    const { username } = state.options;
    const version = '{version}';
    res.json({
      id: `${base}/id/${state.orgId}/${state.apiUserId}`,
      asserted_user: true,
      user_id: state.apiUserId,
      organization_id: state.orgId,
      username,
      nick_name: username.split('@')[0],
      display_name: 'Emulator Integration User',
      email: username,
      active: true,
      user_type: 'STANDARD',
      language: 'en_US',
      locale: 'en_US',
      utcOffset: 0,
      urls: {
        rest: `${base}/services/data/v${version}/`,
        sobjects: `${base}/services/data/v${version}/sobjects/`,
        query: `${base}/services/data/v${version}/query/`,
        profile: `${base}/${state.apiUserId}`,
      },
    });
  });
  return router;
}
