type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** One attribute to set on an existing user: a PATCH `replace`, or a change applied before a PUT. */
export interface ScimChange {
  path: string;
  value: unknown;
}

/** The RFC 7644 PATCH body for a list of changes. */
export function patchBody(changes: readonly ScimChange[]): Json {
  return {
    schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
    Operations: changes.map((c) => ({ op: 'replace', path: c.path, value: c.value })),
  };
}

/** Finds a key case-insensitively (SCIM attribute names are case-insensitive, RFC 7643 2.1). */
function keyOf(object: Json, name: string): string {
  return Object.keys(object).find((k) => k.toLowerCase() === name.toLowerCase()) ?? name;
}

/**
 * Applies changes to a resource read from the target, for targets without PATCH: the result is PUT
 * back, so attributes this server does not map survive. Read-only `meta` is dropped.
 */
export function applyChanges(resource: Json, changes: readonly ScimChange[]): Json {
  const { meta: _meta, ...copy } = structuredClone(resource);
  for (const change of changes) {
    const urn = /^(urn:.*):([^:]+)$/i.exec(change.path);
    let container: Json = copy;
    if (urn) {
      const key = keyOf(copy, urn[1]);
      if (!isObject(copy[key])) copy[key] = {};
      container = copy[key] as Json;
      const schemas = Array.isArray(copy.schemas) ? (copy.schemas as unknown[]) : [];
      if (!schemas.some((s) => typeof s === 'string' && s.toLowerCase() === urn[1].toLowerCase())) copy.schemas = [...schemas, urn[1]];
    }
    const segments = (urn ? urn[2] : change.path).split('.');
    for (const segment of segments.slice(0, -1)) {
      const key = keyOf(container, segment);
      if (!isObject(container[key])) container[key] = {};
      container = container[key] as Json;
    }
    container[keyOf(container, segments.at(-1) ?? '')] = change.value;
  }
  return copy;
}

/** A copy fit for logs and previews: secrets become `[REDACTED]` (through `Secret.toJSON`). */
export function redacted<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}
