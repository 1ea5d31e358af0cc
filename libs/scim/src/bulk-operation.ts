import { isProvisioningError } from '@provisioning/errors';
import type { ProvisioningError } from '@provisioning/errors';
import { bulkIdReferences, UNUSABLE_BULK_ID } from './bulk-ids';
import { findKey, isObject } from './json-values';
import { parsePatchRequest } from './patch-request';
import { RESOURCE_TYPES } from './resource-types';
import { scimError } from './scim-errors';
import type { ResourceTypeName, ScimResource } from './schema-types';

/** The server's bulk limits, as published in the ServiceProviderConfig. */
export interface BulkLimits {
  readonly maxOperations: number;
  /** Bytes. */
  readonly maxPayloadSize: number;
}

/** HTTP methods of bulk operations. */
export type BulkMethod = 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** A bulk operation ready to execute (after `resolveBulkIds` on its path and data). */
export interface BulkOperationStep {
  readonly kind: 'operation';
  /** Position in the request's `Operations`. */
  readonly index: number;
  readonly method: BulkMethod;
  readonly path: string;
  readonly resourceType: ResourceTypeName;
  /** For PUT, PATCH and DELETE; may be a `bulkId:<id>` reference. */
  readonly resourceId?: string;
  readonly bulkId?: string;
  /** The ETag to check (If-Match), when given. */
  readonly version?: string;
  /** The resource (POST, PUT) or PatchOp message (PATCH). */
  readonly data?: ScimResource;
  /** The bulkIds this operation references. */
  readonly references: readonly string[];
}

/** An operation that fails without running; the server reports `error` for it in the BulkResponse. */
export interface RejectedBulkStep {
  readonly kind: 'rejected';
  readonly index: number;
  readonly method?: string;
  readonly bulkId?: string;
  readonly path?: string;
  readonly error: ProvisioningError;
}

/** One entry of a bulk plan. */
export type BulkStep = BulkOperationStep | RejectedBulkStep;

const METHODS: readonly BulkMethod[] = ['POST', 'PUT', 'PATCH', 'DELETE'];

/** A member of a JSON object, name matched ignoring case. */
export function member(object: Readonly<Record<string, unknown>>, name: string): unknown {
  const key = findKey(object, name);
  return key === undefined ? undefined : object[key];
}

/**
 * Validates one bulk operation (RFC 7644 3.7): method, bulkId (required for POST, usable in
 * references), path (`/Users`, `/Groups`, or a resource under them), data (the POST/PUT body or a
 * PatchOp message for PATCH) and version. Throws `ValidationError` (invalidValue / invalidSyntax).
 */
export function parseBulkOperation(raw: unknown, index: number): BulkOperationStep {
  const where = `Operations[${index}]`;
  if (!isObject(raw)) throw scimError('invalidSyntax', `${where} must be an object`);
  const rawMethod = member(raw, 'method');
  const method = typeof rawMethod === 'string' ? METHODS.find((m) => m === rawMethod.toUpperCase()) : undefined;
  if (!method) throw scimError('invalidValue', `${where}: "method" must be POST, PUT, PATCH or DELETE`);
  const bulkId = member(raw, 'bulkId');
  if (bulkId !== undefined && (typeof bulkId !== 'string' || bulkId === '' || UNUSABLE_BULK_ID.test(bulkId))) {
    throw scimError('invalidValue', `${where}: "bulkId" must be a non-empty string without "/", "?", "#", quotes or spaces`);
  }
  if (method === 'POST' && bulkId === undefined) throw scimError('invalidValue', `${where}: "bulkId" is required for POST`);
  const version = member(raw, 'version');
  if (version !== undefined && typeof version !== 'string') throw scimError('invalidValue', `${where}: "version" must be a string`);
  const path = member(raw, 'path');
  const match = typeof path === 'string' ? /^\/([A-Za-z]+)(?:\/([^/]+))?\/?$/.exec(path) : null;
  const type = match ? RESOURCE_TYPES.find((t) => t.endpoint.slice(1).toLowerCase() === match[1]!.toLowerCase()) : undefined;
  if (!match || !type) throw scimError('invalidValue', `${where}: "path" must be /Users or /Groups, or /Users/{id} or /Groups/{id}`);
  const resourceId = match[2];
  if (method === 'POST' && resourceId !== undefined) throw scimError('invalidValue', `${where}: a POST "path" is a resource type endpoint such as ${type.endpoint}`);
  if (method !== 'POST' && resourceId === undefined) throw scimError('invalidValue', `${where}: a ${method} "path" names a resource: ${type.endpoint}/{id}`);
  const data = member(raw, 'data');
  if (method !== 'DELETE' && !isObject(data)) throw scimError('invalidSyntax', `${where}: "data" must be the ${method} body (a JSON object)`);
  if (method === 'PATCH') parsePatchRequest(data);
  return {
    kind: 'operation',
    index,
    method,
    path: path as string,
    resourceType: type.name as ResourceTypeName,
    ...(resourceId === undefined ? {} : { resourceId }),
    ...(typeof bulkId === 'string' ? { bulkId } : {}),
    ...(typeof version === 'string' ? { version } : {}),
    ...(method !== 'DELETE' && isObject(data) ? { data } : {}),
    references: bulkIdReferences([path, method === 'DELETE' ? undefined : data]),
  };
}

/** A rejected step for an operation that failed validation (only ProvisioningErrors are expected). */
export function rejectedStep(raw: unknown, index: number, error: unknown): RejectedBulkStep {
  if (!isProvisioningError(error)) throw error;
  const text = (name: string): string | undefined => {
    const value = isObject(raw) ? member(raw, name) : undefined;
    return typeof value === 'string' ? value : undefined;
  };
  return { kind: 'rejected', index, method: text('method')?.toUpperCase(), bulkId: text('bulkId'), path: text('path'), error };
}
