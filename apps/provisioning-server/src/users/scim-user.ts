import { ValidationError } from '@provisioning/errors';

export const SCIM_USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const SCIM_ENTERPRISE_SCHEMA = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
/** The SCIM 1.x core URN, which the WSO2 guide's request sends to the SCIM 2.0 endpoint. */
export const SCIM1_USER_SCHEMA = 'urn:scim:schemas:core:1.0';

const MULTI_VALUED = ['emails', 'phoneNumbers', 'ims', 'photos', 'addresses', 'entitlements', 'roles', 'x509Certificates'];
/** Attributes the server owns: ignored on input (RFC 7644 3.3: readOnly values are ignored). */
const READ_ONLY = ['id', 'meta', 'groups'];

/** A SCIM user body split into the resource to store and the password to hash. */
export interface NormalisedUser {
  resource: Record<string, unknown>;
  userName: string;
  password?: string;
}

/**
 * Normalises a SCIM User body: accepts the SCIM 1.0 core URN (rewritten to 2.0) and plain strings in
 * multi-valued attributes (`"emails": ["kim@wso2.com"]` -> `[{value, primary}]`), drops read-only
 * attributes, and takes the password out (it is never stored in the resource, never returned).
 */
export function normaliseUserInput(body: unknown): NormalisedUser {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ValidationError('Request body must be a SCIM User JSON object', { scimType: 'invalidSyntax' });
  }
  const input = { ...(body as Record<string, unknown>) };
  const schemas = input.schemas;
  if (!Array.isArray(schemas) || schemas.length === 0 || !schemas.every((s) => typeof s === 'string')) {
    throw new ValidationError(`"schemas" must list ${SCIM_USER_SCHEMA}`, { scimType: 'invalidSyntax' });
  }
  const normalisedSchemas = [...new Set(schemas.map((s: string) => (s === SCIM1_USER_SCHEMA ? SCIM_USER_SCHEMA : s)))];
  if (!normalisedSchemas.includes(SCIM_USER_SCHEMA)) {
    throw new ValidationError(`"schemas" must include ${SCIM_USER_SCHEMA} (or the SCIM 1.0 ${SCIM1_USER_SCHEMA})`, { scimType: 'invalidSyntax' });
  }
  for (const s of normalisedSchemas) {
    if (s !== SCIM_USER_SCHEMA && s !== SCIM_ENTERPRISE_SCHEMA) throw new ValidationError(`Unknown schema "${s}"`, { scimType: 'invalidSyntax' });
  }
  input.schemas = normalisedSchemas;
  for (const key of READ_ONLY) delete input[key];
  if (typeof input.userName !== 'string' || input.userName.trim() === '') {
    throw new ValidationError('"userName" is required and must be a non-empty string', { scimType: 'invalidValue' });
  }
  input.userName = input.userName.trim();
  let password: string | undefined;
  if (input.password !== undefined) {
    if (typeof input.password !== 'string') throw new ValidationError('"password" must be a string', { scimType: 'invalidValue' });
    password = input.password;
    delete input.password;
  }
  for (const key of MULTI_VALUED) {
    const value = input[key];
    if (value === undefined || value === null) continue;
    if (!Array.isArray(value)) throw new ValidationError(`"${key}" must be an array`, { scimType: 'invalidValue' });
    input[key] = value.map((item, index) => {
      if (typeof item === 'string') return { value: item, ...(key === 'emails' && index === 0 ? { primary: true } : {}) };
      if (typeof item === 'object' && item !== null && !Array.isArray(item)) return item;
      throw new ValidationError(`"${key}[${index}]" must be a string or an object`, { scimType: 'invalidValue' });
    });
  }
  if (input.active !== undefined && typeof input.active !== 'boolean') {
    throw new ValidationError('"active" must be a boolean', { scimType: 'invalidValue' });
  }
  if (input.name !== undefined && (typeof input.name !== 'object' || input.name === null || Array.isArray(input.name))) {
    throw new ValidationError('"name" must be an object', { scimType: 'invalidValue' });
  }
  return { resource: input, userName: input.userName as string, password };
}

/** The SCIM representation of a stored user. */
export function toScimUser(
  user: { id: string; resource: Record<string, unknown>; createdAt: number; updatedAt: number; version: number },
  location: string,
): Record<string, unknown> {
  return {
    ...user.resource,
    id: user.id,
    meta: {
      resourceType: 'User',
      created: new Date(user.createdAt).toISOString(),
      lastModified: new Date(user.updatedAt).toISOString(),
      location,
      version: etagOf(user.version),
    },
  };
}

export function etagOf(version: number): string {
  return `W/"${version}"`;
}
