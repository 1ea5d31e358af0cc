import { ValidationError } from '@provisioning/errors';
import { describe, expect, it } from 'vitest';
import { readSample } from '../test/rfc-samples';
import { ENTERPRISE_USER_SCHEMA, MAX_FILTER_DEPTH, MAX_FILTER_LENGTH, MAX_FILTER_TERMS, USER_SCHEMA, compileFilter, matchesFilter, parseFilter } from './index';
import type { CompareFilter, LogicalFilter } from './index';

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f]/;

const users: Record<string, unknown>[] = [
  {
    schemas: [USER_SCHEMA, ENTERPRISE_USER_SCHEMA],
    id: 'u1',
    externalId: 'EXT-1',
    userName: 'bjensen',
    name: { familyName: 'Jensen', givenName: 'Barbara' },
    title: 'Tour Guide',
    userType: 'Employee',
    active: true,
    emails: [
      { value: 'bjensen@example.com', type: 'work', primary: true },
      { value: 'babs@jensen.org', type: 'home' },
    ],
    [ENTERPRISE_USER_SCHEMA]: { employeeNumber: '701984', manager: { value: 'm1' } },
    meta: { resourceType: 'User', created: '2010-01-23T04:56:22Z', lastModified: '2011-05-13T04:42:34Z' },
  },
  {
    schemas: [USER_SCHEMA],
    id: 'u2',
    externalId: 'ext-1',
    userName: 'JSmith',
    name: { familyName: "O'Malley", givenName: 'James' },
    userType: 'Intern',
    active: false,
    emails: [{ value: 'james@example.org', type: 'work' }],
    ims: [{ value: 'jim@foo.com', type: 'xmpp' }],
    meta: { created: '2012-01-01T00:00:00Z', lastModified: '2011-05-13T04:42:34.000Z' },
  },
  {
    schemas: [USER_SCHEMA],
    id: 'u3',
    userName: 'mpepperidge',
    userType: 'Employee',
    emails: [],
    meta: { created: '2013-06-01T10:00:00+02:00', lastModified: '2013-06-01T08:00:00Z' },
  },
];

function matching(text: string): string[] {
  const filter = parseFilter(text);
  return users.filter((user) => matchesFilter(user, filter, 'User')).map((user) => user.id as string);
}

describe('matchesFilter (RFC 7644 3.4.2.2)', () => {
  const table: [string, string[]][] = [
    // eq / ne and caseExact
    ['userName eq "bjensen"', ['u1']],
    ['userName eq "BJENSEN"', ['u1']], // userName is caseExact false
    ['USERNAME eq "bjensen"', ['u1']], // attribute names are case-insensitive
    ['externalId eq "ext-1"', ['u2']], // externalId is caseExact
    ['id eq "U1"', []], // id is caseExact
    ['title ne "Tour Guide"', ['u2', 'u3']], // unassigned is "not equal"
    ['title eq null', ['u2', 'u3']],
    // co sw ew
    ['name.familyName co "O\'Malley"', ['u2']],
    ['name.familyName co "JEN"', ['u1']],
    [`${USER_SCHEMA}:userName sw "J"`, ['u2']],
    ['userName ew "SMITH"', ['u2']],
    // gt ge lt le on strings (case-insensitive for userName)
    ['userName ge "JSMITH"', ['u2', 'u3']],
    ['userName lt "c"', ['u1']],
    ['userName le "bjensen"', ['u1']],
    ['userName gt "k"', ['u3']],
    // pr
    ['title pr', ['u1']],
    ['emails pr', ['u1', 'u2']], // u3 has an empty array
    ['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber pr', ['u1']],
    // logical operators and precedence: and binds tighter than or, not tighter than and
    ['title pr and userType eq "Employee"', ['u1']],
    ['title pr or userType eq "Intern"', ['u1', 'u2']],
    ['userType eq "Intern" or userType eq "Employee" and title pr', ['u1', 'u2']],
    ['(userType eq "Intern" or userType eq "Employee") and title pr', ['u1']],
    ['userType eq "Employee" and title pr or userType eq "Intern"', ['u1', 'u2']],
    ['not (userType eq "Employee")', ['u2']],
    ['not (userType eq "Employee") or title pr', ['u1', 'u2']],
    ['userType eq "Employee" and not (emails co "example.com" or emails.value co "example.org")', ['u3']],
    ['userName eq "bjensen" OR userName eq "jsmith"', ['u1', 'u2']], // operators in any case
    // complex multi-valued attributes: any value; without sub-attribute the "value" is compared
    ['emails co "example.com"', ['u1']],
    ['emails.value co "example.org"', ['u2']],
    ['emails.type eq "home"', ['u1']],
    ['userType eq "Employee" and (emails.type eq "work")', ['u1']],
    // value paths: the inner filter applies to one and the same value
    ['emails[type eq "work" and value ew "example.com"]', ['u1']],
    ['emails[type eq "WORK" and value co "@example"]', ['u1', 'u2']],
    ['emails[type eq "home" and value ew "example.com"]', []],
    ['emails[not (type eq "work")]', ['u1']],
    ['userType eq "Employee" and emails[type eq "work" and value co "@example.com"]', ['u1']],
    ['emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]', ['u1', 'u2']],
    // dateTime: chronological, whatever the notation
    ['meta.lastModified gt "2011-05-13T04:42:34Z"', ['u3']],
    ['meta.lastModified ge "2011-05-13T04:42:34Z"', ['u1', 'u2', 'u3']],
    ['meta.lastModified eq "2011-05-13T04:42:34Z"', ['u1', 'u2']],
    ['meta.lastModified lt "2012-01-01T00:00:00Z"', ['u1', 'u2']],
    ['meta.created le "2013-06-01T08:00:00Z"', ['u1', 'u2', 'u3']],
    ['meta.created lt "2013-06-01T08:00:00Z"', ['u1', 'u2']],
    ['meta.lastModified sw "2011"', ['u1', 'u2']],
    ['meta.created eq "2010-01-23T04:56:22"', ['u1']], // no zone: UTC, not the server's local time
    // meta.resourceType is caseExact
    ['meta.resourceType eq "User"', ['u1']],
    ['meta.resourceType eq "user"', []],
    // booleans
    ['active eq true', ['u1']],
    ['active eq false', ['u2']],
    ['active ne true', ['u2', 'u3']],
    // schemas and extension attributes, URN in any case
    [`schemas eq "${ENTERPRISE_USER_SCHEMA}"`, ['u1']],
    [`${ENTERPRISE_USER_SCHEMA}:employeeNumber eq "701984"`, ['u1']],
    ['urn:ietf:params:scim:schemas:extension:enterprise:2.0:user:MANAGER.value eq "m1"', ['u1']],
    ['employeeNumber eq "701984"', ['u1']], // the URN may be omitted (RFC 7644 3.10: SHOULD)
  ];

  it.each(table)('%s -> %j', (text, expected) => {
    expect(matching(text)).toEqual(expected);
  });

  it('applies to Groups (RFC 7643 8.4)', () => {
    const group = readSample('rfc7643-8.4-group.json');
    const yes = ['displayName eq "tour guides"', 'members[value eq "2819c223-7f76-453a-919d-413861904646"]', 'members.display co "Mandy"', 'members pr'];
    const no = ['displayName eq "Employees"', 'members[display eq "Nobody"]'];
    for (const text of yes) expect(matchesFilter(group, parseFilter(text), 'Group'), text).toBe(true);
    for (const text of no) expect(matchesFilter(group, parseFilter(text), 'Group'), text).toBe(false);
  });

  it('compiles once for many resources', () => {
    const predicate = compileFilter(parseFilter('userType eq "Employee"'), 'User');
    expect(users.filter(predicate).map((user) => user.id)).toEqual(['u1', 'u3']);
  });
});

describe('invalid filters', () => {
  const invalid = [
    '',
    '   ',
    'userName',
    'userName eq',
    'userName eq bjensen',
    'userName regex "x"',
    '(userName eq "x"',
    'userName eq "x")',
    'userName eq "x" and',
    'userName eq "x" or or userName eq "y"',
    'userName eq "unterminated',
    'emails[type eq "work"',
    'emails[type eq "work"].value eq "x"',
    'shoeSize eq "42"',
    'name.shoeSize eq "42"',
    'urn:example:foo:bar eq "x"',
    'emails[shoeSize eq "42"]',
    'userName[value eq "x"]',
    'emails[value[type eq "x"]]',
    'name eq "Barbara"',
    'active gt true',
    'active eq "true"',
    'userName eq 5',
    'meta.lastModified gt "yesterday"',
    'x509Certificates.value lt "abc"',
    'title lt null',
    'userName eq "a" userName eq "b"',
    'members pr',
    'password pr', // never returned, so never filterable
    'password eq "t1meMa$heen"',
  ];

  it.each(invalid)('%j -> ValidationError invalidFilter', (text) => {
    let thrown: unknown;
    try {
      matchesFilter(users[0]!, parseFilter(text), 'User');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ValidationError);
    expect((thrown as ValidationError).scimType).toBe('invalidFilter');
  });

  it('never throws anything but ValidationError invalidFilter, whatever the text', () => {
    const tokens = ['userName', 'emails', '[', ']', '(', ')', '"x"', 'eq', 'and', 'or', 'not', 'pr', '.', '"', '\\', ' ', 'true', '5', 'urn:a:b', ':', ']. '];
    let seed = 7;
    const next = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed;
    };
    for (let i = 0; i < 500; i += 1) {
      const text = Array.from({ length: 1 + (next() % 8) }, () => tokens[next() % tokens.length]).join(next() % 2 ? ' ' : '');
      try {
        matchesFilter(users[0]!, parseFilter(text), 'User');
      } catch (error) {
        expect(error, text).toBeInstanceOf(ValidationError);
        expect((error as ValidationError).scimType, text).toBe('invalidFilter');
      }
    }
  });
});

describe('parseFilter', () => {
  it('builds the tree with SCIM precedence', () => {
    expect(parseFilter('a pr or b pr and c pr')).toEqual({
      op: 'or',
      filters: [{ op: 'pr', attrPath: 'a' }, { op: 'and', filters: [{ op: 'pr', attrPath: 'b' }, { op: 'pr', attrPath: 'c' }] }],
    });
    expect(parseFilter('not (a eq 1) and b eq true')).toEqual({
      op: 'and',
      filters: [{ op: 'not', filter: { op: 'eq', attrPath: 'a', compValue: 1 } }, { op: 'eq', attrPath: 'b', compValue: true }],
    });
  });
});

describe('filter limits and input checks (issue 10)', () => {
  function filterError(text: string): ValidationError {
    let thrown: unknown;
    try {
      parseFilter(text);
    } catch (error) {
      thrown = error;
    }
    expect(thrown, text.slice(0, 80)).toBeInstanceOf(ValidationError);
    expect((thrown as ValidationError).scimType).toBe('invalidFilter');
    return thrown as ValidationError;
  }
  const chain = (count: number, op = 'or'): string => Array.from({ length: count }, (_, i) => `userName eq "u${i}"`).join(` ${op} `);

  it('exports its limits', () => {
    expect(MAX_FILTER_LENGTH).toBe(16_384);
    expect(MAX_FILTER_TERMS).toBe(256);
    expect(MAX_FILTER_DEPTH).toBe(32);
  });

  it('accepts a filter at every limit', () => {
    expect((parseFilter(chain(MAX_FILTER_TERMS)) as LogicalFilter).filters).toHaveLength(MAX_FILTER_TERMS);
    const nested = `${'not ('.repeat(MAX_FILTER_DEPTH - 1)}emails[value eq "x"]${')'.repeat(MAX_FILTER_DEPTH - 1)}`;
    expect(() => parseFilter(nested)).not.toThrow();
    const long = `userName eq "${'x'.repeat(MAX_FILTER_LENGTH - 'userName eq ""'.length)}"`;
    expect(long).toHaveLength(MAX_FILTER_LENGTH);
    expect(parseFilter(long)).toMatchObject({ op: 'eq' });
  });

  it('refuses more terms than MAX_FILTER_TERMS, naming the limit', () => {
    for (const op of ['and', 'or']) {
      expect(filterError(chain(MAX_FILTER_TERMS + 1, op)).message).toContain(`more than ${MAX_FILTER_TERMS} comparison terms; the limit is ${MAX_FILTER_TERMS}`);
    }
    expect(filterError(Array.from({ length: MAX_FILTER_TERMS + 1 }, () => 'title pr').join(' and ')).message).toContain('comparison terms');
    expect(filterError(`emails[${chain(MAX_FILTER_TERMS + 1).replaceAll('userName', 'value')}]`).message).toContain('comparison terms');
    // 5,000 chained terms used to reach SQLite's expression-depth limit (a 500): now a 400 naming a limit.
    expect(filterError(Array.from({ length: 5000 }, () => 'a pr').join(' or ')).message).toMatch(/the limit is/);
  });

  it('refuses a filter longer than MAX_FILTER_LENGTH, naming the limit', () => {
    const error = filterError(`userName eq "${'x'.repeat(MAX_FILTER_LENGTH)}"`);
    expect(error.message).toContain(`the limit is ${MAX_FILTER_LENGTH} characters`);
    expect(error.message.length).toBeLessThan(300);
  });

  it('refuses nesting deeper than MAX_FILTER_DEPTH (parentheses, not, value paths), quickly and without a stack overflow', () => {
    const deep = (levels: number): string => `${'not('.repeat(levels)}userName eq "a"${')'.repeat(levels)}`;
    expect(filterError(deep(MAX_FILTER_DEPTH + 1)).message).toContain(`the limit is ${MAX_FILTER_DEPTH}`);
    expect(filterError(`${'('.repeat(MAX_FILTER_DEPTH + 1)}userName eq "a"${')'.repeat(MAX_FILTER_DEPTH + 1)}`).message).toContain(`${MAX_FILTER_DEPTH}`);
    expect(filterError(`${'emails['.repeat(MAX_FILTER_DEPTH + 1)}value eq "a"${']'.repeat(MAX_FILTER_DEPTH + 1)}`).message).toContain(`${MAX_FILTER_DEPTH}`);
    const started = Date.now();
    const huge = filterError(deep(100_000));
    expect(Date.now() - started).toBeLessThan(1000);
    expect(huge.message).not.toMatch(/call stack|RangeError/i);
    expect(huge.message).toMatch(/limit/);
  });

  it('answers a raw newline in an unterminated string quickly (the parser\'s string pattern backtracks exponentially)', () => {
    const started = Date.now();
    filterError(`userName eq "${'\n'.repeat(40)}`);
    filterError(`userName eq "${'\n'.repeat(40)}"`);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('refuses "not" without parentheses (RFC 7644: "not" "(" valFilter ")")', () => {
    filterError('not userName eq "a"');
    filterError('NOT title pr');
    filterError('emails[not type eq "work"]');
    expect(parseFilter('not (userName eq "a")')).toEqual({ op: 'not', filter: { op: 'eq', attrPath: 'userName', compValue: 'a' } });
    expect(parseFilter('NOT(userName eq "a")')).toMatchObject({ op: 'not' });
  });

  it('reads string literals as JSON strings: invalid escapes and raw control characters are refused', () => {
    for (const text of ['userName eq "\\u"', 'userName eq "\\x41"', 'userName eq "\\u12"', 'userName eq "a\tb"', 'userName eq "\\"']) {
      expect(filterError(text).message, text).toMatch(/not a JSON string|not terminated/);
    }
  });

  it('decodes JSON escapes in comparison values', () => {
    const value = (text: string): unknown => (parseFilter(text) as CompareFilter).compValue;
    expect(value('userName eq "a\\\\"')).toBe('a\\');
    expect(value('userName eq "a\\\\b"')).toBe('a\\b');
    expect(value('userName eq "a\\nb"')).toBe('a\nb');
    expect(value('userName eq "\\u00e9t\\u00e9"')).toBe('été');
    expect(value('userName eq "say \\"hi\\""')).toBe('say "hi"');
    expect(value('userName eq "\uE0000"')).toBe('\uE0000');
    expect(parseFilter('userName eq "a\\\\" or userName eq "\uE0001" or userName eq "b\\/c"')).toEqual({
      op: 'or',
      filters: [
        { op: 'eq', attrPath: 'userName', compValue: 'a\\' },
        { op: 'eq', attrPath: 'userName', compValue: '\uE0001' },
        { op: 'eq', attrPath: 'userName', compValue: 'b/c' },
      ],
    });
    expect(matching('name.familyName eq "O\\u0027Malley"')).toEqual(['u2']);
  });

  it('quotes the filter in messages through echo(): at most 200 characters, control characters escaped', () => {
    const error = filterError(`userName eq "${'x'.repeat(5000)}" and`);
    expect(error.message.length).toBeLessThan(600);
    expect(error.message).toContain('(5018 characters)');
    const unknown = (() => {
      try {
        matchesFilter(users[0]!, parseFilter(`${'a'.repeat(3000)} eq "x"`), 'User');
      } catch (e) {
        return e as ValidationError;
      }
      return undefined;
    })();
    expect(unknown?.scimType).toBe('invalidFilter');
    expect(unknown!.message.length).toBeLessThan(400);
    expect(filterError('userName eq "a\\u0000" and\u0007').message).toContain('\\u0007');
    expect(filterError('userName eq "\\u"').message).not.toMatch(CONTROL);
  });

  it('keeps the parser\'s own description of a syntax error, with the client\'s literals', () => {
    const error = filterError('userName eq "a\\\\b" "c"');
    expect(error.message).toContain('"a\\\\b"');
    expect(error.message).not.toContain('\uE000');
  });
});
