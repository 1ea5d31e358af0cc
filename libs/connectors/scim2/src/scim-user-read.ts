import type { DescribedAccount, OutboundAttribute, ProvisioningOperation } from '@provisioning/connector-kit';
import { defaultSubAttribute, LIST_VALUED, parseAttributeName } from './attribute-path';
import type { ScimAttributePath } from './attribute-path';
import { buildUserResource } from './scim-user-body';

type Json = Record<string, unknown>;

/** A listed value: text, several texts (multi-valued), or null when empty. */
export type ListedValue = string | string[] | null;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A key of a resource, case-insensitively (SCIM attribute names are, RFC 7643 2.1). */
function get(object: unknown, name: string): unknown {
  if (!isObject(object)) return undefined;
  if (name in object) return object[name];
  const lower = name.toLowerCase();
  const key = Object.keys(object).find((k) => k.toLowerCase() === lower);
  return key === undefined ? undefined : object[key];
}

/** Scalars as the listing shows them: booleans as "true"/"false", numbers as text; objects and "" are empty. */
function text(value: unknown): string | null {
  if (typeof value === 'string') return value === '' ? null : value;
  if (typeof value === 'boolean' || typeof value === 'number') return String(value);
  return null;
}

function listed(values: readonly unknown[]): ListedValue {
  const texts = values.map(text).filter((v): v is string => v !== null);
  return texts.length === 0 ? null : texts.length === 1 ? texts[0]! : texts;
}

/** Where `place` (scim-user-body) writes a path, read back the same way. */
function readPath(resource: Json, path: ScimAttributePath): ListedValue {
  const container = path.schema === undefined ? resource : get(resource, path.schema);
  const value = get(container, path.attribute);
  if (!path.multiValued) return text(path.subAttribute === undefined ? value : get(value, path.subAttribute));
  const entries = Array.isArray(value) ? value.filter(isObject) : [];
  const sub = path.subAttribute ?? defaultSubAttribute(path.attribute);
  if (path.filter) {
    const { attribute, value: wanted } = path.filter;
    const matches = entries.filter((e) => {
      const v = get(e, attribute);
      return typeof v === 'string' && v.toLowerCase() === wanted.toLowerCase();
    });
    return listed(matches.map((e) => get(e, sub)));
  }
  // `roles`, `entitlements`: every entry (one per value of the multi-valued claim).
  if (path.subAttribute === undefined && LIST_VALUED.has(path.attribute)) return listed(entries.map((e) => get(e, sub)));
  // A plain multi-valued path is the primary entry (a sole entry counts: targets may drop `primary`).
  const primary = entries.find((e) => get(e, 'primary') === true) ?? (entries.length === 1 ? entries[0] : undefined);
  return primary ? text(get(primary, sub)) : null;
}

/**
 * The value of an attribute of a SCIM User, by the remote name the IdP's mappings use
 * (`name.familyName`, `emails[type eq "work"].value`, `roles`, an extension URN path): what
 * `buildUserResource` would have written there, read back. Multi-valued results are arrays; absent,
 * empty or unreadable ones (a name that is no attribute path) are null.
 */
export function readUserAttribute(resource: unknown, name: string): ListedValue {
  if (!isObject(resource)) return null;
  const path = parseAttributeName(name);
  if ('problem' in path) return null;
  return readPath(resource, path);
}

function isSendable(a: OutboundAttribute): boolean {
  if (a.name.trim().toLowerCase() === 'password') return false;
  const path = parseAttributeName(a.name);
  if ('problem' in path) return false;
  // `active` and `primary` values that are not booleans are not sent (the operation fails on them).
  const isBoolean = (path.schema === undefined && path.attribute === 'active' && !path.subAttribute) || path.subAttribute === 'primary';
  return !isBoolean || (typeof a.value === 'string' && ['true', 'false'].includes(a.value.trim().toLowerCase()));
}

/**
 * What a create of this operation leaves on the target, in the listing's terms: the SCIM User the
 * connector would send, each mapped attribute read back from it with `readUserAttribute` (so
 * `roles` become a list, booleans "true"/"false", a shorthand `emails` the primary address).
 */
export function describeUser(operation: ProvisioningOperation): DescribedAccount {
  const { resource } = buildUserResource(operation.allAttributes, { defaultUserName: operation.username });
  const attributes: Record<string, ListedValue> = {};
  for (const a of operation.allAttributes.filter(isSendable)) attributes[a.name] = readUserAttribute(resource, a.name);
  return { remoteName: String(resource.userName), attributes };
}
