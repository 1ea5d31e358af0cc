import { describe, expect, it } from 'vitest';
import { MULTI_VALUED_LOCAL_CLAIMS, SCIM2_ENTERPRISE_DIALECT, computeOutboundAttributes, readLocalClaims, scimUserToLocalClaims } from './index';
import type { ScimUserLike } from './index';
import { GUIDE_SCIM_USER } from './testing';

const C = 'http://wso2.org/claims/';
/** Parsed JSON of any shape, as the SCIM layer hands it over. */
const json = (value: Record<string, unknown>): ScimUserLike => value;

describe('scimUserToLocalClaims', () => {
  it('maps the guide user (SCIM 1.0 URN, plain-string email) without inventing a role', () => {
    expect(scimUserToLocalClaims(GUIDE_SCIM_USER)).toEqual({
      [`${C}username`]: 'kim@wso2.com',
      [`${C}lastname`]: 'paul',
      [`${C}emailaddress`]: 'kim@wso2.com',
      [`${C}entitlements`]: ['00e2x000001AT3y'],
    });
  });

  it('maps a full SCIM 2.0 user with the enterprise extension', () => {
    const claims = scimUserToLocalClaims({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', SCIM2_ENTERPRISE_DIALECT],
      externalId: 'ext-1',
      userName: 'bjensen@example.com',
      name: { formatted: 'Ms. Barbara J Jensen III', familyName: 'Jensen', givenName: 'Barbara', middleName: 'Jane', honorificPrefix: 'Ms.', honorificSuffix: 'III' },
      displayName: 'Babs Jensen',
      nickName: 'Babs',
      profileUrl: 'https://login.example.com/bjensen',
      title: 'Tour Guide',
      userType: 'Employee',
      preferredLanguage: 'en-US',
      locale: 'en-US',
      timezone: 'America/Los_Angeles',
      active: true,
      emails: [
        { value: 'bjensen@example.com', type: 'work', primary: true },
        { value: 'babs@jensen.org', type: 'home' },
      ],
      phoneNumbers: [
        { value: '555-555-5555', type: 'work' },
        { value: '555-555-4444', type: 'mobile' },
        { value: '555-555-3333', type: 'home' },
        { value: '555-555-2222', type: 'fax' },
      ],
      ims: [{ value: 'someaimhandle', type: 'aim' }],
      photos: [
        { value: 'https://photos.example.com/thumb.jpg', type: 'thumbnail' },
        { value: 'https://photos.example.com/photo.jpg', type: 'photo' },
      ],
      addresses: [
        { type: 'home', streetAddress: '456 Hollywood Blvd', locality: 'Hollywood', region: 'CA', postalCode: '91608', country: 'US' },
        { type: 'work', streetAddress: '100 Universal City Plaza', locality: 'Hollywood', region: 'CA', postalCode: '91608', country: 'USA', formatted: '100 Universal City Plaza\nHollywood, CA 91608 USA' },
      ],
      roles: [{ value: 'admin' }, { display: 'auditor' }],
      groups: [{ value: 'e9e30dba-f08f-4109-8486-d5c6a331660a', display: 'Tour Guides' }, { value: 'g2', display: 'admin' }],
      [SCIM2_ENTERPRISE_DIALECT]: {
        employeeNumber: '701984',
        costCenter: '4130',
        organization: 'Universal Studios',
        division: 'Theme Park',
        department: 'Tour Operations',
        manager: { value: '26118915-6090-4610-87e4-49d8ca9f808d', displayName: 'John Smith' },
      },
    });
    expect(claims).toEqual({
      [`${C}username`]: 'bjensen@example.com',
      [`${C}givenname`]: 'Barbara',
      [`${C}lastname`]: 'Jensen',
      [`${C}fullname`]: 'Ms. Barbara J Jensen III',
      [`${C}middleName`]: 'Jane',
      [`${C}honorificPrefix`]: 'Ms.',
      [`${C}honorificSuffix`]: 'III',
      [`${C}displayName`]: 'Babs Jensen',
      [`${C}nickname`]: 'Babs',
      [`${C}url`]: 'https://login.example.com/bjensen',
      [`${C}title`]: 'Tour Guide',
      [`${C}userType`]: 'Employee',
      [`${C}preferredLanguage`]: 'en-US',
      [`${C}locale`]: 'en-US',
      [`${C}timeZone`]: 'America/Los_Angeles',
      [`${C}active`]: 'true',
      [`${C}identity/accountDisabled`]: 'false',
      [`${C}emailaddress`]: 'bjensen@example.com',
      [`${C}emails.work`]: 'bjensen@example.com',
      [`${C}emails.home`]: 'babs@jensen.org',
      [`${C}telephone`]: '555-555-5555',
      [`${C}mobile`]: '555-555-4444',
      [`${C}otherphone`]: '555-555-3333',
      [`${C}phoneNumbers.fax`]: '555-555-2222',
      [`${C}im`]: 'someaimhandle',
      [`${C}photourl`]: 'https://photos.example.com/photo.jpg',
      [`${C}addresses`]: '100 Universal City Plaza\nHollywood, CA 91608 USA',
      [`${C}streetaddress`]: '100 Universal City Plaza',
      [`${C}locality`]: 'Hollywood',
      [`${C}region`]: 'CA',
      [`${C}postalcode`]: '91608',
      [`${C}country`]: 'USA',
      [`${C}role`]: ['admin', 'auditor', 'Tour Guides'],
      [`${C}groups`]: ['Tour Guides', 'admin'],
      [`${C}employeeNumber`]: '701984',
      [`${C}costCenter`]: '4130',
      [`${C}organization`]: 'Universal Studios',
      [`${C}division`]: 'Theme Park',
      [`${C}department`]: 'Tour Operations',
      [`${C}manager.value`]: '26118915-6090-4610-87e4-49d8ca9f808d',
      [`${C}manager.displayName`]: 'John Smith',
      [`${C}externalid`]: 'ext-1',
    });
  });

  it.each([
    ['primary wins', [{ value: 'a@x.com', type: 'home' }, { value: 'b@x.com', type: 'work', primary: true }], 'b@x.com'],
    ['else the first', [{ value: 'a@x.com', type: 'home' }, { value: 'b@x.com', type: 'work' }], 'a@x.com'],
    ['plain strings (SCIM 1.0)', ['first@x.com', 'second@x.com'], 'first@x.com'],
    ['a lone object', { value: 'solo@x.com' }, 'solo@x.com'],
    ['primary given as a string', [{ value: 'a@x.com' }, { value: 'b@x.com', primary: 'true' }], 'b@x.com'],
    ['empty values skipped', [{ value: '' }, '  ', 'c@x.com'], 'c@x.com'],
  ])('chooses emailaddress: %s', (_label, emails, expected) => {
    expect(scimUserToLocalClaims(json({ userName: 'u', emails }))[`${C}emailaddress`]).toBe(expected);
  });

  it.each([
    ['primary address', [{ type: 'home', locality: 'A' }, { type: 'work', locality: 'B' }, { type: 'other', locality: 'C', primary: true }], 'C'],
    ['else work', [{ type: 'home', locality: 'A' }, { type: 'work', locality: 'B' }], 'B'],
    ['else first', [{ type: 'home', locality: 'A' }, { type: 'other', locality: 'C' }], 'A'],
  ])('chooses the address: %s', (_label, addresses, expected) => {
    expect(scimUserToLocalClaims({ addresses })[`${C}locality`]).toBe(expected);
  });

  it.each([
    [false, 'false', 'true'],
    ['FALSE', 'false', 'true'],
    ['true', 'true', 'false'],
  ])('maps active=%j to active=%s, accountDisabled=%s', (active, activeClaim, disabled) => {
    const claims = scimUserToLocalClaims({ active });
    expect(claims[`${C}active`]).toBe(activeClaim);
    expect(claims[`${C}identity/accountDisabled`]).toBe(disabled);
  });

  it('leaves out absent, empty and non-scalar values, and never adds a role', () => {
    const claims = scimUserToLocalClaims(json({ userName: 'u', displayName: '', nickName: '   ', title: { x: 1 }, active: 'maybe', roles: [], groups: [] }));
    expect(claims).toEqual({ [`${C}username`]: 'u' });
  });

  it('reads attribute names case-insensitively and the fully qualified extension form', () => {
    const claims = scimUserToLocalClaims({
      USERNAME: 'kim',
      Name: { GivenName: 'Kim' },
      PhoneNumbers: [{ Value: '+1 555', Type: 'Mobile' }],
      [`${SCIM2_ENTERPRISE_DIALECT}:employeeNumber`]: 42,
    });
    expect(claims).toEqual({
      [`${C}username`]: 'kim',
      [`${C}givenname`]: 'Kim',
      [`${C}mobile`]: '+1 555',
      [`${C}employeeNumber`]: '42',
    });
  });

  it('reads the SCIM 1.0 enterprise extension', () => {
    const claims = scimUserToLocalClaims({ 'urn:scim:schemas:extension:enterprise:1.0': { department: 'Sales' } });
    expect(claims[`${C}department`]).toBe('Sales');
  });

  it('ignores server-assigned attributes unless asked', () => {
    const user = { id: 'abc', meta: { created: '2024-01-01T00:00:00Z', resourceType: 'User' }, userName: 'u' };
    expect(scimUserToLocalClaims(user)).toEqual({ [`${C}username`]: 'u' });
    expect(scimUserToLocalClaims(user, { includeReadOnly: true })).toEqual({
      [`${C}username`]: 'u',
      [`${C}userid`]: 'abc',
      [`${C}created`]: '2024-01-01T00:00:00Z',
      [`${C}resourceType`]: 'User',
    });
  });
});

describe('the claim model: multi-valued claims are lists', () => {
  it('keeps a role whose name has a comma as one value, from SCIM to the outbound attribute', () => {
    const claims = scimUserToLocalClaims({ userName: 'kim', roles: [{ value: 'Sales, EMEA' }, { value: 'staff' }] });
    expect(claims[`${C}role`]).toEqual(['Sales, EMEA', 'staff']);
    const attributes = computeOutboundAttributes(claims, { mappings: [{ idpClaim: 'roles', localClaim: { uri: `${C}role` } }], provisioningClaims: [] });
    expect(attributes).toEqual([{ name: 'roles', value: ['Sales, EMEA', 'staff'], source: 'user', localClaim: `${C}role` }]);
  });

  it('reads stored claims once: lists stay lists, and a multi-valued claim an earlier version comma-joined is split back', () => {
    expect(readLocalClaims({ [`${C}role`]: 'admin, auditor,,Tour Guides', [`${C}lastname`]: 'Smith, Jr.' })).toEqual({
      [`${C}role`]: ['admin', 'auditor', 'Tour Guides'],
      // Single-valued claims are never split.
      [`${C}lastname`]: 'Smith, Jr.',
    });
    expect(readLocalClaims({ [`${C}groups`]: ['a, b'], [`${C}x`]: 5 })).toEqual({ [`${C}groups`]: ['a, b'] });
    expect(readLocalClaims(null)).toEqual({});
    expect([...MULTI_VALUED_LOCAL_CLAIMS].sort()).toEqual([`${C}entitlements`, `${C}groups`, `${C}role`]);
  });

  it('counts an empty list as no value, so the default applies', () => {
    const config = { mappings: [{ idpClaim: 'ProfileId', localClaim: { uri: `${C}role` } }], provisioningClaims: [{ claim: { uri: 'ProfileId' }, defaultValue: '00eDEFAULT' }] };
    expect(computeOutboundAttributes({ [`${C}role`]: [] }, config)).toEqual([{ name: 'ProfileId', value: '00eDEFAULT', source: 'default', localClaim: `${C}role` }]);
    expect(computeOutboundAttributes({ [`${C}role`]: [' ', '00eX'] }, config)[0]!.value).toEqual(['00eX']);
  });
});
