import type { Request, Response } from 'express';
import type { FaultAction } from './types';

/** What the emulator tracks about one request while it is handled. */
export interface RequestContext {
  startedAt: number;
  at: string;
  /** Path without query string, as received (before routers strip mount points). */
  path: string;
  query: Record<string, string>;
  /** Parsed body: JSON value, or form fields for form-encoded requests; undefined without body. */
  body: unknown;
  /** The body as logged (secrets masked). */
  logBody: unknown;
  /** Set when the body is not valid JSON. */
  bodyError?: string;
  /** True when the body was form-encoded. */
  isForm: boolean;
  /** API version of `/services/data/vNN.N/...` requests, e.g. `60.0`. */
  apiVersion?: string;
  /** Withhold the response (apply-then-hang). */
  swallowResponse: boolean;
  /** Fault applied to this request. */
  fault?: { id: string; type: FaultAction['type'] };
  /** Whether the request was already written to the log. */
  logged: boolean;
}

const KEY = 'salesforceEmulator';

/** Creates the context at the start of a request. */
export function initContext(req: Request, res: Response): RequestContext {
  const url = new URL(req.originalUrl, 'http://emulator.invalid');
  const ctx: RequestContext = {
    startedAt: performance.now(),
    at: new Date().toISOString(),
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    body: undefined,
    logBody: undefined,
    isForm: false,
    swallowResponse: false,
    logged: false,
  };
  res.locals[KEY] = ctx;
  return ctx;
}

/** The context of the current request (created by the request pipeline). */
export function context(res: Response): RequestContext {
  const ctx: unknown = res.locals[KEY];
  if (!ctx) throw new Error('request context missing: the emulator pipeline did not run');
  return ctx as RequestContext;
}
