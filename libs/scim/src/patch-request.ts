import { echo } from '@provisioning/errors';
import { findKey, isObject } from './json-values';
import { scimError } from './scim-errors';
import { PATCH_OP_SCHEMA } from './urns';

/** PATCH operation names (RFC 7644 3.5.2), lower-cased. */
export type PatchOpName = 'add' | 'remove' | 'replace';

/** One validated PATCH operation. */
export interface PatchOperation {
  /** Position in `Operations`, for error messages. */
  readonly index: number;
  readonly op: PatchOpName;
  readonly path?: string;
  /** Present for add and replace (possibly null); for remove only in the non-standard remove-by-value form. */
  readonly value?: unknown;
}

function member(object: Readonly<Record<string, unknown>>, name: string): unknown {
  const key = findKey(object, name);
  return key === undefined ? undefined : object[key];
}

function parseOperation(raw: unknown, index: number): PatchOperation {
  const where = `Operations[${index}]`;
  if (!isObject(raw)) throw scimError('invalidSyntax', `${where} must be an object with "op"`);
  const op = member(raw, 'op');
  const name = typeof op === 'string' ? op.toLowerCase() : undefined;
  if (name !== 'add' && name !== 'remove' && name !== 'replace') {
    throw scimError('invalidSyntax', `${where}: "op" must be "add", "remove" or "replace", not ${echo(String(JSON.stringify(op)))}`);
  }
  const rawPath = member(raw, 'path');
  if (rawPath !== undefined && rawPath !== null && typeof rawPath !== 'string') throw scimError('invalidPath', `${where}: "path" must be a string`);
  const path = typeof rawPath === 'string' && rawPath.trim() !== '' ? rawPath.trim() : undefined;
  const hasValue = findKey(raw, 'value') !== undefined;
  if (name === 'remove' && path === undefined) throw scimError('noTarget', `${where}: "remove" needs a "path" (RFC 7644 3.5.2.2)`);
  if (name !== 'remove' && !hasValue) throw scimError('invalidValue', `${where}: "${name}" needs a "value"`);
  return { index, op: name, ...(path === undefined ? {} : { path }), ...(hasValue ? { value: member(raw, 'value') } : {}) };
}

/**
 * Validates a PatchOp message (RFC 7644 3.5.2): `schemas` with the PatchOp URN, a non-empty
 * `Operations` array, each with `op` add/remove/replace (any case), a string `path` (required for
 * remove: `noTarget`) and a `value` for add and replace (`invalidValue`). Member names are matched
 * ignoring case. Other problems are `invalidSyntax`.
 */
export function parsePatchRequest(body: unknown): PatchOperation[] {
  if (!isObject(body)) throw scimError('invalidSyntax', 'The PATCH body must be a PatchOp JSON object');
  const schemas = member(body, 'schemas');
  if (!Array.isArray(schemas) || !schemas.some((urn) => typeof urn === 'string' && urn.toLowerCase() === PATCH_OP_SCHEMA.toLowerCase())) {
    throw scimError('invalidSyntax', `"schemas" must be ["${PATCH_OP_SCHEMA}"]`);
  }
  const operations = member(body, 'Operations');
  if (!Array.isArray(operations) || operations.length === 0) throw scimError('invalidSyntax', '"Operations" must be a non-empty array');
  return operations.map(parseOperation);
}
