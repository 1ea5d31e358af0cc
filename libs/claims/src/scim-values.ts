/**
 * Defensive readers for SCIM JSON. SCIM attribute names are case-insensitive (RFC 7643 §2.1) and
 * clients send SCIM 1.0 shapes (plain strings in multi-valued attributes), so nothing here trusts
 * the shape of its input.
 */

type JsonObject = Readonly<Record<string, unknown>>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The value of `name` in `source`, matching the key case-insensitively (exact match first). */
export function field(source: unknown, name: string): unknown {
  if (!isObject(source)) return undefined;
  if (Object.hasOwn(source, name)) return source[name];
  const lower = name.toLowerCase();
  for (const key of Object.keys(source)) {
    if (key.toLowerCase() === lower) return source[key];
  }
  return undefined;
}

/** Follows a dotted path (`name.givenName`) with case-insensitive keys. */
export function path(source: unknown, dotted: string): unknown {
  let current = source;
  for (const part of dotted.split('.')) current = field(current, part);
  return current;
}

/** A scalar as claim text; empty or whitespace-only strings, objects and arrays count as absent. */
export function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim() === '' ? undefined : value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'boolean') return String(value);
  return undefined;
}

/** A SCIM boolean, accepting the strings "true"/"false" that some clients send. */
export function bool(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    const lower = value.trim().toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
  }
  return undefined;
}

/** One entry of a multi-valued attribute, normalised. */
export interface ScimItem {
  /** The entry itself when it is complex; plain-string entries (SCIM 1.0 style) have none. */
  readonly object: JsonObject | undefined;
  readonly value: string | undefined;
  readonly display: string | undefined;
  /** Lower-cased `type`, if any. */
  readonly type: string | undefined;
  readonly primary: boolean;
}

/** Entries of a multi-valued attribute; a lone value (not in an array) is accepted as one entry. */
export function items(value: unknown): ScimItem[] {
  if (value === undefined || value === null) return [];
  const list: readonly unknown[] = Array.isArray(value) ? value : [value];
  const result: ScimItem[] = [];
  for (const entry of list) {
    if (isObject(entry)) {
      result.push({
        object: entry,
        value: text(field(entry, 'value')),
        display: text(field(entry, 'display')),
        type: text(field(entry, 'type'))?.trim().toLowerCase(),
        primary: bool(field(entry, 'primary')) === true,
      });
    } else {
      const scalar = text(entry);
      if (scalar !== undefined) result.push({ object: undefined, value: scalar, display: undefined, type: undefined, primary: false });
    }
  }
  return result;
}

/** Entries that carry a non-empty `value` (emails, phone numbers...); others cannot fill a claim. */
export function valued(value: unknown): ScimItem[] {
  return items(value).filter((i) => i.value !== undefined);
}

/** The primary entry, else the first entry of `preferredType` (if given), else the first entry. */
export function preferred(list: readonly ScimItem[], preferredType?: string): ScimItem | undefined {
  return (
    list.find((i) => i.primary) ??
    (preferredType === undefined ? undefined : list.find((i) => i.type === preferredType)) ??
    list[0]
  );
}

/** The first entry of the given type, preferring a primary one among them. */
export function ofType(list: readonly ScimItem[], type: string): ScimItem | undefined {
  const typed = list.filter((i) => i.type === type);
  return typed.find((i) => i.primary) ?? typed[0];
}

/** Distinct non-empty strings (trimmed, in first-seen order), or undefined when there are none. */
export function distinctValues(values: ReadonlyArray<string | undefined>): string[] | undefined {
  const seen = new Set<string>();
  for (const v of values) {
    if (v !== undefined && v.trim() !== '') seen.add(v.trim());
  }
  return seen.size === 0 ? undefined : [...seen];
}
