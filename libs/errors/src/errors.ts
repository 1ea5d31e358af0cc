/**
 * One error taxonomy for the whole server. Libraries throw these; exactly one place (the host's HTTP
 * error middleware) maps them to HTTP statuses and to SCIM / WSO2 error bodies.
 */
export type ErrorKind =
  | 'validation'
  | 'not-found'
  | 'conflict'
  | 'unauthenticated'
  | 'forbidden'
  | 'precondition-failed'
  | 'rate-limited'
  | 'not-supported'
  | 'upstream-unavailable'
  | 'upstream-throttled'
  | 'upstream-rejected'
  | 'internal';

export interface ProvisioningErrorOptions {
  /** A stable machine-readable code (WSO2 style, e.g. `IDP-60001`) or a remote error code. */
  code?: string;
  /** Longer human explanation: what was wrong and how to fix it. */
  description?: string;
  /** SCIM `scimType` when the error surfaces through SCIM (invalidValue, uniqueness, invalidFilter...). */
  scimType?: string;
  /** Anything the error wraps. */
  cause?: unknown;
  /** Extra structured facts (never secrets). */
  details?: Record<string, unknown>;
}

/** Base class of every error this project throws on purpose. */
export class ProvisioningError extends Error {
  readonly kind: ErrorKind;
  readonly code?: string;
  readonly description?: string;
  readonly scimType?: string;
  readonly details?: Record<string, unknown>;

  constructor(kind: ErrorKind, message: string, options: ProvisioningErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.kind = kind;
    this.code = options.code;
    this.description = options.description;
    this.scimType = options.scimType;
    this.details = options.details;
  }
}

/** Bad input from a client or a configuration file. */
export class ValidationError extends ProvisioningError {
  constructor(message: string, options?: ProvisioningErrorOptions) {
    super('validation', message, options);
  }
}

export class NotFoundError extends ProvisioningError {
  constructor(message: string, options?: ProvisioningErrorOptions) {
    super('not-found', message, options);
  }
}

export class ConflictError extends ProvisioningError {
  constructor(message: string, options?: ProvisioningErrorOptions) {
    super('conflict', message, options);
  }
}

export class UnauthenticatedError extends ProvisioningError {
  constructor(message = 'Authentication required', options?: ProvisioningErrorOptions) {
    super('unauthenticated', message, options);
  }
}

export class ForbiddenError extends ProvisioningError {
  constructor(message = 'Operation is not permitted', options?: ProvisioningErrorOptions) {
    super('forbidden', message, options);
  }
}

export class PreconditionFailedError extends ProvisioningError {
  constructor(message: string, options?: ProvisioningErrorOptions) {
    super('precondition-failed', message, options);
  }
}

/** Too many requests from this client (e.g. failed sign-ins); `retryAfterMs` says when to come back. */
export class RateLimitedError extends ProvisioningError {
  readonly retryAfterMs: number;

  constructor(message: string, retryAfterMs: number, options?: ProvisioningErrorOptions) {
    super('rate-limited', message, options);
    this.retryAfterMs = retryAfterMs;
  }
}

/** The operation is not supported by this component (e.g. a stub connector). */
export class NotSupportedError extends ProvisioningError {
  constructor(message: string, options?: ProvisioningErrorOptions) {
    super('not-supported', message, options);
  }
}

/** Outcome facts that a remote system reported; shared by the three upstream errors. */
export interface UpstreamFacts {
  /** HTTP status the remote answered with, when there was an answer. */
  status?: number;
  /** The remote system's own error code (Salesforce `errorCode`, OAuth `error`). */
  remoteCode?: string;
  /** The remote system's own message. */
  remoteMessage?: string;
  /** True when the request may have been applied remotely although we saw no answer (timeout after send). */
  outcomeUnknown?: boolean;
  /** Milliseconds the remote asked us to wait (Retry-After), if any. */
  retryAfterMs?: number;
}

export type UpstreamErrorOptions = ProvisioningErrorOptions & UpstreamFacts;

abstract class UpstreamError extends ProvisioningError implements UpstreamFacts {
  readonly status?: number;
  readonly remoteCode?: string;
  readonly remoteMessage?: string;
  readonly outcomeUnknown?: boolean;
  readonly retryAfterMs?: number;

  protected constructor(kind: ErrorKind, message: string, options: UpstreamErrorOptions = {}) {
    super(kind, message, { code: options.remoteCode, ...options });
    this.status = options.status;
    this.remoteCode = options.remoteCode;
    this.remoteMessage = options.remoteMessage;
    this.outcomeUnknown = options.outcomeUnknown;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** The remote system could not be reached or failed on its side; trying again later may work. */
export class UpstreamUnavailableError extends UpstreamError {
  constructor(message: string, options?: UpstreamErrorOptions) {
    super('upstream-unavailable', message, options);
  }
}

/** The remote system refuses work for now because of a rate or usage limit. */
export class UpstreamThrottledError extends UpstreamError {
  constructor(message: string, options?: UpstreamErrorOptions) {
    super('upstream-throttled', message, options);
  }
}

/** The remote system rejected the request itself; repeating it unchanged will fail again. */
export class UpstreamRejectedError extends UpstreamError {
  constructor(message: string, options?: UpstreamErrorOptions) {
    super('upstream-rejected', message, options);
  }
}

export function isProvisioningError(error: unknown): error is ProvisioningError {
  return error instanceof ProvisioningError;
}

/** A message safe to show for any thrown value. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
