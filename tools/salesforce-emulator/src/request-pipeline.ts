/**
 * Middleware every emulated (non-control) request passes: method override, response capture for the
 * request log, and body parsing that records JSON errors instead of failing early.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { EmulatorState } from './emulator-state';
import { context, initContext } from './request-context';
import type { RequestContext } from './request-context';

const OVERRIDABLE = new Set(['PATCH', 'DELETE', 'PUT', 'HEAD', 'GET']);
const SECRET_FIELDS = new Set(['password', 'client_secret', 'assertion', 'token', 'refresh_token', 'code']);

/**
 * Salesforce lets clients that cannot send PATCH use POST with `?_HttpMethod=PATCH` (the WSO2 connector
 * does) or an `X-HTTP-Method-Override` header.
 */
export function methodOverride(): RequestHandler {
  return (req: Request, _res: Response, next: NextFunction) => {
    if (req.method === 'POST') {
      const url = new URL(req.originalUrl, 'http://emulator.invalid');
      const requested = (url.searchParams.get('_HttpMethod') ?? req.get('x-http-method-override') ?? '').toUpperCase();
      if (OVERRIDABLE.has(requested)) req.method = requested;
    }
    next();
  };
}

function parseResponseBody(chunk: unknown, contentType: string | undefined): unknown {
  if (chunk === undefined || chunk === null || typeof chunk === 'function') return undefined;
  const text = Buffer.isBuffer(chunk) ? chunk.toString('utf8') : typeof chunk === 'string' ? chunk : undefined;
  if (text === undefined || text === '') return undefined;
  if (contentType?.includes('json')) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}

/** Writes a request to the log (once). */
export function logRequest(state: EmulatorState, req: Request, ctx: RequestContext, status: number | null, response: unknown): void {
  if (ctx.logged) return;
  ctx.logged = true;
  state.logRequest({
    at: ctx.at,
    method: req.method,
    path: ctx.path,
    query: ctx.query,
    status,
    body: ctx.logBody,
    response,
    durationMs: Math.round((performance.now() - ctx.startedAt) * 100) / 100,
    ...(ctx.fault ? { fault: ctx.fault } : {}),
  });
}

/**
 * Creates the request context and wraps `res.end` so that every response is logged with its body;
 * when the request is marked to swallow its response (apply-then-hang) the response is logged but
 * never sent.
 */
export function captureResponses(state: EmulatorState): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const ctx = initContext(req, res);
    const originalEnd = res.end.bind(res) as (...args: unknown[]) => Response;
    const wrappedEnd = (...args: unknown[]): Response => {
      const contentType = res.getHeader('content-type');
      logRequest(state, req, ctx, res.statusCode, parseResponseBody(args[0], typeof contentType === 'string' ? contentType : undefined));
      if (ctx.swallowResponse) return res;
      return originalEnd(...args);
    };
    res.end = wrappedEnd as Response['end'];
    next();
  };
}

function maskSecrets(form: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(form).map(([k, v]) => [k, SECRET_FIELDS.has(k) ? '***' : v]));
}

/**
 * Interprets the raw text body (read by `express.text`): form fields for form-encoded requests,
 * JSON otherwise. Invalid JSON is recorded in the context so that the data API can answer
 * JSON_PARSER_ERROR after authentication, as Salesforce does.
 */
export function parseBodies(): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const ctx = context(res);
    const raw: unknown = req.body;
    if (typeof raw !== 'string' || raw.length === 0) {
      next();
      return;
    }
    if (req.is('application/x-www-form-urlencoded')) {
      const form = Object.fromEntries(new URLSearchParams(raw));
      ctx.isForm = true;
      ctx.body = form;
      ctx.logBody = maskSecrets(form);
    } else {
      try {
        ctx.body = JSON.parse(raw) as unknown;
        ctx.logBody = ctx.body;
      } catch (err) {
        ctx.bodyError = (err as Error).message;
        ctx.logBody = raw;
      }
    }
    next();
  };
}
