/** The URI of WSO2's local claim dialect; every other dialect maps onto claims of this one. */
export const LOCAL_CLAIM_DIALECT = 'http://wso2.org/claims';

/**
 * One claim of the local dialect, with WSO2's default user-store attribute.
 * The attribute is only a default: administrators remap it (for example `username` -> `mail`
 * when email addresses are usernames), which is why the admin API exposes it as editable.
 */
export interface LocalClaim {
  readonly claimURI: string;
  readonly displayName: string;
  readonly description: string;
  /** Default attribute of the PRIMARY user store that stores the claim. */
  readonly mappedAttribute: string;
  /** Shown on profile screens by default (WSO2 `SupportedByDefault`). */
  readonly supportedByDefault: boolean;
  /** Set by the server only (ids, timestamps); SCIM clients cannot write it. */
  readonly readOnly: boolean;
  /** Holds several values joined with ',' (WSO2's multi-attribute separator). */
  readonly multiValued: boolean;
}

type ClaimFlag = 'default' | 'readOnly' | 'multi';

function local<N extends string>(
  name: N,
  displayName: string,
  mappedAttribute: string,
  description: string,
  flags: readonly ClaimFlag[] = [],
): LocalClaim & { readonly claimURI: `http://wso2.org/claims/${N}` } {
  return {
    claimURI: `http://wso2.org/claims/${name}`,
    displayName,
    description,
    mappedAttribute,
    supportedByDefault: flags.includes('default'),
    readOnly: flags.includes('readOnly'),
    multiValued: flags.includes('multi'),
  };
}

/**
 * WSO2's local claims (claim-config.xml), covering every claim the SCIM 2.0 core and enterprise
 * dialects map to and every claim the Salesforce guide borrows. Order is display order.
 */
export const LOCAL_CLAIMS = [
  local('username', 'Username', 'uid', 'Username; map it to mail when email addresses are usernames', ['default']),
  local('givenname', 'First Name', 'givenName', 'Given name', ['default']),
  local('lastname', 'Last Name', 'sn', 'Family name', ['default']),
  local('fullname', 'Full Name', 'cn', 'Full (formatted) name'),
  local('middleName', 'Middle Name', 'middleName', 'Middle name'),
  local('honorificPrefix', 'Honorific Prefix', 'honorificPrefix', 'Title before the name, e.g. Ms.'),
  local('honorificSuffix', 'Honorific Suffix', 'honorificSuffix', 'Suffix after the name, e.g. III'),
  local('nickname', 'Nick Name', 'nickName', 'Casual name'),
  local('displayName', 'Display Name', 'displayName', 'Name shown to end users'),
  local('emailaddress', 'Email', 'mail', 'Primary email address', ['default']),
  local('emails.work', 'Emails - Work Email', 'workEmail', 'Work email address'),
  local('emails.home', 'Emails - Home Email', 'homeEmail', 'Home email address'),
  local('emails.other', 'Emails - Other Email', 'otherEmail', 'Other email address'),
  local('telephone', 'Telephone', 'telephoneNumber', 'Work telephone number', ['default']),
  local('mobile', 'Mobile', 'mobile', 'Mobile number', ['default']),
  local('otherphone', 'Other Phone', 'homePhone', 'Home / other phone number'),
  local('phoneNumbers', 'Phone Numbers', 'phoneNumbers', 'All phone numbers', ['multi']),
  local('phoneNumbers.home', 'Phone Numbers - Home Phone Number', 'homePhone', 'Home phone (shares homePhone with otherphone)'),
  local('phoneNumbers.work', 'Phone Numbers - Work Phone Number', 'workPhone', 'Work phone'),
  local('phoneNumbers.fax', 'Phone Numbers - Fax Number', 'faxNumber', 'Fax number'),
  local('phoneNumbers.pager', 'Phone Numbers - Pager Number', 'pager', 'Pager number'),
  local('phoneNumbers.other', 'Phone Numbers - Other', 'otherPhoneNumber', 'Other phone number'),
  local('organization', 'Organization', 'organizationName', 'Organization'),
  local('title', 'Job Title', 'title', 'Job title'),
  local('department', 'Department', 'departmentNumber', 'Department'),
  local('division', 'Division', 'division', 'Division'),
  local('costCenter', 'Cost Center', 'costCenter', 'Cost center'),
  local('employeeNumber', 'Employee Number', 'employeeNumber', 'Employee number'),
  local('manager.value', 'Manager - Id', 'manager', "Manager's user id"),
  local('manager.displayName', 'Manager - Display Name', 'managerDisplayName', "Manager's display name"),
  local('addresses', 'Address', 'addresses', 'Formatted postal address'),
  local('streetaddress', 'Address - Street', 'streetAddress', 'Street address'),
  local('locality', 'Locality', 'localityName', 'City or locality'),
  local('region', 'Region', 'region', 'State or region'),
  local('postalcode', 'Postal Code', 'postalCode', 'Postal code'),
  local('country', 'Country', 'country', 'Country', ['default']),
  local('im', 'IM', 'im', 'Instant messaging address'),
  local('url', 'URL', 'url', 'Profile URL'),
  local('photourl', 'Photo URL', 'photoUrl', 'Photo URL'),
  local('gender', 'Gender', 'gender', 'Gender'),
  local('dob', 'Birth Date', 'dateOfBirth', 'Date of birth'),
  local('preferredLanguage', 'Preferred Language', 'preferredLanguage', 'Preferred written or spoken language'),
  local('locale', 'Locale', 'locale', 'Locale for localising values (WSO2 5.x named this claim "local")'),
  local('timeZone', 'Time Zone', 'timeZone', 'Time zone (IANA name)'),
  local('userType', 'User Type', 'userType', 'Relationship to the organisation, e.g. Employee'),
  local('primaryChallengeQuestion', 'Primary Challenge Question', 'primaryChallengeQuestion', 'Primary challenge question'),
  local('challengeQuestion1', 'Challenge Question 1', 'firstChallenge', 'First challenge question'),
  local('challengeQuestion2', 'Challenge Question 2', 'secondChallenge', 'Second challenge question'),
  local('role', 'Role', 'roles', 'Roles explicitly given to the user (no implicit everyone role)', ['multi']),
  local('groups', 'Groups', 'groups', 'Groups the user belongs to', ['multi']),
  local('entitlements', 'Entitlements', 'entitlements', 'Entitlements', ['multi']),
  local('active', 'Active', 'active', 'Whether the account is active ("true"/"false")'),
  local('identity/accountDisabled', 'Account Disabled', 'accountDisabled', 'Whether the account is disabled ("true"/"false")'),
  local('externalid', 'External ID', 'externalId', 'Identifier assigned by the provisioning client'),
  local('userid', 'User ID', 'scimId', 'Server-assigned unique user id', ['readOnly']),
  local('created', 'Created Time', 'createdDate', 'When the user was created', ['readOnly']),
  local('modified', 'Last Modified Time', 'lastModifiedDate', 'When the user last changed', ['readOnly']),
  local('resourceType', 'Resource Type', 'ref', 'SCIM resource type', ['readOnly']),
  local('location', 'Location', 'location', 'SCIM resource location', ['readOnly']),
] as const;

/** The URI of a built-in local claim; lets callers name claims without typos. */
export type LocalClaimUri = (typeof LOCAL_CLAIMS)[number]['claimURI'];

/** The short name of a built-in local claim (the URI without `http://wso2.org/claims/`). */
export type LocalClaimName = LocalClaimUri extends `http://wso2.org/claims/${infer N}` ? N : never;

const byUri: ReadonlyMap<string, LocalClaim> = new Map(LOCAL_CLAIMS.map((c) => [c.claimURI, c]));

/** Type-checked local claim URI from its short name, e.g. `localClaimUri('emailaddress')`. */
export function localClaimUri<N extends LocalClaimName>(name: N): `http://wso2.org/claims/${N}` {
  return `${LOCAL_CLAIM_DIALECT}/${name}`;
}

/** The built-in local claim with exactly this URI (claim URIs are case-sensitive), if any. */
export function findLocalClaim(uri: string): LocalClaim | undefined {
  return byUri.get(uri);
}
