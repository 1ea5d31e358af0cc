import { echo, ValidationError } from '@provisioning/errors';
import { ENTERPRISE_USER_SCHEMA, PATCH_OP_SCHEMA, SCIM1_CORE_SCHEMA, SCIM1_ENTERPRISE_SCHEMA, USER_SCHEMA } from '@provisioning/scim';
import type { ScimResource } from '@provisioning/scim';

/**
 * SCIM 1.1 (the WSO2 `/wso2/scim` endpoint) on top of the SCIM 2.0 model: responses are rewritten to
 * the 1.1 shape, 1.1 names in query parameters and PATCH bodies to 2.0 names. Input bodies of POST and
 * PUT need nothing here: `validateResource` already accepts SCIM 1.x.
 */

/** RFC-draft SCIM 1.1 list response (section 3.2.2). */
export interface Scim1ListResponse {
  schemas: string[];
  totalResults: number;
  itemsPerPage: number;
  startIndex: number;
  Resources: Record<string, unknown>[];
}

/** SCIM 1.1 error response (section 3.9): `{"Errors":[{"description","code"}]}`. */
export interface Scim1ErrorBody {
  Errors: Array<{ description: string; code: string }>;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function keyOf(object: Readonly<Record<string, unknown>>, name: string): string | undefined {
  const lower = name.toLowerCase();
  return Object.keys(object).find((key) => key.toLowerCase() === lower);
}

/** The 1.1 enterprise extension: `manager.value` is `manager.managerId`, no `$ref`. */
function enterpriseToScim1(extension: unknown): unknown {
  if (!isObject(extension)) return extension;
  const managerKey = keyOf(extension, 'manager');
  const manager = managerKey === undefined ? undefined : extension[managerKey];
  if (managerKey === undefined || !isObject(manager)) return extension;
  const { value, $ref: _ref, ...rest } = manager;
  return { ...extension, [managerKey]: { ...(value === undefined ? {} : { managerId: value }), ...rest } };
}

/** 1.1 has no `$ref` in multi-valued references (groups). */
function withoutRefs(value: unknown): unknown {
  if (!Array.isArray(value)) return value;
  return value.map((item: unknown) => {
    if (!isObject(item)) return item;
    const { $ref: _ref, ...rest } = item;
    return rest;
  });
}

/**
 * A SCIM 2.0 User (already projected) in the SCIM 1.1 shape: `schemas` with the 1.0 URNs, the
 * enterprise extension under its 1.0 URN, `meta` with created, lastModified, location and version
 * (no `resourceType`), no `$ref`.
 */
export function toScim1User(resource: Readonly<ScimResource>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  let enterprise = false;
  for (const [key, value] of Object.entries(resource)) {
    const lower = key.toLowerCase();
    if (lower === 'schemas') continue;
    if (lower === ENTERPRISE_USER_SCHEMA.toLowerCase()) {
      enterprise = true;
      out[SCIM1_ENTERPRISE_SCHEMA] = enterpriseToScim1(value);
    } else if (lower === 'meta' && isObject(value)) {
      const { resourceType: _type, ...meta } = value;
      out.meta = meta;
    } else if (lower === 'groups') {
      out[key] = withoutRefs(value);
    } else {
      out[key] = value;
    }
  }
  return { schemas: enterprise ? [SCIM1_CORE_SCHEMA, SCIM1_ENTERPRISE_SCHEMA] : [SCIM1_CORE_SCHEMA], ...out };
}

export function scim1ListResponse(resources: Record<string, unknown>[], totalResults: number, startIndex: number): Scim1ListResponse {
  return { schemas: [SCIM1_CORE_SCHEMA], totalResults, itemsPerPage: resources.length, startIndex, Resources: resources };
}

export function scim1ErrorBody(description: string, status: number): Scim1ErrorBody {
  return { Errors: [{ description, code: String(status) }] };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const NAME_REWRITES: ReadonlyArray<readonly [RegExp, string]> = [
  [new RegExp(`${escapeRegExp(SCIM1_ENTERPRISE_SCHEMA)}(?=:|$|[\\s,)\\]])`, 'gi'), ENTERPRISE_USER_SCHEMA],
  [new RegExp(`${escapeRegExp(SCIM1_CORE_SCHEMA)}:`, 'gi'), `${USER_SCHEMA}:`],
  [/\bmanager\.managerId\b/gi, 'manager.value'],
];

/**
 * Rewrites SCIM 1.1 attribute names in a filter, `sortBy` or `attributes` value (outside quoted
 * strings): the 1.0 URNs become the 2.0 ones and `manager.managerId` becomes `manager.value`.
 * The filter grammar itself is the same (operators are case-insensitive in both).
 */
export function scim1Names(text: string): string {
  let out = '';
  let segment = '';
  let quoted = false;
  const flush = (): void => {
    out += NAME_REWRITES.reduce((s, [pattern, replacement]) => s.replace(pattern, replacement), segment);
    segment = '';
  };
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i]!;
    if (quoted) {
      out += char;
      if (char === '\\' && i + 1 < text.length) {
        i += 1;
        out += text[i];
      } else if (char === '"') {
        quoted = false;
      }
    } else if (char === '"') {
      flush();
      out += char;
      quoted = true;
    } else {
      segment += char;
    }
  }
  flush();
  return out;
}

/** The 1.1 query parameters with 1.1 names rewritten (the parameter names are the same in 2.0). */
export function scim1QueryParams(query: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...query };
  for (const name of ['filter', 'sortBy', 'attributes', 'excludedAttributes']) {
    const value = out[name];
    if (typeof value === 'string') out[name] = scim1Names(value);
  }
  return out;
}

function filterLiteral(value: unknown): string | undefined {
  if (typeof value === 'string' || typeof value === 'boolean' || typeof value === 'number') return JSON.stringify(value);
  return undefined;
}

/** A 1.1 multi-valued item marked `"operation": "delete"` as a 2.0 value filter on its sub-attributes. */
function deleteFilter(attribute: string, item: Readonly<Record<string, unknown>>, index: number): string {
  const terms: string[] = [];
  for (const [key, value] of Object.entries(item)) {
    if (key.toLowerCase() === 'operation') continue;
    const literal = filterLiteral(value);
    if (literal === undefined) throw new ValidationError(`${echo(attribute)}[${index}]: "${echo(key)}" cannot identify a value to delete`, { scimType: 'invalidValue' });
    terms.push(`${key} eq ${literal}`);
  }
  if (terms.length === 0) throw new ValidationError(`${echo(attribute)}[${index}] has "operation": "delete" but no sub-attribute naming the value to delete`, { scimType: 'invalidValue' });
  return `${attribute}[${terms.join(' and ')}]`;
}

function isDelete(item: unknown): item is Record<string, unknown> {
  if (!isObject(item)) return false;
  const key = keyOf(item, 'operation');
  if (key === undefined) return false;
  const operation = item[key];
  if (typeof operation !== 'string' || operation.toLowerCase() !== 'delete') {
    throw new ValidationError(`"operation" must be "delete", not ${echo(String(JSON.stringify(operation)))}`, { scimType: 'invalidValue' });
  }
  return true;
}

function renameEnterprise(key: string, value: unknown): [string, unknown] {
  if (key.toLowerCase() !== SCIM1_ENTERPRISE_SCHEMA.toLowerCase()) return [key, value];
  if (!isObject(value)) return [ENTERPRISE_USER_SCHEMA, value];
  const managerKey = keyOf(value, 'manager');
  const manager = managerKey === undefined ? undefined : value[managerKey];
  if (managerKey === undefined || !isObject(manager)) return [ENTERPRISE_USER_SCHEMA, value];
  const idKey = keyOf(manager, 'managerId');
  if (idKey === undefined) return [ENTERPRISE_USER_SCHEMA, value];
  const { [idKey]: id, ...rest } = manager;
  return [ENTERPRISE_USER_SCHEMA, { ...value, [managerKey]: { value: id, ...rest } }];
}

/**
 * A SCIM 1.1 PATCH body (section 3.3.2: a partial resource; `meta.attributes` names attributes to
 * remove, processed first; multi-valued values marked `"operation": "delete"` are removed; the rest
 * is added: single values replaced, complex values merged, multi-valued values appended) as the
 * equivalent SCIM 2.0 PatchOp, or undefined when it changes nothing.
 */
export function scim1PatchToPatchOp(body: unknown): { schemas: string[]; Operations: Array<Record<string, unknown>> } | undefined {
  if (!isObject(body)) throw new ValidationError('The PATCH body must be a SCIM 1.1 User JSON object', { scimType: 'invalidSyntax' });
  const removes: Array<Record<string, unknown>> = [];
  const deletes: Array<Record<string, unknown>> = [];
  const added: Record<string, unknown> = {};
  for (const [rawKey, rawValue] of Object.entries(body)) {
    const lower = rawKey.toLowerCase();
    if (lower === 'schemas' || lower === 'id') continue;
    if (lower === 'meta') {
      const attributesKey = isObject(rawValue) ? keyOf(rawValue, 'attributes') : undefined;
      const names = attributesKey === undefined || !isObject(rawValue) ? [] : rawValue[attributesKey];
      if (!Array.isArray(names) || !names.every((n): n is string => typeof n === 'string' && n.trim() !== '')) {
        throw new ValidationError('meta.attributes must be an array of attribute names', { scimType: 'invalidValue' });
      }
      for (const name of names) removes.push({ op: 'remove', path: scim1Names(name.trim()) });
      continue;
    }
    const [key, value] = renameEnterprise(rawKey, rawValue);
    if (!Array.isArray(value)) {
      added[key] = value;
      continue;
    }
    const kept: unknown[] = [];
    value.forEach((item: unknown, index) => {
      if (isDelete(item)) deletes.push({ op: 'remove', path: deleteFilter(key, item, index) });
      // A plain string is a value to add, nothing more (2.0 normalisation would make it primary).
      else kept.push(typeof item === 'string' ? { value: item } : item);
    });
    if (kept.length > 0) added[key] = kept;
  }
  const operations = [...removes, ...deletes, ...(Object.keys(added).length > 0 ? [{ op: 'add', value: added }] : [])];
  return operations.length === 0 ? undefined : { schemas: [PATCH_OP_SCHEMA], Operations: operations };
}
