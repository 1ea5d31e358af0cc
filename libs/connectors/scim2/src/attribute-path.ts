/** RFC 7643 schema URNs the connector knows by name. */
export const CORE_USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const ENTERPRISE_USER_SCHEMA = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

/** Core User attributes (RFC 7643 4.1), in their canonical spelling. */
const CORE_ATTRIBUTES = [
  'userName', 'name', 'displayName', 'nickName', 'profileUrl', 'title', 'userType', 'preferredLanguage', 'locale', 'timezone',
  'active', 'password', 'emails', 'phoneNumbers', 'ims', 'photos', 'addresses', 'groups', 'entitlements', 'roles',
  'x509Certificates', 'externalId', 'id', 'meta', 'schemas',
];
const ENTERPRISE_ATTRIBUTES = ['employeeNumber', 'costCenter', 'organization', 'division', 'department', 'manager'];
const SUB_ATTRIBUTES = [
  'formatted', 'familyName', 'givenName', 'middleName', 'honorificPrefix', 'honorificSuffix', 'value', 'display', 'type',
  'primary', 'streetAddress', 'locality', 'region', 'postalCode', 'country', '$ref',
];
/** Multi-valued core attributes: a plain value is shorthand for one entry (see `defaultSubAttribute`). */
const MULTI_VALUED = new Set(['emails', 'phoneNumbers', 'ims', 'photos', 'addresses', 'groups', 'entitlements', 'roles', 'x509Certificates']);
/** Multi-valued attributes that carry a multi-valued claim: one entry per value of the list (roles, entitlements). */
export const LIST_VALUED = new Set(['roles', 'entitlements']);
/** Complex single-valued attributes that make no sense as one string. */
const COMPLEX = new Set(['name']);
/** Attributes a client never writes: server-assigned, or managed through Group membership. */
const READ_ONLY: Record<string, string> = {
  id: 'is assigned by the SCIM target',
  meta: 'is maintained by the SCIM target',
  schemas: 'is set by the connector',
  groups: 'is read-only on a SCIM User; membership is provisioned through group operations',
};

/** Where one outbound attribute goes in a SCIM User. */
export interface ScimAttributePath {
  /** Extension schema URN, e.g. the enterprise User; absent for core attributes. */
  schema?: string;
  /** Top-level attribute, canonical spelling for known ones (`userName`, `emails`). */
  attribute: string;
  /** `[type eq "work"]`: the entry of a multi-valued attribute to write into. */
  filter?: { attribute: string; value: string };
  subAttribute?: string;
  multiValued: boolean;
  /** A core or enterprise attribute this connector knows (unknown ones are sent as they are). */
  known: boolean;
}

const PATH = /^([A-Za-z][\w$-]*)(?:\[\s*([A-Za-z][\w$-]*)\s+eq\s+"((?:[^"\\]|\\.)*)"\s*\])?(?:\.([A-Za-z$][\w$-]*))?$/i;

function canonical(name: string, known: readonly string[]): string | undefined {
  const lower = name.toLowerCase();
  return known.find((k) => k.toLowerCase() === lower);
}

/** Splits `urn:...:User:attr...` into schema and path; the path starts after the last colon before any `[`. */
function splitSchema(name: string): { schema?: string; path: string } {
  if (!/^urn:/i.test(name)) return { path: name };
  const bracket = name.indexOf('[');
  const head = bracket < 0 ? name : name.slice(0, bracket);
  const colon = head.lastIndexOf(':');
  const schema = name.slice(0, colon);
  const path = name.slice(colon + 1);
  if (schema.toLowerCase() === CORE_USER_SCHEMA.toLowerCase()) return { path };
  return { schema: schema.toLowerCase() === ENTERPRISE_USER_SCHEMA.toLowerCase() ? ENTERPRISE_USER_SCHEMA : schema, path };
}

/**
 * Reads an outbound attribute name as a SCIM attribute path (RFC 7644 3.10, restricted to what maps
 * one value to one place): `userName`, `name.familyName`, `emails` (shorthand for the primary entry),
 * `emails[type eq "work"].value`, `addresses[type eq "work"].locality`, and any of these behind an
 * extension schema URN (`urn:...:enterprise:2.0:User:employeeNumber`). Returns the reason when the
 * name cannot be placed.
 */
export function parseAttributeName(name: string): ScimAttributePath | { problem: string } {
  const { schema, path } = splitSchema(name.trim());
  const match = PATH.exec(path);
  if (!match) {
    return { problem: 'is not a SCIM attribute path (expected attr, attr.sub, attr[type eq "work"].sub, optionally behind an extension schema URN)' };
  }
  const [, rawAttribute, filterAttribute, filterValue, rawSub] = match;
  const knownList = schema === undefined ? CORE_ATTRIBUTES : schema === ENTERPRISE_USER_SCHEMA ? ENTERPRISE_ATTRIBUTES : [];
  const attribute = canonical(rawAttribute, knownList) ?? rawAttribute;
  const known = canonical(rawAttribute, knownList) !== undefined;
  const multiValued = schema === undefined && MULTI_VALUED.has(attribute);
  if (schema === undefined && READ_ONLY[attribute]) return { problem: READ_ONLY[attribute] };
  if (filterAttribute !== undefined && !multiValued) return { problem: `${attribute} is not a multi-valued attribute: a [filter] applies only to emails, phoneNumbers, addresses and the like` };
  if (schema === undefined && COMPLEX.has(attribute) && rawSub === undefined) {
    return { problem: `${attribute} is complex: use ${attribute}.givenName, ${attribute}.familyName, ${attribute}.formatted ...` };
  }
  // The enterprise manager is complex; `manager` alone means its `value` (the manager's id).
  const managerValue = schema === ENTERPRISE_USER_SCHEMA && attribute === 'manager' && rawSub === undefined;
  const subAttribute = managerValue ? 'value' : rawSub === undefined ? undefined : (canonical(rawSub, SUB_ATTRIBUTES) ?? rawSub);
  return {
    ...(schema === undefined ? {} : { schema }),
    attribute,
    ...(filterAttribute === undefined ? {} : { filter: { attribute: canonical(filterAttribute, SUB_ATTRIBUTES) ?? filterAttribute, value: filterValue.replace(/\\(.)/g, '$1') } }),
    ...(subAttribute === undefined ? {} : { subAttribute }),
    multiValued,
    known,
  };
}

/** The sub-attribute a plain value of a multi-valued attribute fills: `formatted` for addresses, else `value`. */
export function defaultSubAttribute(attribute: string): string {
  return attribute === 'addresses' ? 'formatted' : 'value';
}

/** The PATCH path of a (filterless) attribute path: `name.familyName`, `urn:...:User:employeeNumber`. */
export function patchPath(path: { schema?: string; attribute: string; subAttribute?: string }): string {
  return `${path.schema ? `${path.schema}:` : ''}${path.attribute}${path.subAttribute ? `.${path.subAttribute}` : ''}`;
}
