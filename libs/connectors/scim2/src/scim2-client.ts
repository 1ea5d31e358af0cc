import type { CallOptions } from '@provisioning/connector-kit';

/** HTTP methods the SCIM protocol uses (RFC 7644 3.2). */
export type ScimMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** One request to the SCIM service provider. */
export interface ScimRequest {
  method: ScimMethod;
  /** Absolute URL (one of the configured endpoints, plus id and query). */
  url: string;
  body?: unknown;
  /** What the provisioning log shows instead of `body` (passwords redacted); defaults to `body`. */
  logBody?: unknown;
  /** Statuses the caller handles itself (e.g. 404 on DELETE, 409 on POST) instead of an error. */
  accept?: readonly number[];
  headers?: Record<string, string>;
}

/** The answer: status, parsed JSON body (or text), headers. */
export interface ScimResponse {
  status: number;
  body: unknown;
  headers: Headers;
}

/**
 * The narrow port between the SCIM logic and HTTP. The adapter behind it authenticates, enforces the
 * timeout, records every call for the provisioning log and turns failures into the error taxonomy;
 * the operations above it only see successful (or explicitly accepted) responses.
 */
export interface Scim2Client {
  send(request: ScimRequest, options?: CallOptions): Promise<ScimResponse>;
}
