import { findKey } from './json-values';
import { scimError } from './scim-errors';
import type { ScimResource } from './schema-types';

/** A resource without its password, and the password if there was one. */
export interface ExtractedPassword {
  readonly resource: ScimResource;
  readonly password?: string;
}

/**
 * Takes the `password` attribute (any case) out of a resource, so that it can be hashed and never
 * stored in or returned with the resource (RFC 7643 4.1.1: writeOnly, returned never). The input is
 * not changed. A non-string password throws `ValidationError` scimType `invalidValue`.
 */
export function extractPassword(resource: Readonly<ScimResource>): ExtractedPassword {
  const key = findKey(resource, 'password');
  if (key === undefined) return { resource: { ...resource } };
  const { [key]: password, ...rest } = resource;
  if (password === null || password === undefined) return { resource: rest };
  if (typeof password !== 'string') throw scimError('invalidValue', '"password" must be a string');
  return { resource: rest, password };
}
