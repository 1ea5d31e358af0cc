/**
 * Inserts and updates of User and UserLogin records with the org-level rules (profiles, unique
 * usernames and nicknames, licences) on top of the field checks in validation.ts.
 */
import { salesforceTimestamp } from './emulator-state';
import type { EmulatorState, UserLoginRecord, UserRecord } from './emulator-state';
import { IdGenerator, KEY_PREFIX, toId18 } from './ids';
import { dmlError } from './salesforce-error';
import { USER_LOGIN_SCHEMA, USER_SCHEMA, findField } from './schema';
import type { DmlError, FieldValue } from './types';
import { validateRecord } from './validation';
import type { FieldValues } from './validation';

/** Outcome of one record operation. */
export type DmlOutcome = { ok: true; id: string } | { ok: false; error: DmlError };

/** Undo steps of a collection call, so that allOrNone can roll everything back. */
export class Journal {
  private readonly steps: Array<() => void> = [];

  record(undo: () => void): void {
    this.steps.push(undo);
  }

  rollback(): void {
    for (const undo of this.steps.reverse()) undo();
    this.steps.length = 0;
  }
}

const DUPLICATE_USERNAME_MESSAGE =
  'Duplicate Username.<br>The username already exists in this or another Salesforce organization. Usernames must be unique across all Salesforce organizations. To resolve, use a different username (it doesn\'t need to match the user\'s email address).';

const fail = (error: DmlError): DmlOutcome => ({ ok: false, error });

/** A reference field checked on write: the key prefix its ids must have and whether the record exists. */
export interface ReferenceRule {
  field: string;
  label: string;
  prefix: string;
  exists(state: EmulatorState, id18: string): boolean;
}

const USER_REFERENCES: readonly ReferenceRule[] = [
  { field: 'ProfileId', label: 'Profile ID', prefix: KEY_PREFIX.Profile, exists: (state, id) => state.profiles.has(id) },
  { field: 'UserRoleId', label: 'Role ID', prefix: KEY_PREFIX.UserRole, exists: (state, id) => state.roles.has(id) },
  { field: 'ManagerId', label: 'Manager ID', prefix: KEY_PREFIX.User, exists: (state, id) => state.users.has(id) || id === state.apiUserId },
];

/**
 * Checks reference field values: a well-formed id of the right object (else INVALID_CROSS_REFERENCE_KEY
 * "id value of incorrect type") that exists (else INVALID_CROSS_REFERENCE_KEY "invalid cross reference
 * id"); normalises them to 18 characters.
 */
export function checkReferences(state: EmulatorState, values: FieldValues, rules: readonly ReferenceRule[]): DmlError | undefined {
  for (const rule of rules) {
    const raw = values.get(rule.field);
    if (typeof raw !== 'string') continue;
    const id18 = toId18(raw);
    if (!id18 || !id18.startsWith(rule.prefix)) {
      return dmlError('INVALID_CROSS_REFERENCE_KEY', `${rule.label}: id value of incorrect type: ${raw}`, [rule.field]);
    }
    if (!rule.exists(state, id18)) return dmlError('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id', [rule.field]);
    values.set(rule.field, id18);
  }
  return undefined;
}

function checkUniqueness(state: EmulatorState, values: FieldValues, exceptUserId?: string): DmlError | undefined {
  const username = values.get('Username');
  if (typeof username === 'string' && state.isUsernameTaken(username, exceptUserId)) {
    return dmlError('DUPLICATE_USERNAME', DUPLICATE_USERNAME_MESSAGE, ['Username']);
  }
  const nickname = values.get('CommunityNickname');
  if (typeof nickname === 'string' && state.isNicknameTaken(nickname, exceptUserId)) {
    return dmlError('DUPLICATE_COMM_NICKNAME', 'The nickname you entered is already in use. Enter a different nickname.', ['CommunityNickname']);
  }
  return undefined;
}

function licenceExceeded(): DmlError {
  return dmlError('LICENSE_LIMIT_EXCEEDED', 'License Limit Exceeded', []);
}

function generateNickname(state: EmulatorState, username: string): string {
  const base = (username.split('@')[0] ?? 'user').replace(/[^A-Za-z0-9._-]/g, '').slice(0, 30) || 'user';
  if (!state.isNicknameTaken(base)) return base;
  for (let n = 1; ; n++) {
    const candidate = `${base}${n}`;
    if (!state.isNicknameTaken(candidate)) return candidate;
  }
}

function isBooleanField(name: string): boolean {
  return findField(USER_SCHEMA, name)?.type === 'boolean';
}

function fullName(record: Record<string, FieldValue>): string {
  return [record.FirstName, record.LastName].filter((p) => typeof p === 'string' && p !== '').join(' ');
}

function userTypeFor(state: EmulatorState, profileId: string): string {
  return state.profiles.get(profileId)?.UserType === 'CsnOnly' ? 'CsnOnly' : 'Standard';
}

/** Creates a user (and its UserLogin) from validated-for-type body values. */
export function insertUser(state: EmulatorState, values: FieldValues, journal?: Journal): DmlOutcome {
  if (values.has('Id')) return fail(dmlError('INVALID_FIELD_FOR_INSERT_UPDATE', 'cannot specify Id in an insert call', ['Id']));
  const error =
    validateRecord(USER_SCHEMA, values, 'create') ?? checkReferences(state, values, USER_REFERENCES) ?? checkUniqueness(state, values);
  if (error) return fail(error);
  const active = values.get('IsActive') !== false;
  if (active && state.activeUserCount() >= state.options.licenses) return fail(licenceExceeded());

  const now = salesforceTimestamp();
  const draft: Record<string, FieldValue> = {};
  for (const field of USER_SCHEMA.fields) draft[field.name] = field.type === 'boolean' ? false : null;
  for (const [name, value] of values) draft[name] = isBooleanField(name) ? value === true : value;
  const id = IdGenerator.next(KEY_PREFIX.User);
  const username = String(draft.Username);
  const record: UserRecord = {
    ...draft,
    Id: id,
    Username: username,
    LastName: String(draft.LastName),
    Email: String(draft.Email),
    Alias: String(draft.Alias),
    CommunityNickname: typeof draft.CommunityNickname === 'string' ? draft.CommunityNickname : generateNickname(state, username),
    IsActive: active,
    ProfileId: String(draft.ProfileId),
    Name: fullName(draft),
    UserType: userTypeFor(state, String(draft.ProfileId)),
    CreatedDate: now,
    CreatedById: state.apiUserId,
    LastModifiedDate: now,
    LastModifiedById: state.apiUserId,
    SystemModstamp: now,
  };
  state.putUser(record);
  const login: UserLoginRecord = {
    Id: IdGenerator.next(KEY_PREFIX.UserLogin),
    UserId: id,
    IsFrozen: false,
    IsPasswordLocked: false,
    LastModifiedDate: now,
    LastModifiedById: state.apiUserId,
  };
  state.putUserLogin(login);
  journal?.record(() => state.removeUser(id));
  return { ok: true, id };
}

/** Drops an `Id` in the body when it names the record being updated (clients often echo it). */
function dropOwnId(values: FieldValues, id: string): void {
  const bodyId = values.get('Id');
  if (typeof bodyId === 'string' && toId18(bodyId) === id) values.delete('Id');
}

/** Updates an existing user (by 18-character id) with the given body values. */
export function updateUser(state: EmulatorState, id: string, values: FieldValues, journal?: Journal): DmlOutcome {
  const existing = state.users.get(id);
  if (!existing) return fail(dmlError('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id', []));
  dropOwnId(values, id);
  const error =
    validateRecord(USER_SCHEMA, values, 'update') ?? checkReferences(state, values, USER_REFERENCES) ?? checkUniqueness(state, values, id);
  if (error) return fail(error);
  const reactivating = values.get('IsActive') === true && !existing.IsActive;
  if (reactivating && state.activeUserCount() >= state.options.licenses) return fail(licenceExceeded());

  const now = salesforceTimestamp();
  const next: UserRecord = { ...existing };
  for (const [name, value] of values) {
    next[name] = isBooleanField(name) ? value === true : value;
  }
  if (values.has('CommunityNickname') && values.get('CommunityNickname') === null) {
    next.CommunityNickname = generateNickname(state, next.Username);
  }
  next.Name = fullName(next);
  next.UserType = userTypeFor(state, next.ProfileId);
  next.LastModifiedDate = now;
  next.LastModifiedById = state.apiUserId;
  next.SystemModstamp = now;
  state.putUser(next);
  journal?.record(() => state.putUser(existing));
  return { ok: true, id };
}

/** Updates a UserLogin (only `IsFrozen` is writable). */
export function updateUserLogin(state: EmulatorState, id: string, values: FieldValues, journal?: Journal): DmlOutcome {
  const existing = state.userLogins.get(id);
  if (!existing) return fail(dmlError('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id', []));
  dropOwnId(values, id);
  const error = validateRecord(USER_LOGIN_SCHEMA, values, 'update');
  if (error) return fail(error);
  const next: UserLoginRecord = { ...existing };
  if (values.has('IsFrozen')) next.IsFrozen = values.get('IsFrozen') === true;
  next.LastModifiedDate = salesforceTimestamp();
  next.LastModifiedById = state.apiUserId;
  state.putUserLogin(next);
  journal?.record(() => state.putUserLogin(existing));
  return { ok: true, id };
}
