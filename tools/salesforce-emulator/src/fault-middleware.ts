/**
 * Applies injected faults before a request reaches the emulated API.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { EmulatorState } from './emulator-state';
import { context } from './request-context';
import { logRequest } from './request-pipeline';
import type { FaultAction } from './types';

const DEFAULT_ERRORS: Record<number, { errorCode: string; message: string }> = {
  400: { errorCode: 'UNABLE_TO_LOCK_ROW', message: 'unable to obtain exclusive access to this record or 1 records' },
  401: { errorCode: 'INVALID_SESSION_ID', message: 'Session expired or invalid' },
  403: { errorCode: 'REQUEST_LIMIT_EXCEEDED', message: 'TotalRequests Limit exceeded.' },
  404: { errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' },
  429: { errorCode: 'REQUEST_LIMIT_EXCEEDED', message: 'ConcurrentPerOrgLongTxn Limit exceeded.' },
  500: { errorCode: 'UNKNOWN_EXCEPTION', message: 'An unexpected error occurred. Please include this ErrorId if you contact support: 0-emulator (injected fault)' },
  502: { errorCode: 'SERVER_UNAVAILABLE', message: 'Bad gateway (injected fault)' },
  503: { errorCode: 'SERVER_UNAVAILABLE', message: 'Server temporarily unavailable (injected fault)' },
  504: { errorCode: 'SERVER_UNAVAILABLE', message: 'Gateway timeout (injected fault)' },
};

/** Status for an `error-code` fault without an explicit status. */
function statusForErrorCode(errorCode: string): number {
  if (errorCode === 'INVALID_SESSION_ID') return 401;
  if (errorCode === 'REQUEST_LIMIT_EXCEEDED') return 403;
  if (errorCode === 'NOT_FOUND') return 404;
  if (errorCode === 'METHOD_NOT_ALLOWED') return 405;
  if (errorCode === 'UNKNOWN_EXCEPTION') return 500;
  if (errorCode === 'SERVER_UNAVAILABLE') return 503;
  return 400;
}

function isOAuthPath(path: string): boolean {
  return path.startsWith('/services/oauth2/');
}

/** The body a status fault sends when the rule gives none: Salesforce-shaped for the path. */
function defaultBody(status: number, path: string): unknown {
  if (isOAuthPath(path)) {
    return status >= 500
      ? { error: 'temporarily_unavailable', error_description: 'service temporarily unavailable (injected fault)' }
      : { error: 'invalid_grant', error_description: 'authentication failure (injected fault)' };
  }
  const known = DEFAULT_ERRORS[status] ?? { errorCode: `HTTP_${status}`, message: `Injected fault: HTTP ${status}` };
  return [known];
}

function sendStatus(res: Response, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.status(status);
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  if (typeof body === 'string') {
    if (!res.getHeader('content-type')) res.type('text/plain');
    res.send(body);
  } else {
    res.json(body);
  }
}

function apply(state: EmulatorState, req: Request, res: Response, next: NextFunction, action: FaultAction): void {
  const ctx = context(res);
  switch (action.type) {
    case 'status':
      sendStatus(res, action.status, action.body === undefined ? defaultBody(action.status, ctx.path) : action.body, action.headers);
      return;
    case 'error-code': {
      const status = action.status ?? statusForErrorCode(action.errorCode);
      const message = action.message ?? DEFAULT_ERRORS[status]?.message ?? `Injected fault: ${action.errorCode}`;
      const body = isOAuthPath(ctx.path)
        ? { error: action.errorCode, error_description: message }
        : [{ message, errorCode: action.errorCode }];
      sendStatus(res, status, body);
      return;
    }
    case 'delay':
      state.faultRegistry.schedule(next, action.ms);
      return;
    case 'hang':
      logRequest(state, req, ctx, null, undefined);
      return;
    case 'reset':
      logRequest(state, req, ctx, null, undefined);
      req.socket.destroy();
      return;
    case 'apply-then-hang':
      ctx.swallowResponse = true;
      next();
      return;
  }
}

/** Checks the fault rules and applies the first that hits; otherwise passes the request on. */
export function faultMiddleware(state: EmulatorState): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const ctx = context(res);
    const hit = state.faultRegistry.match(req.method, ctx.path);
    if (!hit) {
      next();
      return;
    }
    ctx.fault = { id: hit.id, type: hit.action.type };
    apply(state, req, res, next, hit.action);
  };
}
