import { describe, expect, it } from 'vitest';
import { parse } from 'smol-toml';
import { ValidationError } from '@provisioning/errors';
import { DEFAULT_PASSWORD_REGEX, DEFAULT_USERNAME_REGEX, compileUserStoreRegex, diagnoseUsernameRegex, resolveUserStoreRegexes } from './index';

const KEY = 'user_store.username_java_script_regex';

/** The guide's line, read through a real TOML parser: single quotes keep both backslashes. */
const GUIDE_TOML = String.raw`
[user_store]
username_java_script_regex = '^[a-zA-Z0-9._-]+@[a-zA-Z0-9.-]+\\.[a-zA-Z]{2,4}$'
`;
const guideRegex = (parse(GUIDE_TOML) as { user_store: { username_java_script_regex: string } }).user_store.username_java_script_regex;

function thrown(fn: () => unknown): ValidationError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error('expected a ValidationError');
}

describe('compileUserStoreRegex', () => {
  it.each([
    [DEFAULT_USERNAME_REGEX, 'kim', true],
    [DEFAULT_USERNAME_REGEX, 'ki', false],
    [DEFAULT_USERNAME_REGEX, 'has space', false],
    [DEFAULT_USERNAME_REGEX, 'x'.repeat(255), true],
    [DEFAULT_USERNAME_REGEX, 'x'.repeat(256), false],
    ['[a-z]+', 'abc', true],
    ['[a-z]+', 'abc1', false], // anchored like Java's matches()
    ['a|b', 'ab', false], // the alternation is grouped before anchoring
    ['\\p{L}{2,}', 'Ünal', true], // unicode mode
    ['[a-z]+\\@[a-z]+\\.com', 'tod@gmail.com', true], // Java-style \@ via legacy mode
  ])('%s on %j -> %s', (source, value, expected) => {
    expect(compileUserStoreRegex(KEY, source).test(value)).toBe(expected);
  });

  it.each([
    ['^[a-z', 'Unterminated character class'],
    ['(abc', 'Unterminated group'],
    ['', 'must be a non-empty regular expression'],
  ])('rejects %j naming key, value and reason', (source, reason) => {
    const error = thrown(() => compileUserStoreRegex(KEY, source));
    expect(error.message).toContain(KEY);
    expect(error.message).toContain(source === '' ? '""' : `'${source}'`);
    expect(error.message).toContain(reason);
    expect(error.details).toMatchObject({ key: KEY, value: source });
  });

  it('points Java-only syntax in *_java_regex to the JavaScript key', () => {
    const error = thrown(() => compileUserStoreRegex('user_store.username_java_regex', '(?i)[a-z]++'));
    expect(error.message).toContain('set user_store.username_java_script_regex');
  });
});

describe('resolveUserStoreRegexes', () => {
  it.each([
    [{}, DEFAULT_USERNAME_REGEX, 'user_store.username_java_script_regex', DEFAULT_PASSWORD_REGEX, 'user_store.password_java_script_regex'],
    [{ username_java_regex: 'j', password_java_regex: 'pj' }, 'j', 'user_store.username_java_regex', 'pj', 'user_store.password_java_regex'],
    [{ username_java_regex: 'j', username_java_script_regex: 'js' }, 'js', 'user_store.username_java_script_regex', DEFAULT_PASSWORD_REGEX, 'user_store.password_java_script_regex'],
  ])('picks from %j', (table, username, usernameKey, password, passwordKey) => {
    expect(resolveUserStoreRegexes(table)).toEqual({ usernameRegex: username, usernameRegexKey: usernameKey, passwordRegex: password, passwordRegexKey: passwordKey });
  });

  it('rejects a non-string value naming the key', () => {
    expect(thrown(() => resolveUserStoreRegexes({ username_java_regex: 5 })).message).toBe('Invalid user_store.username_java_regex = 5: must be a string');
  });
});

describe('diagnoseUsernameRegex', () => {
  it('reads the guide regex with two real backslashes', () => {
    expect(guideRegex).toBe('^[a-zA-Z0-9._-]+@[a-zA-Z0-9.-]+' + '\\'.repeat(2) + '.[a-zA-Z]{2,4}$');
    expect(compileUserStoreRegex(KEY, guideRegex).test('admin@wso2.com')).toBe(false);
  });

  it("explains the guide's double backslash, naming the key and the fix", () => {
    const text = diagnoseUsernameRegex(KEY, guideRegex, 'admin@wso2.com');
    expect(text).toBeDefined();
    expect(text).toContain('"admin@wso2.com" does not match user_store.username_java_script_regex');
    expect(text).toContain('a backslash followed by any character');
    expect(text).toContain(String.raw`user_store.username_java_script_regex = '^[a-zA-Z0-9._-]+@[a-zA-Z0-9.-]+\.[a-zA-Z]{2,4}$'`);
    expect(text).toContain(String.raw`user_store.username_java_script_regex = "^[a-zA-Z0-9._-]+@[a-zA-Z0-9.-]+\\.[a-zA-Z]{2,4}$"`);
    expect(text).toContain('either one accepts this username');
  });

  it('proposes fixes that really parse as TOML and accept the username', () => {
    const text = diagnoseUsernameRegex(KEY, guideRegex, 'admin@wso2.com') ?? '';
    const fixes = [...text.slice(text.indexOf('Likely fix:')).matchAll(/(user_store\.username_java_script_regex = (?:'[^']*'|"[^"]*"))/g)].map((m) => m[1]);
    expect(fixes).toHaveLength(2);
    for (const fix of fixes) {
      const value = (parse(fix) as { user_store: { username_java_script_regex: string } }).user_store.username_java_script_regex;
      expect(compileUserStoreRegex(KEY, value).test('admin@wso2.com')).toBe(true);
    }
  });

  it('says nothing when the username matches', () => {
    expect(diagnoseUsernameRegex(KEY, String.raw`^[a-zA-Z0-9._-]+@[a-zA-Z0-9.-]+\.[a-zA-Z]{2,4}$`, 'admin@wso2.com')).toBeUndefined();
  });

  it('gives a plain explanation for other mismatches', () => {
    const text = diagnoseUsernameRegex(KEY, DEFAULT_USERNAME_REGEX, 'a b');
    expect(text).toBe(
      `The username "a b" does not match ${KEY} = '^[\\S]{3,255}$'. The whole username must match the rule. Change ${KEY} so that it accepts this username, or use a username that matches it.`,
    );
  });

  it('reports a regex that does not compile', () => {
    expect(diagnoseUsernameRegex(KEY, '[', 'admin')).toContain('Invalid regular expression in user_store.username_java_script_regex');
  });
});
