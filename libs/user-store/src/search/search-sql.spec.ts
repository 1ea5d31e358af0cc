import { DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler, sql, SqliteAdapter, SqliteIntrospector, SqliteQueryCompiler } from 'kysely';
import { describe, expect, it } from 'vitest';
import { COMMON_ATTRIBUTES, GROUP_RESOURCE_TYPE, parseFilter, USER_RESOURCE_TYPE } from '@provisioning/scim';
import type { AttributeDefinition } from '@provisioning/scim';
import type { Cond } from './condition';
import { searchSql } from './index';
import { inUtf16Order } from './sort-sql';

/** Compiles SQL without a database. */
function compiler(dialect: 'sqlite' | 'postgres') {
  const db = new Kysely<unknown>({
    dialect:
      dialect === 'sqlite'
        ? { createAdapter: () => new SqliteAdapter(), createDriver: () => new DummyDriver(), createIntrospector: (k) => new SqliteIntrospector(k), createQueryCompiler: () => new SqliteQueryCompiler() }
        : { createAdapter: () => new PostgresAdapter(), createDriver: () => new DummyDriver(), createIntrospector: (k) => new PostgresIntrospector(k), createQueryCompiler: () => new PostgresQueryCompiler() },
  });
  return (part: unknown) => sql`${part}`.compile(db);
}

const BASE = 'https://scim.example/scim2';
const users = (filter: string, dialect: 'sqlite' | 'postgres' = 'sqlite') => searchSql('User', dialect, 't', { filter: parseFilter(filter), base: BASE }).where;
const text = (c: Cond, part: 'sure' | 'maybe' | 'pre' | 'openPre' = 'sure', dialect: 'sqlite' | 'postgres' = 'sqlite') => compiler(dialect)(c[part]);

describe('searchSql', () => {
  it('refuses what the in-memory engine refuses, and values no database can hold', () => {
    const refused = (query: Parameters<typeof searchSql>[3], scimType: string) =>
      expect(() => searchSql('User', 'sqlite', 't', query)).toThrow(expect.objectContaining({ scimType }));
    refused({ filter: parseFilter('shoeSize eq 1'), base: BASE }, 'invalidFilter');
    refused({ filter: parseFilter('name eq "x"'), base: BASE }, 'invalidFilter');
    refused({ filter: parseFilter('password eq "x"'), base: BASE }, 'invalidFilter');
    refused({ filter: parseFilter('title eq "a\\u0000"'), base: BASE }, 'invalidFilter');
    refused({ filter: parseFilter('title sw "\\ud800"'), base: BASE }, 'invalidFilter');
    refused({ filter: parseFilter('emails[value co "x\\udc00"]'), base: BASE }, 'invalidFilter');
    refused({ sortBy: 'name', base: BASE }, 'invalidValue');
    refused({ sortBy: 'userName', sortOrder: 'upwards', base: BASE }, 'invalidValue');
    expect(() => searchSql('Group', 'sqlite', 't', { filter: parseFilter('userName eq "x"'), base: BASE })).toThrow(expect.objectContaining({ scimType: 'invalidFilter' }));
    // A surrogate pair is fine.
    expect(users('title eq "\\ud83d\\ude00"').maybe).toBeDefined();
  });

  it('decides exactly in SQL what SQL can: columns, caseExact values, memberships, booleans', () => {
    for (const filter of ['id eq "x"', 'id gt "a"', 'meta.created gt "2026-01-01T00:00:00Z"', 'meta.version eq "W/\\"2\\""', 'groups.display eq "Sales"', 'groups[type eq "indirect"]', 'groups pr']) {
      expect(users(filter), filter).not.toHaveProperty('maybe');
    }
    // Stored JSON is exact too, but for resources with escapes (NUL, unpaired surrogates).
    for (const filter of ['externalId eq "Ext-1"', 'active eq false', 'x509Certificates.value eq "TUlJ"', 'title pr', 'not (emails pr)']) {
      expect(users(filter).undecided, filter).toBe('escaped');
    }
  });

  it('leaves to JavaScript only text beyond ASCII, where a partial index finds it', () => {
    expect(users('userName eq "Kim@Example.com"').undecided).toBe('username');
    expect(users('name.familyName eq "Müller"').undecided).toBe('exotic');
    expect(users('userName eq "a" or title co "b"').undecided).toBe('exotic');
    expect(users('not (emails.value ew ".org")').undecided).toBe('exotic');
    expect(users('groups.display gt "m"').undecided).toBe('anywhere');
  });

  it('finds users by their indexes: username_key, the externalId expression', () => {
    const byName = text(users('userName eq "Kim@Example.com"'));
    expect(byName.sql).toContain('"users"."username_key" = ?');
    expect(byName.parameters).toContain('kim@example.com');
    expect(text(users('externalId eq "e1"')).sql).toContain(`json_extract("users"."resource", '$.externalId') = ?`);
    expect(text(users('externalId eq "e1"', 'postgres'), 'sure', 'postgres').sql).toContain(
      `(((case when not ("users"."resource" like '%\\\\u%') then "users"."resource"::jsonb end) -> 'externalId') #>> '{}') = $`,
    );
  });

  it('checks the stored text for the value before parsing JSON, and for its ASCII core before reading undecided rows', () => {
    const eq = users('emails.value eq "Kim@Example.com"');
    expect(text(eq, 'pre').parameters).toEqual(['%kim@example.com"%']);
    // Beyond ASCII, "Kim" may be spelled with a Kelvin sign and "I" be a dotted capital: the core is what is left.
    expect(text(eq, 'openPre').parameters).toEqual(['%m@example.com%']);
    expect(text(users('name.givenName sw "Émile"', 'postgres'), 'pre', 'postgres').parameters).toEqual(['"émile']);
    expect(text(users('active eq false'), 'pre').parameters).toEqual(['*active":false*']);
    // Only what `sure` implies: nothing for a negation.
    expect(users('not (title eq "x")')).not.toHaveProperty('pre');
    expect(users('title eq "x" or title pr')).not.toHaveProperty('pre');
    expect(text(users('title eq "x" and name.givenName co "y"'), 'pre').parameters).toEqual(['%x"%', '%y%']);
  });

  it('gives the same SQL text for the same search (SQLite reuses prepared statements by text)', () => {
    const filter = 'emails[type eq "work" and value co "x"] or not (phoneNumbers pr)';
    expect(text(users(filter), 'maybe').sql).toBe(text(users(filter), 'maybe').sql);
  });

  it('nests a filter of 256 terms only a few levels deep (SQLite refuses deep expression trees)', () => {
    const filter = Array.from({ length: 256 }, (_, i) => `userName eq "u${i}"`).join(' or ');
    let depth = 0;
    let deepest = 0;
    for (const char of text(users(filter)).sql) {
      if (char === '(') deepest = Math.max(deepest, (depth += 1));
      else if (char === ')') depth -= 1;
    }
    expect(deepest).toBeLessThan(20);
  });

  /** Every attribute path of a resource type, with its definition. */
  function paths(type: typeof USER_RESOURCE_TYPE): Array<[string, AttributeDefinition]> {
    const out: Array<[string, AttributeDefinition]> = [];
    const schemas = [{ prefix: '', attributes: [...type.schema.attributes, ...COMMON_ATTRIBUTES] }, ...type.extensions.map((e) => ({ prefix: `${e.schema.id}:`, attributes: e.schema.attributes }))];
    for (const { prefix, attributes } of schemas) {
      for (const attribute of attributes) {
        if (attribute.returned === 'never') continue;
        out.push([`${prefix}${attribute.name}`, attribute]);
        for (const sub of attribute.subAttributes ?? []) if (!sub.name.startsWith('$')) out.push([`${prefix}${attribute.name}.${sub.name}`, sub]);
      }
    }
    return out;
  }

  const comparisons = (definition: AttributeDefinition): string[] => {
    switch (definition.type) {
      case 'complex':
        return ['pr'];
      case 'boolean':
        return ['pr', 'eq true', 'ne false', 'eq null'];
      case 'dateTime':
        return ['pr', 'eq "2026-01-01T00:00:00Z"', 'gt "2026-01-01T00:00:00+02:00"', 'co "2026"', 'ne null'];
      case 'binary':
        return ['pr', 'eq "TUlJ"', 'co "J"', 'ne "x"'];
      default:
        return ['pr', 'eq "a"', 'ne "a"', 'co "b"', 'sw "c"', 'ew "d"', 'gt "e"', 'le "f"', 'eq null'];
    }
  };

  it.each(['sqlite', 'postgres'] as const)('translates every attribute, value path and sort of the User and Group schemas (%s)', (dialect) => {
    const compile = compiler(dialect);
    for (const [resourceType, type] of [['User', USER_RESOURCE_TYPE], ['Group', GROUP_RESOURCE_TYPE]] as const) {
      for (const [path, definition] of paths(type)) {
        const filters = comparisons(definition).map((op) => `${path} ${op}`);
        if (definition.type === 'complex') {
          const sub = definition.subAttributes!.find((s) => s.type === 'string' && !s.name.startsWith('$'))!;
          filters.push(`${path}[${sub.name} eq "x" or not (${sub.name} pr)]`);
          if (sub && definition.subAttributes!.some((s) => s.name === 'value')) filters.push(`${path} eq "v"`, `${path} ne "v"`);
        }
        for (const filter of filters) {
          const { where, sort } = searchSql(resourceType, dialect, 't', { filter: parseFilter(filter), base: BASE, sortBy: path.endsWith('.$ref') ? undefined : sortable(path, definition) });
          expect(() => compile(where.sure), `${resourceType} ${filter}`).not.toThrow();
          if (where.maybe) expect(compile(where.maybe).sql).not.toBe('');
          if (sort) expect(compile(sort.key).sql).not.toBe('');
        }
      }
    }
  });

  /** The path if sortResources accepts it (a complex attribute only when multi-valued with a `value`), else undefined. */
  function sortable(path: string, definition: AttributeDefinition): string | undefined {
    if (definition.type !== 'complex') return path;
    return definition.multiValued && definition.subAttributes!.some((s) => s.name === 'value') ? path : undefined;
  }
});

describe('inUtf16Order', () => {
  const codePointOrder = (a: string, b: string) => {
    const x = [...a].map((c) => c.codePointAt(0)!);
    const y = [...b].map((c) => c.codePointAt(0)!);
    for (let i = 0; i < Math.min(x.length, y.length); i += 1) if (x[i] !== y[i]) return x[i]! < y[i]! ? -1 : 1;
    return Math.sign(x.length - y.length);
  };

  it('turns JavaScript order into code-point order (what SQL sorts by), keeping ASCII', () => {
    const pool = ['a', 'b', 'Z', '\u0000', '\u0001', '\u0002', 'é', '\uD7FF', '\uE000', '\uFF41', '\uFFFD', '😀', '𝒜', '\ud800', '\udfff'];
    let seed = 42;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const word = () => Array.from({ length: Math.floor(next() * 5) }, () => pool[Math.floor(next() * pool.length)]).join('');
    for (let i = 0; i < 20_000; i += 1) {
      const [a, b] = [word(), word()];
      const js = a < b ? -1 : a > b ? 1 : 0;
      expect(codePointOrder(inUtf16Order(a), inUtf16Order(b)), JSON.stringify([a, b])).toBe(js);
    }
    expect(inUtf16Order('Plain ASCII 123')).toBe('Plain ASCII 123');
    expect(inUtf16Order('a\u0000b')).not.toContain('\u0000');
  });
});
