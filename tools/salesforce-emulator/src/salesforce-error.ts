import type { DmlError, SalesforceErrorItem } from './types';

/**
 * An error answered as a Salesforce REST error body: HTTP status with `[{message, errorCode, fields}]`.
 * Route handlers throw it; the app's error handler renders it.
 */
export class SalesforceApiError extends Error {
  constructor(
    readonly status: number,
    readonly errors: SalesforceErrorItem[],
    readonly headers: Record<string, string> = {},
  ) {
    super(errors[0]?.message ?? `HTTP ${status}`);
    this.name = errors[0]?.errorCode ?? 'SalesforceApiError';
  }
}

/** Shorthand for a single-error {@link SalesforceApiError}. */
export function apiError(status: number, errorCode: string, message: string, fields?: string[]): SalesforceApiError {
  const item: SalesforceErrorItem = { message, errorCode };
  if (fields) item.fields = fields;
  return new SalesforceApiError(status, [item]);
}

/** Builds a per-record error for a SaveResult. */
export function dmlError(statusCode: string, message: string, fields: string[] = []): DmlError {
  return { statusCode, message, fields };
}

/** Converts a per-record error into the single-record endpoint's 400 response. */
export function dmlToApiError(error: DmlError): SalesforceApiError {
  return apiError(400, error.statusCode, error.message, error.fields);
}

/** The 404 Salesforce answers for an unknown resource or record. */
export function notFound(message = 'The requested resource does not exist'): SalesforceApiError {
  return apiError(404, 'NOT_FOUND', message);
}

/** The 401 body for a missing, unknown or expired token. */
export const INVALID_SESSION: SalesforceErrorItem = {
  message: 'Session expired or invalid',
  errorCode: 'INVALID_SESSION_ID',
};

/** The 403 body once the daily API allowance is used up. */
export const LIMIT_EXCEEDED: SalesforceErrorItem = {
  message: 'TotalRequests Limit exceeded.',
  errorCode: 'REQUEST_LIMIT_EXCEEDED',
};
