import { localClaimUri } from './local-claims';
import type { ClaimValue } from './outbound-attributes';
import { bool, distinctValues, field, items, ofType, path, preferred, text, valued } from './scim-values';
import type { ScimItem } from './scim-values';

/** SCIM 2.0 core User schema; also the WSO2 claim dialect URI of its attributes. */
export const SCIM2_DIALECT = 'urn:ietf:params:scim:schemas:core:2.0:User';
/** SCIM 2.0 attributes common to every resource (id, externalId, meta). */
export const SCIM2_CORE_DIALECT = 'urn:ietf:params:scim:schemas:core:2.0';
/** SCIM 2.0 enterprise User extension. */
export const SCIM2_ENTERPRISE_DIALECT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
/** SCIM 1.0 enterprise extension; read as a fallback because WSO2's guide speaks SCIM 1.0. */
const SCIM1_ENTERPRISE_SCHEMA = 'urn:scim:schemas:extension:enterprise:1.0';

type ScimMultiValued = ReadonlyArray<string | Readonly<Record<string, unknown>>>;

/**
 * What `scimUserToLocalClaims` reads: a SCIM 2.0 User, loosely typed on purpose because SCIM 1.0
 * shapes (`"emails": ["kim@wso2.com"]`) and extension objects must be tolerated. Parsed JSON
 * (`Record<string, unknown>`) is accepted as is.
 */
export interface ScimUserLike {
  readonly schemas?: readonly string[];
  readonly id?: string;
  readonly externalId?: string;
  readonly userName?: string;
  readonly name?: Readonly<{
    formatted?: string;
    familyName?: string;
    givenName?: string;
    middleName?: string;
    honorificPrefix?: string;
    honorificSuffix?: string;
  }>;
  readonly displayName?: string;
  readonly nickName?: string;
  readonly profileUrl?: string;
  readonly title?: string;
  readonly userType?: string;
  readonly preferredLanguage?: string;
  readonly locale?: string;
  readonly timezone?: string;
  readonly active?: boolean | string;
  readonly emails?: ScimMultiValued;
  readonly phoneNumbers?: ScimMultiValued;
  readonly ims?: ScimMultiValued;
  readonly photos?: ScimMultiValued;
  readonly addresses?: ScimMultiValued;
  readonly groups?: ScimMultiValued;
  readonly roles?: ScimMultiValued;
  readonly entitlements?: ScimMultiValued;
  readonly [attribute: string]: unknown;
}

/**
 * One row of a SCIM dialect: which local claim a SCIM attribute lands in and how its value is
 * chosen. Published so the admin API can list the dialect and people can see the rules.
 */
export interface ScimClaimMapping {
  /** WSO2-style claim URI in the SCIM dialect: `<schema URN>:<attribute path>`. */
  readonly claimURI: string;
  readonly dialectURI: string;
  readonly mappedLocalClaim: string;
  /** How the value is selected from the SCIM resource. */
  readonly rule: string;
  /** Server-assigned (id, meta.*): ignored on input unless explicitly asked for. */
  readonly readOnly: boolean;
}

interface Source {
  readonly user: unknown;
  readonly enterprise: unknown;
}

interface Row extends ScimClaimMapping {
  readonly extract: (source: Source) => ClaimValue | undefined;
}

function row(
  dialectURI: string,
  attribute: string,
  mappedLocalClaim: string,
  rule: string,
  extract: (source: Source) => ClaimValue | undefined,
  readOnly = false,
): Row {
  return { claimURI: `${dialectURI}:${attribute}`, dialectURI, mappedLocalClaim, rule, readOnly, extract };
}

const simple = (attribute: string, claim: string): Row =>
  row(SCIM2_DIALECT, attribute, claim, `${attribute} as is`, ({ user }) => text(path(user, attribute)));

const enterprise = (attribute: string, claim: string): Row =>
  row(SCIM2_ENTERPRISE_DIALECT, attribute, claim, `enterprise extension ${attribute} as is`, ({ user, enterprise: ext }) =>
    text(path(ext, attribute)) ?? text(field(user, `${SCIM2_ENTERPRISE_DIALECT}:${attribute}`)),
  );

const meta = (attribute: string, claim: string): Row =>
  row(SCIM2_CORE_DIALECT, attribute, claim, `${attribute} (server-assigned)`, ({ user }) => text(path(user, attribute)), true);

const typed = (attribute: 'emails' | 'phoneNumbers', type: string, claim: string): Row =>
  row(SCIM2_DIALECT, `${attribute}.${type}`, claim, `value of the ${attribute} entry of type "${type}" (primary one first)`, ({ user }) =>
    ofType(valued(field(user, attribute)), type)?.value,
  );

const address = (part: string, claim: string): Row =>
  row(SCIM2_DIALECT, `addresses.${part}`, claim, `${part} of the primary address, else the "work" address, else the first`, ({ user }) =>
    text(field(preferred(items(field(user, 'addresses')), 'work')?.object, part)),
  );

const roleNames = (list: readonly ScimItem[], prefer: 'value' | 'display'): Array<string | undefined> =>
  list.map((i) => (prefer === 'value' ? (i.value ?? i.display) : (i.display ?? i.value)));

const claim = localClaimUri;

const ROWS: readonly Row[] = [
  simple('userName', claim('username')),
  simple('name.givenName', claim('givenname')),
  simple('name.familyName', claim('lastname')),
  simple('name.formatted', claim('fullname')),
  simple('name.middleName', claim('middleName')),
  simple('name.honorificPrefix', claim('honorificPrefix')),
  simple('name.honorificSuffix', claim('honorificSuffix')),
  simple('displayName', claim('displayName')),
  simple('nickName', claim('nickname')),
  simple('profileUrl', claim('url')),
  simple('title', claim('title')),
  simple('userType', claim('userType')),
  simple('preferredLanguage', claim('preferredLanguage')),
  simple('locale', claim('locale')),
  simple('timezone', claim('timeZone')),
  row(SCIM2_DIALECT, 'active', claim('active'), 'active as "true"/"false"', ({ user }) => {
    const active = bool(field(user, 'active'));
    return active === undefined ? undefined : String(active);
  }),
  row(SCIM2_DIALECT, 'active', claim('identity/accountDisabled'), 'the inverse of active, as "true"/"false"', ({ user }) => {
    const active = bool(field(user, 'active'));
    return active === undefined ? undefined : String(!active);
  }),
  row(SCIM2_DIALECT, 'emails', claim('emailaddress'), 'value of the primary email, else of the first email (plain strings accepted)', ({ user }) =>
    preferred(valued(field(user, 'emails')))?.value,
  ),
  typed('emails', 'work', claim('emails.work')),
  typed('emails', 'home', claim('emails.home')),
  typed('emails', 'other', claim('emails.other')),
  typed('phoneNumbers', 'mobile', claim('mobile')),
  typed('phoneNumbers', 'work', claim('telephone')),
  typed('phoneNumbers', 'home', claim('otherphone')),
  typed('phoneNumbers', 'fax', claim('phoneNumbers.fax')),
  typed('phoneNumbers', 'pager', claim('phoneNumbers.pager')),
  typed('phoneNumbers', 'other', claim('phoneNumbers.other')),
  row(SCIM2_DIALECT, 'ims', claim('im'), 'value of the primary im, else the first', ({ user }) => preferred(valued(field(user, 'ims')))?.value),
  row(SCIM2_DIALECT, 'photos', claim('photourl'), 'value of the primary photo, else the first of type "photo", else the first', ({ user }) =>
    preferred(valued(field(user, 'photos')), 'photo')?.value,
  ),
  address('formatted', claim('addresses')),
  address('streetAddress', claim('streetaddress')),
  address('locality', claim('locality')),
  address('region', claim('region')),
  address('postalCode', claim('postalcode')),
  address('country', claim('country')),
  row(SCIM2_DIALECT, 'roles', claim('role'), 'role names: roles (value, else display) then groups (display, else value), distinct, as a list', ({ user }) =>
    distinctValues([...roleNames(items(field(user, 'roles')), 'value'), ...roleNames(items(field(user, 'groups')), 'display')]),
  ),
  row(SCIM2_DIALECT, 'groups', claim('groups'), 'group names (display, else value), distinct, as a list', ({ user }) =>
    distinctValues(roleNames(items(field(user, 'groups')), 'display')),
  ),
  row(SCIM2_DIALECT, 'entitlements', claim('entitlements'), 'entitlement values (else display), distinct, as a list', ({ user }) =>
    distinctValues(roleNames(items(field(user, 'entitlements')), 'value')),
  ),
  enterprise('employeeNumber', claim('employeeNumber')),
  enterprise('costCenter', claim('costCenter')),
  enterprise('organization', claim('organization')),
  enterprise('division', claim('division')),
  enterprise('department', claim('department')),
  enterprise('manager.value', claim('manager.value')),
  enterprise('manager.displayName', claim('manager.displayName')),
  row(SCIM2_CORE_DIALECT, 'externalId', claim('externalid'), 'externalId as is', ({ user }) => text(field(user, 'externalId'))),
  meta('id', claim('userid')),
  meta('meta.created', claim('created')),
  meta('meta.lastModified', claim('modified')),
  meta('meta.resourceType', claim('resourceType')),
  meta('meta.location', claim('location')),
];

/** The SCIM 2.0 dialects (core, User, enterprise) as a table: SCIM attribute -> local claim. */
export const SCIM2_CLAIM_MAPPINGS: readonly ScimClaimMapping[] = ROWS.map(
  ({ claimURI, dialectURI, mappedLocalClaim, rule, readOnly }) => ({ claimURI, dialectURI, mappedLocalClaim, rule, readOnly }),
);

/** Options of {@link scimUserToLocalClaims}. */
export interface ScimToLocalOptions {
  /** Also map server-assigned attributes (id, meta.*), e.g. when reading a stored resource. */
  readonly includeReadOnly?: boolean;
}

/**
 * The local claim values of a SCIM User, following {@link SCIM2_CLAIM_MAPPINGS}. Absent and empty
 * attributes yield no claim (never an empty string); the role claim carries only roles and groups
 * present in the resource, never an implicit "everyone" role.
 */
export function scimUserToLocalClaims(user: ScimUserLike, options: ScimToLocalOptions = {}): Record<string, ClaimValue> {
  const source: Source = {
    user,
    enterprise: field(user, SCIM2_ENTERPRISE_DIALECT) ?? field(user, SCIM1_ENTERPRISE_SCHEMA),
  };
  const claims: Record<string, ClaimValue> = {};
  for (const r of ROWS) {
    if (r.readOnly && options.includeReadOnly !== true) continue;
    const value = r.extract(source);
    if (value !== undefined) claims[r.mappedLocalClaim] = value;
  }
  return claims;
}

/** The local claims that hold several values (lists): roles, groups, entitlements. */
export const MULTI_VALUED_LOCAL_CLAIMS: ReadonlySet<string> = new Set([claim('role'), claim('groups'), claim('entitlements')]);

/**
 * Local claims as stored (`users.claims`, job payloads), read once where they are parsed: values
 * stay as they are, except that a multi-valued claim written by an earlier version as one
 * comma-joined text is split back into its values (what that version meant by it).
 */
export function readLocalClaims(stored: unknown): Record<string, ClaimValue> {
  const claims: Record<string, ClaimValue> = {};
  if (typeof stored !== 'object' || stored === null || Array.isArray(stored)) return claims;
  for (const [uri, value] of Object.entries(stored as Record<string, unknown>)) {
    if (typeof value === 'string') {
      claims[uri] = MULTI_VALUED_LOCAL_CLAIMS.has(uri) ? value.split(',').map((v) => v.trim()).filter((v) => v !== '') : value;
    } else if (Array.isArray(value)) {
      claims[uri] = value.filter((v): v is string => typeof v === 'string');
    }
  }
  return claims;
}
