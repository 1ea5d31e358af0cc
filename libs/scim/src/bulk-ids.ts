import { ConflictError, echo } from '@provisioning/errors';
import { isObject } from './json-values';
import { scimError } from './scim-errors';

/** `bulkId:<id>` as a whole string or as a path segment (`/Users/bulkId:qwerty`, `$ref` URLs). */
const REFERENCE = /(^|\/)bulkId:([^/?#\s"]+)/g;

/** Characters a bulkId may not contain, so that references to it can be found. */
export const UNUSABLE_BULK_ID = /[/?#\s"]/;

function walkStrings(value: unknown, visit: (text: string) => void): void {
  if (typeof value === 'string') visit(value);
  else if (Array.isArray(value)) value.forEach((item) => walkStrings(item, visit));
  else if (isObject(value)) Object.values(value).forEach((item) => walkStrings(item, visit));
}

/** The bulkIds referenced anywhere in a value (RFC 7644 3.7.2), each once, in order of appearance. */
export function bulkIdReferences(value: unknown): string[] {
  const found = new Set<string>();
  walkStrings(value, (text) => {
    for (const match of text.matchAll(REFERENCE)) found.add(match[2]!);
  });
  return [...found];
}

function lookup(map: ReadonlyMap<string, string> | Readonly<Record<string, string>>, bulkId: string): string | undefined {
  if (map instanceof Map) return map.get(bulkId);
  const record = map as Readonly<Record<string, string>>;
  return Object.hasOwn(record, bulkId) ? record[bulkId] : undefined;
}

function replaceDeep(value: unknown, replace: (text: string) => string): unknown {
  if (typeof value === 'string') return replace(value);
  if (Array.isArray(value)) return value.map((item) => replaceDeep(item, replace));
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, replaceDeep(item, replace)]));
  return value;
}

/** Options of {@link resolveBulkIds}. */
export interface ResolveBulkIdsOptions {
  /** The bulkId of the operation the value belongs to: referencing it is a circular reference. */
  readonly selfBulkId?: string;
}

/**
 * Replaces every `bulkId:<id>` reference in an operation's data or path (member values, manager
 * values, `$ref` URLs, `/Users/bulkId:x`) with the resource id the map gives (RFC 7644 3.7.2).
 * The input is not changed. A reference to the operation's own bulkId throws `ConflictError` (409,
 * circular reference, RFC 7644 3.7.1); references missing from the map (their POST failed, was
 * rejected or has not run) throw `ValidationError` scimType `invalidValue` naming them.
 */
export function resolveBulkIds<T>(value: T, bulkIdMap: ReadonlyMap<string, string> | Readonly<Record<string, string>>, options: ResolveBulkIdsOptions = {}): T {
  const references = bulkIdReferences(value);
  if (options.selfBulkId !== undefined && references.includes(options.selfBulkId)) {
    throw new ConflictError(`Circular reference: the operation with bulkId "${echo(options.selfBulkId)}" references itself`, {
      details: { bulkIds: [options.selfBulkId] },
    });
  }
  const missing = references.filter((bulkId) => lookup(bulkIdMap, bulkId) === undefined);
  if (missing.length > 0) {
    throw scimError('invalidValue', `Unresolved bulkId reference(s): ${echo(missing.map((id) => `bulkId:${id}`).join(', '))}`, { bulkIds: missing });
  }
  return replaceDeep(value, (text) => text.replace(REFERENCE, (_match, lead: string, bulkId: string) => `${lead}${lookup(bulkIdMap, bulkId)!}`)) as T;
}
