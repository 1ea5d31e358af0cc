import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { isProvisioningError } from '@provisioning/errors';
import type { ErrorKind, ProvisioningError, RateLimitedError } from '@provisioning/errors';
import type { Logger } from '../logging';

const STATUS: Record<ErrorKind, number> = {
  validation: 400,
  'not-found': 404,
  conflict: 409,
  unauthenticated: 401,
  forbidden: 403,
  'precondition-failed': 412,
  'rate-limited': 429,
  'not-supported': 501,
  'upstream-unavailable': 502,
  'upstream-throttled': 503,
  'upstream-rejected': 502,
  internal: 500,
};

const SCIM_ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';

/** The HTTP status an error maps to (the one mapping, shared with SCIM Bulk responses). */
export function statusOf(error: unknown): number {
  if (isProvisioningError(error)) {
    const explicit = (error.details as { status?: unknown } | undefined)?.status;
    return typeof explicit === 'number' ? explicit : STATUS[error.kind];
  }
  return libraryStatus(error) ?? 500;
}

/** RFC 7644 3.12 error body. */
export function scimErrorBody(error: unknown, status = statusOf(error)): Record<string, unknown> {
  const known = isProvisioningError(error) ? error : undefined;
  const message = known ? known.message : status === 500 ? 'Internal server error' : ((error as Error)?.message ?? 'Bad request');
  return {
    schemas: [SCIM_ERROR],
    status: String(status),
    ...(known?.scimType ? { scimType: known.scimType } : {}),
    detail: known?.description ? `${message}. ${known.description}` : message,
  };
}

function isScim(req: Request): boolean {
  return /\/scim2?(\/|$)/.test(req.originalUrl.split('?')[0] ?? '');
}

/** Body-parser and other library errors that carry a status (payload too large, bad content...). */
function libraryStatus(error: unknown): number | undefined {
  const status = (error as { status?: unknown; statusCode?: unknown })?.status ?? (error as { statusCode?: unknown })?.statusCode;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : undefined;
}

/**
 * The one place that turns errors into HTTP responses: SCIM error bodies under /scim2, WSO2's
 * `{code, message, description, traceId}` elsewhere. Never a stack trace to the client.
 */
export function errorHandler(logger: Logger) {
  return (error: unknown, req: Request, res: Response, _next: NextFunction): void => {
    const traceId = randomUUID();
    const status = statusOf(error);
    const known: ProvisioningError | undefined = isProvisioningError(error) ? error : undefined;
    const message = known ? known.message : status === 500 ? 'Internal server error' : ((error as Error).message ?? 'Bad request');
    if (status >= 500 && !known) logger.error({ err: error, traceId, path: req.path, method: req.method }, 'request failed');
    else logger.info({ traceId, status, path: req.path, method: req.method, msg: message }, 'request rejected');
    if (status === 401) res.setHeader('WWW-Authenticate', 'Basic realm="provisioning-server", charset="UTF-8"');
    if (known?.kind === 'rate-limited') res.setHeader('Retry-After', String(Math.ceil((known as RateLimitedError).retryAfterMs / 1000)));
    if (res.headersSent) return;
    if (isScim(req)) {
      res.status(status).type('application/scim+json').json(scimErrorBody(error, status));
      return;
    }
    res.status(status).json({
      code: known?.code ?? (status === 500 ? 'SE-50000' : `HTTP-${status}`),
      message,
      description: known?.description ?? message,
      traceId,
    });
  };
}

/** 404 for unknown routes, in the right error dialect. */
export function notFoundHandler() {
  return (req: Request, _res: Response, next: NextFunction): void => {
    next(Object.assign(new Error(`No resource at ${req.method} ${req.path}`), { status: 404 }));
  };
}
