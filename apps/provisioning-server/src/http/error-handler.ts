import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import { echo, isProvisioningError, NotFoundError } from '@provisioning/errors';
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

/**
 * The longest message (or description) a response or a log line carries. Client values inside
 * messages are already bounded to 200 characters by `echo()`; this bounds the whole message.
 */
export const MAX_MESSAGE_LENGTH = 1000;

/** Fixed messages for errors that are not ours but carry a 4xx status (body-parser, the router...). */
const LIBRARY_MESSAGES: Readonly<Record<number, string>> = {
  400: 'Request body could not be read',
  404: 'No such resource',
  405: 'Method not allowed',
  408: 'Request timed out',
  411: 'Request body needs a Content-Length',
  413: 'Request body is larger than the limit',
  415: 'Request body encoding or character set is not supported',
};

/** What a client is told about an error, and what the log line says. */
export interface ClientError {
  readonly message: string;
  readonly description?: string;
}

/**
 * The message a library error with a 4xx status gets: a fixed, human one per status, never the
 * library's own text (it may quote the request, name internals, or be long).
 */
function libraryMessage(error: unknown, status: number): string {
  // Express answers a path parameter it cannot decode with a 400 URIError quoting the parameter.
  if (error instanceof URIError) return 'The request URL could not be decoded';
  const limit = (error as { limit?: unknown } | undefined)?.limit;
  if (status === 413 && typeof limit === 'number') return `${LIBRARY_MESSAGES[413]} (${limit} bytes)`;
  return LIBRARY_MESSAGES[status] ?? `Request refused: ${STATUS_CODES[status] ?? 'client error'}`;
}

/**
 * The one description of an error for clients (SCIM detail, WSO2 message/description, SCIM 1.1):
 * our own errors' messages, bounded to {@link MAX_MESSAGE_LENGTH}; a fixed message per status for
 * library errors with a 4xx status; "Internal server error" for everything else.
 */
export function clientError(error: unknown, status = statusOf(error)): ClientError {
  if (isProvisioningError(error)) {
    return {
      message: echo(error.message, MAX_MESSAGE_LENGTH),
      ...(error.description ? { description: echo(error.description, MAX_MESSAGE_LENGTH) } : {}),
    };
  }
  return { message: status >= 500 ? 'Internal server error' : libraryMessage(error, status) };
}

/** The whole client message: message, then description. */
export function clientDetail(error: unknown, status = statusOf(error)): string {
  const { message, description } = clientError(error, status);
  return description ? `${message}. ${description}` : message;
}

/**
 * An unexpected error as the server log records it: its type, code and message (bounded) and the
 * stack frames (bounded), never anything else it may carry.
 */
export function loggedError(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { message: echo(String(error), MAX_MESSAGE_LENGTH) };
  const stack = error.stack ?? '';
  const frames = stack.indexOf('\n    at ');
  const code = (error as { code?: unknown }).code;
  return {
    type: error.name,
    ...(typeof code === 'string' || typeof code === 'number' ? { code } : {}),
    message: echo(error.message, MAX_MESSAGE_LENGTH),
    ...(frames >= 0 ? { stack: stack.slice(frames + 1, frames + 1 + 8 * MAX_MESSAGE_LENGTH) } : {}),
  };
}

/** The log line of a request that failed: `request failed` (error) for unexpected errors, else `request rejected` (info). */
export function logFailure(logger: Logger, error: unknown, status: number, traceId: string, req: Request): void {
  const where = { traceId, path: echo(req.path), method: req.method };
  if (status >= 500 && !isProvisioningError(error)) {
    // Not under `err`: pino's error serializer would add back what loggedError leaves out.
    logger.error({ error: loggedError(error), ...where }, 'request failed');
    return;
  }
  const library = isProvisioningError(error)
    ? {}
    : { reason: echo(error instanceof Error ? error.message : String(error), MAX_MESSAGE_LENGTH), ...(typeof (error as { type?: unknown })?.type === 'string' ? { type: (error as { type: string }).type } : {}) };
  logger.info({ ...where, status, detail: clientError(error, status).message, ...library }, 'request rejected');
}

/** RFC 7644 3.12 error body. */
export function scimErrorBody(error: unknown, status = statusOf(error)): Record<string, unknown> {
  const known = isProvisioningError(error) ? error : undefined;
  return {
    schemas: [SCIM_ERROR],
    status: String(status),
    ...(known?.scimType ? { scimType: known.scimType } : {}),
    detail: clientDetail(error, status),
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
 * `{code, message, description, traceId}` elsewhere. Never a stack trace to the client, never a
 * library's or the engine's message (see {@link clientError}); messages bounded in responses and logs.
 */
export function errorHandler(logger: Logger) {
  return (error: unknown, req: Request, res: Response, _next: NextFunction): void => {
    const traceId = randomUUID();
    const status = statusOf(error);
    const known: ProvisioningError | undefined = isProvisioningError(error) ? error : undefined;
    const { message, description } = clientError(error, status);
    logFailure(logger, error, status, traceId, req);
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
      description: description ?? message,
      traceId,
    });
  };
}

/** 404 for unknown routes, in the right error dialect. */
export function notFoundHandler() {
  return (req: Request, _res: Response, next: NextFunction): void => {
    next(new NotFoundError(`No resource at ${req.method} ${echo(req.path)}`));
  };
}
