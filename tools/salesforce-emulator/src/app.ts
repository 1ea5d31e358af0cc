/**
 * Builds the emulator's express app (without listening), so it can also be mounted or driven by supertest.
 */
import express from 'express';
import type { Express, NextFunction, Request, Response } from 'express';
import { controlRoutes } from './control-routes';
import { dataApi, identityRoutes } from './data-api';
import type { EmulatorState } from './emulator-state';
import { faultMiddleware } from './fault-middleware';
import { instanceUrl, oauthRoutes } from './oauth-routes';
import { captureResponses, methodOverride, parseBodies } from './request-pipeline';
import { SalesforceApiError, notFound } from './salesforce-error';

const BODY_LIMIT = '20mb';

function errorHandler(err: unknown, _req: Request, res: Response, next: NextFunction): void {
  if (res.headersSent) {
    next(err);
    return;
  }
  if (err instanceof SalesforceApiError) {
    for (const [name, value] of Object.entries(err.headers)) res.setHeader(name, value);
    res.status(err.status).json(err.errors);
    return;
  }
  const type = (err as { type?: unknown }).type;
  if (type === 'entity.too.large') {
    res.status(413).json([{ errorCode: 'REQUEST_ENTITY_TOO_LARGE', message: `Request body exceeds ${BODY_LIMIT}` }]);
    return;
  }
  res.status(500).json([
    { errorCode: 'UNKNOWN_EXCEPTION', message: `An unexpected error occurred in the emulator: ${(err as Error).message ?? String(err)}` },
  ]);
}

/**
 * The emulator as an express app working on `state`. Pipeline for everything but `/__emulator`:
 * method override, request log capture, body read, fault rules, then the Salesforce endpoints.
 */
export function createEmulatorApp(state: EmulatorState): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');

  app.use('/__emulator', controlRoutes(state));

  app.use(methodOverride());
  app.use(captureResponses(state));
  app.use(express.text({ type: () => true, limit: BODY_LIMIT }));
  app.use(parseBodies());
  app.use(faultMiddleware(state));
  // Response latency (a real org is tens to hundreds of milliseconds away); control routes are exempt.
  app.use((_req, _res, next) => {
    if (state.options.latencyMs > 0) setTimeout(next, state.options.latencyMs);
    else next();
  });

  app.use('/services/oauth2', oauthRoutes(state));
  app.use('/services/data', dataApi(state));
  app.use('/id', identityRoutes(state, (req) => instanceUrl(state, req)));
  app.use(() => {
    throw notFound();
  });
  app.use(errorHandler);
  return app;
}
