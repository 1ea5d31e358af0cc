/**
 * Field-level checks of record bodies, in the order Salesforce applies them. Request-level problems
 * (unknown fields, wrong JSON types) throw {@link SalesforceApiError}; record-level problems return a
 * {@link DmlError} so that collection calls can report them per record.
 */
import { apiError, dmlError } from './salesforce-error';
import { findField, isTextType } from './schema';
import type { FieldDef, ObjectSchema } from './schema';
import type { DmlError, FieldValue } from './types';

/** Field values from a request body, keyed by canonical field name. */
export type FieldValues = Map<string, FieldValue>;

/** Create or update: decides which fields must be writable and which must be present. */
export type WriteMode = 'create' | 'update';

const EMAIL = /^[^\s@()<>,;:"[\]]+@[^\s@()<>,;:"[\]]+\.[^\s@()<>,;:"[\]]+$/;
const USERNAME_MAX = 80;

/** Keys a client may send that are not fields: the record's own `attributes`, and `Id` (handled by the caller). */
const IGNORED_KEYS = new Set(['attributes']);

/**
 * Maps a JSON body onto the object's fields: canonical names, JSON types checked (booleans must be JSON
 * booleans, text accepts strings and numbers), empty strings become null as in Salesforce.
 * Throws 400 JSON_PARSER_ERROR for a non-object body or a wrongly typed value, and 400 INVALID_FIELD for
 * an unknown field.
 */
export function coerceFields(schema: ObjectSchema, body: unknown): FieldValues {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw apiError(400, 'JSON_PARSER_ERROR', `Cannot deserialize instance of ${schema.name} from ${Array.isArray(body) ? 'START_ARRAY' : 'VALUE_STRING'} token`);
  }
  const values: FieldValues = new Map();
  for (const [key, raw] of Object.entries(body)) {
    if (IGNORED_KEYS.has(key)) continue;
    const field = findField(schema, key);
    if (!field) throw apiError(400, 'INVALID_FIELD', `No such column '${key}' on sobject of type ${schema.name}`);
    values.set(field.name, coerceValue(field, raw));
  }
  return values;
}

function coerceValue(field: FieldDef, raw: unknown): FieldValue {
  if (raw === null) return null;
  if (field.type === 'boolean') {
    if (typeof raw === 'boolean') return raw;
    throw typeError('boolean', raw, field);
  }
  if (typeof raw === 'string') return raw === '' ? null : raw;
  if ((typeof raw === 'number' || typeof raw === 'boolean') && field.type !== 'id' && field.type !== 'reference') {
    return String(raw);
  }
  throw typeError('String', raw, field);
}

function typeError(expected: string, raw: unknown, field: FieldDef): never {
  const token =
    typeof raw === 'string' ? 'VALUE_STRING'
      : typeof raw === 'number' ? (Number.isInteger(raw) ? 'VALUE_NUMBER_INT' : 'VALUE_NUMBER_FLOAT')
        : typeof raw === 'boolean' ? `VALUE_${String(raw).toUpperCase()}`
          : Array.isArray(raw) ? 'START_ARRAY' : 'START_OBJECT';
  const shown = typeof raw === 'string' || typeof raw === 'number' || typeof raw === 'boolean' ? ` value ${String(raw)}` : '';
  throw apiError(
    400,
    'JSON_PARSER_ERROR',
    `Cannot deserialize instance of ${expected} from ${token}${shown} or request may be missing a required field (field ${field.name})`,
  );
}

/** INVALID_FIELD_FOR_INSERT_UPDATE when the body sets read-only fields. */
export function checkWritable(schema: ObjectSchema, values: FieldValues, mode: WriteMode): DmlError | undefined {
  const blocked = [...values.keys()].filter((name) => {
    const field = findField(schema, name);
    return !field || (mode === 'create' ? !field.createable : !field.updateable);
  });
  if (blocked.length === 0) return undefined;
  return dmlError(
    'INVALID_FIELD_FOR_INSERT_UPDATE',
    `Unable to create/update fields: ${blocked.join(', ')}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`,
    blocked,
  );
}

/**
 * REQUIRED_FIELD_MISSING listing every missing field: on create the required fields absent or null,
 * on update the required fields set to null.
 */
export function checkRequired(schema: ObjectSchema, values: FieldValues, mode: WriteMode): DmlError | undefined {
  const missing = schema.fields
    .filter((f) => f.required)
    .filter((f) => (mode === 'create' ? (values.get(f.name) ?? null) === null : values.has(f.name) && values.get(f.name) === null))
    .map((f) => f.name);
  if (missing.length === 0) return undefined;
  return dmlError('REQUIRED_FIELD_MISSING', `Required fields are missing: [${missing.join(', ')}]`, missing);
}

/**
 * Length, username/email shape and restricted picklist checks on the given values. Username breaks
 * Salesforce's generic length rule on purpose: anything not email-shaped or longer than 80 characters
 * is FIELD_INTEGRITY_EXCEPTION.
 */
export function checkFormats(schema: ObjectSchema, values: FieldValues): DmlError | undefined {
  for (const [name, value] of values) {
    const field = findField(schema, name);
    if (!field || typeof value !== 'string') continue;
    if (schema.name === 'User' && name === 'Username') {
      const problem = usernameProblem(value);
      if (problem) return dmlError('FIELD_INTEGRITY_EXCEPTION', problem, ['Username']);
      continue;
    }
    if (field.length !== undefined && isTextType(field.type) && field.type !== 'picklist' && value.length > field.length) {
      return dmlError('STRING_TOO_LONG', `${field.label}: data value too large: ${value} (max length=${field.length})`, [name]);
    }
  }
  for (const [name, value] of values) {
    const field = findField(schema, name);
    if (field?.type === 'email' && typeof value === 'string' && !EMAIL.test(value)) {
      return dmlError('INVALID_EMAIL_ADDRESS', `${field.label}: invalid email address: ${value}`, [name]);
    }
  }
  for (const [name, value] of values) {
    const field = findField(schema, name);
    if (field?.picklist && typeof value === 'string' && !field.picklist.includes(value)) {
      return dmlError('INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', `${field.label}: bad value for restricted picklist field: ${value}`, [name]);
    }
  }
  return undefined;
}

/** Why a username is unacceptable, or undefined when it is email-shaped and at most 80 characters. */
export function usernameProblem(username: string): string | undefined {
  if (username.length > USERNAME_MAX) {
    return `Username: the username can't be longer than ${USERNAME_MAX} characters: ${username}`;
  }
  if (!EMAIL.test(username)) {
    return `Username: invalid format. Enter the username in the form of an email address (for example, john@acme.com): ${username}`;
  }
  return undefined;
}

/** Runs the stateless record checks in Salesforce's order; the first failure wins. */
export function validateRecord(schema: ObjectSchema, values: FieldValues, mode: WriteMode): DmlError | undefined {
  return checkWritable(schema, values, mode) ?? checkRequired(schema, values, mode) ?? checkFormats(schema, values);
}
