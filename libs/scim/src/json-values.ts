/** A plain JSON object (not null, not an array). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The key of `object` equal to `name` ignoring case (SCIM names are case-insensitive), if any. */
export function findKey(object: Readonly<Record<string, unknown>>, name: string): string | undefined {
  if (Object.hasOwn(object, name)) return name;
  const lower = name.toLowerCase();
  return Object.keys(object).find((key) => key.toLowerCase() === lower);
}

/** The value under `name`, ignoring case. */
export function getIgnoringCase(object: Readonly<Record<string, unknown>>, name: string): unknown {
  const key = findKey(object, name);
  return key === undefined ? undefined : object[key];
}

/** Sets `name` to `value`, replacing any key that differs from `name` only by case. */
export function setIgnoringCase(object: Record<string, unknown>, name: string, value: unknown): void {
  const key = findKey(object, name);
  if (key !== undefined && key !== name) delete object[key];
  object[name] = value;
}

/** Deletes the key equal to `name` ignoring case; true when something was deleted. */
export function deleteIgnoringCase(object: Record<string, unknown>, name: string): boolean {
  const key = findKey(object, name);
  if (key === undefined) return false;
  delete object[key];
  return true;
}

/** Structural equality of JSON values (key order ignored). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, index) => deepEqual(item, b[index]));
  }
  if (!isObject(a) || !isObject(b)) return false;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((key) => Object.hasOwn(b, key) && deepEqual(a[key], b[key]));
}

/** A deep copy of a JSON value. */
export function cloneJson<T>(value: T): T {
  return structuredClone(value);
}

/** RFC 7643 2.5: null, "" and [] / {} without content are "unassigned". */
export function isUnassigned(value: unknown): boolean {
  if (value === undefined || value === null || value === '') return true;
  if (Array.isArray(value)) return value.every(isUnassigned);
  if (isObject(value)) return Object.values(value).every(isUnassigned);
  return false;
}
