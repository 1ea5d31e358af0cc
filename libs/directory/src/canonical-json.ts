/** JSON with object keys sorted and lower-cased (recursively), so key order and case never count as a change. */
export function canonicalJson(value: unknown): string {
  const sortKeys = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(sortKeys)
      : v !== null && typeof v === 'object'
        ? Object.fromEntries(
            Object.entries(v as Record<string, unknown>)
              .sort(([a], [b]) => a.localeCompare(b))
              .map(([k, x]) => [k.toLowerCase(), sortKeys(x)]),
          )
        : v;
  return JSON.stringify(sortKeys(value));
}
