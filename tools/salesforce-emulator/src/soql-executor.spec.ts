import { describe, expect, it } from 'vitest';
import { EmulatorState } from './emulator-state';
import { SoqlSyntaxError, parseSoql } from './soql';
import { executeSoql } from './soql-executor';
import { insertUser } from './user-dml';
import type { FieldValues } from './validation';

function values(overrides: Record<string, string | boolean | null>): FieldValues {
  return new Map(
    Object.entries({
      LastName: 'Doe',
      Alias: 'jdoe',
      TimeZoneSidKey: 'Europe/London',
      LocaleSidKey: 'en_GB',
      EmailEncodingKey: 'UTF-8',
      ProfileId: '00e2x000001AT3y',
      LanguageLocaleKey: 'en_US',
      ...overrides,
    }),
  );
}

function seed(): EmulatorState {
  const state = new EmulatorState();
  const people: Array<[string, string, boolean]> = [
    ["o'brien@example.com", "O'Brien", true],
    ['Back\\Slash@example.com', 'Slash', true],
    ['alice@example.com', 'Alice', false],
    ['bob@example.com', 'Bob', true],
  ];
  for (const [username, lastName, active] of people) {
    const outcome = insertUser(state, values({ Username: username, Email: 'x@example.com', LastName: lastName, IsActive: active }));
    if (!outcome.ok) throw new Error(outcome.error.message);
  }
  return state;
}

function run(state: EmulatorState, soql: string) {
  return executeSoql(parseSoql(soql), state.dataSource, (type, id) => `/sobjects/${type}/${id}`);
}

function usernames(state: EmulatorState, soql: string): unknown[] {
  return run(state, soql).records.map((r) => r.Username);
}

function semanticError(state: EmulatorState, soql: string): SoqlSyntaxError {
  try {
    run(state, soql);
  } catch (err) {
    if (err instanceof SoqlSyntaxError) return err;
    throw err;
  }
  throw new Error('expected an error');
}

describe('executeSoql', () => {
  const state = seed();

  it('compares usernames case-insensitively and honours escapes', () => {
    expect(usernames(state, "SELECT Username FROM User WHERE Username = 'O\\'BRIEN@example.com'")).toEqual(["o'brien@example.com"]);
    expect(usernames(state, "SELECT Username FROM User WHERE Username = 'back\\\\slash@example.com'")).toEqual(['Back\\Slash@example.com']);
  });

  it('filters booleans, IN, LIKE, OR and NOT', () => {
    expect(usernames(state, 'SELECT Username FROM User WHERE IsActive = false')).toEqual(['alice@example.com']);
    expect(usernames(state, "SELECT Username FROM User WHERE Username IN ('ALICE@example.com', 'bob@example.com')")).toEqual(['alice@example.com', 'bob@example.com']);
    expect(usernames(state, "SELECT Username FROM User WHERE Username LIKE 'b%'")).toEqual(['Back\\Slash@example.com', 'bob@example.com']);
    expect(usernames(state, "SELECT Username FROM User WHERE (LastName = 'Bob' OR LastName = 'Alice') AND IsActive = true")).toEqual(['bob@example.com']);
    expect(usernames(state, "SELECT Username FROM User WHERE NOT Username LIKE '%example.com'")).toEqual([]);
  });

  it('orders, limits and offsets', () => {
    expect(usernames(state, 'SELECT Username FROM User ORDER BY LastName DESC LIMIT 2')).toEqual(['Back\\Slash@example.com', "o'brien@example.com"]);
    expect(usernames(state, 'SELECT Username FROM User ORDER BY LastName LIMIT 2 OFFSET 1')).toEqual(['bob@example.com', "o'brien@example.com"]);
  });

  it('projects relationship fields and attributes', () => {
    const [record] = run(state, "SELECT Id, Profile.Name FROM User WHERE LastName = 'Bob'").records;
    expect(record).toMatchObject({ attributes: { type: 'User' }, Profile: { attributes: { type: 'Profile' }, Name: 'Chatter Free User' } });
    expect(Object.keys(record)).toEqual(['attributes', 'Id', 'Profile']);
  });

  it('counts with COUNT()', () => {
    expect(run(state, 'SELECT COUNT() FROM User WHERE IsActive = true')).toEqual({ totalSize: 3, records: [] });
  });

  it('queries UserLogin by UserId and Profile by name', () => {
    const bob = state.usersByUsername('BOB@example.com')!;
    const logins = run(state, `SELECT Id, IsFrozen FROM UserLogin WHERE UserId = '${bob.Id.slice(0, 15)}'`).records;
    expect(logins).toHaveLength(1);
    expect(logins[0].IsFrozen).toBe(false);
    expect(run(state, "SELECT Id FROM Profile WHERE Name = 'chatter free user'").records[0].Id).toBe('00e2x000001AT3yAAG');
  });

  it('answers Salesforce error codes for semantic problems', () => {
    expect(semanticError(state, 'SELECT Id FROM Account').errorCode).toBe('INVALID_TYPE');
    expect(semanticError(state, 'SELECT Nope FROM User').errorCode).toBe('INVALID_FIELD');
    expect(semanticError(state, "SELECT Id FROM User WHERE IsActive = 'true'").errorCode).toBe('INVALID_QUERY_FILTER_OPERATOR');
    expect(semanticError(state, 'SELECT Id FROM User WHERE Username = 5').errorCode).toBe('INVALID_QUERY_FILTER_OPERATOR');
    expect(semanticError(state, "SELECT Id FROM User WHERE Id = 'abc'").message).toContain('invalid ID field: abc');
    expect(semanticError(state, 'SELECT Id FROM User OFFSET 2001').errorCode).toBe('NUMBER_OUTSIDE_VALID_RANGE');
  });
});
