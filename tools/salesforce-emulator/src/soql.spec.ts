import { describe, expect, it } from 'vitest';
import { SoqlSyntaxError, escapeSoqlString, likeToRegExp, parseSoql, tokenize } from './soql';

function malformed(text: string): SoqlSyntaxError {
  try {
    parseSoql(text);
  } catch (err) {
    if (err instanceof SoqlSyntaxError) return err;
    throw err;
  }
  throw new Error(`expected ${text} to be rejected`);
}

describe('parseSoql', () => {
  it('parses fields, object, where, order by, limit and offset', () => {
    const q = parseSoql("SELECT Id, Username, Profile.Name FROM User WHERE IsActive = true AND Username != 'x' ORDER BY CreatedDate DESC, Username LIMIT 10 OFFSET 5");
    expect(q.fields?.map((f) => f.name)).toEqual(['Id', 'Username', 'Profile.Name']);
    expect(q.object).toBe('User');
    expect(q.where).toMatchObject({
      kind: 'and',
      operands: [
        { kind: 'comparison', field: 'IsActive', op: '=', value: { kind: 'boolean', value: true } },
        { kind: 'comparison', field: 'Username', op: '!=', value: { kind: 'string', value: 'x' } },
      ],
    });
    expect(q.orderBy).toMatchObject([
      { field: 'CreatedDate', direction: 'DESC', nulls: 'LAST' },
      { field: 'Username', direction: 'ASC', nulls: 'FIRST' },
    ]);
    expect(q.limit).toBe(10);
    expect(q.offset).toBe(5);
  });

  it('is case-insensitive for keywords', () => {
    const q = parseSoql("select id from user where username like 'a%' order by username asc nulls last limit 1");
    expect(q.object).toBe('user');
    expect(q.where).toMatchObject({ kind: 'like', field: 'username' });
    expect(q.orderBy[0]).toMatchObject({ direction: 'ASC', nulls: 'LAST' });
  });

  it('decodes backslash escapes in string literals', () => {
    const q = parseSoql("SELECT Id FROM User WHERE LastName = 'O\\'Brien \\\\ co\\n'");
    expect(q.where).toMatchObject({ kind: 'comparison', value: { kind: 'string', value: "O'Brien \\ co\n" } });
  });

  it('round-trips values escaped with escapeSoqlString', () => {
    for (const value of ["it's", 'back\\slash', "\\'", "both \\ and ' mixed", 'line\nbreak', "'; DELETE"]) {
      const q = parseSoql(`SELECT Id FROM User WHERE Username = '${escapeSoqlString(value)}'`);
      expect(q.where).toMatchObject({ kind: 'comparison', value: { kind: 'string', value } });
    }
  });

  it('rejects an unescaped quote that ends the literal early', () => {
    expect(malformed("SELECT Id FROM User WHERE Username = 'it's'").errorCode).toBe('MALFORMED_QUERY');
  });

  it('rejects illegal escapes and unterminated strings', () => {
    expect(malformed("SELECT Id FROM User WHERE Username = 'a\\qb'").message).toContain('Illegal escape sequence');
    expect(malformed("SELECT Id FROM User WHERE Username = 'abc").message).toContain('unterminated');
  });

  it('parses IN, NOT IN, NOT and parentheses', () => {
    const q = parseSoql("SELECT Id FROM User WHERE (Username IN ('a', 'b') OR Alias NOT IN ('c')) AND NOT IsActive = false");
    expect(q.where).toMatchObject({
      kind: 'and',
      operands: [
        { kind: 'or', operands: [{ kind: 'in', negated: false }, { kind: 'in', negated: true }] },
        { kind: 'not', operand: { kind: 'comparison', field: 'IsActive' } },
      ],
    });
  });

  it('rejects mixing AND and OR without parentheses, like Salesforce', () => {
    const err = malformed("SELECT Id FROM User WHERE Alias = 'a' AND Alias = 'b' OR Alias = 'c'");
    expect(err.errorCode).toBe('MALFORMED_QUERY');
    expect(err.message).toContain('unexpected token: OR');
  });

  it('parses COUNT(), null, numbers and datetime literals', () => {
    const q = parseSoql('SELECT COUNT() FROM User WHERE ManagerId = null AND CreatedDate > 2024-01-02T03:04:05Z');
    expect(q.fields).toBeNull();
    expect(q.where).toMatchObject({
      operands: [{ value: { kind: 'null' } }, { value: { kind: 'datetime', epochMs: Date.UTC(2024, 0, 2, 3, 4, 5) } }],
    });
  });

  it('reports the position of the error the way Salesforce does', () => {
    const err = malformed('SELECT Id FRM User');
    expect(err.message).toBe('\nSELECT Id FRM User\n          ^\nERROR at Row:1:Column:11\nunexpected token: FRM');
  });

  it.each([
    'SELECT FROM User',
    'SELECT Id User',
    'SELECT Id FROM',
    'SELECT Id FROM User WHERE',
    "SELECT Id FROM User WHERE Username 'a'",
    'SELECT Id FROM User LIMIT x',
    'SELECT Id, Id FROM User',
    'SELECT Id FROM User extra',
    "SELECT Id FROM User WHERE Username IN 'a'",
  ])('rejects %s as MALFORMED_QUERY', (text) => {
    expect(malformed(text).errorCode).toBe('MALFORMED_QUERY');
  });

  it('tokenizes <> as !=', () => {
    expect(tokenize("a <> 'b'").map((t) => t.value)).toEqual(['a', '!=', 'b', '']);
  });
});

describe('likeToRegExp', () => {
  it('maps % and _ to wildcards and keeps escaped ones literal, case-insensitively', () => {
    expect(likeToRegExp('ab%').test('ABCDEF')).toBe(true);
    expect(likeToRegExp('a_c').test('abc')).toBe(true);
    expect(likeToRegExp('a_c').test('abbc')).toBe(false);
    expect(likeToRegExp('100\\%').test('100%')).toBe(true);
    expect(likeToRegExp('100\\%').test('1000')).toBe(false);
    expect(likeToRegExp('a\\_b').test('a_b')).toBe(true);
    expect(likeToRegExp('a\\_b').test('axb')).toBe(false);
    expect(likeToRegExp('x.y+(z)').test('x.y+(z)')).toBe(true);
  });
});
