import { describe, expect, it } from 'vitest';
import { Secret } from '@provisioning/connector-kit';
import type { ClaimValue, OutboundAttribute } from '@provisioning/connector-kit';
import { parseAttributeName, ENTERPRISE_USER_SCHEMA } from './attribute-path';
import { applyChanges, patchBody, redacted } from './scim-changes';
import { buildUserResource, userChanges } from './scim-user-body';

const attrs = (values: Record<string, ClaimValue>): OutboundAttribute[] => Object.entries(values).map(([name, value]) => ({ name, value, source: 'user', localClaim: `http://wso2.org/claims/${name}` }));

describe('attribute names as SCIM attribute paths', () => {
  it('reads simple, dotted, filtered and extension paths, canonicalising known names', () => {
    expect(parseAttributeName('username')).toMatchObject({ attribute: 'userName', known: true, multiValued: false });
    expect(parseAttributeName('name.familyname')).toMatchObject({ attribute: 'name', subAttribute: 'familyName' });
    expect(parseAttributeName('emails[type eq "work"].value')).toMatchObject({ attribute: 'emails', filter: { attribute: 'type', value: 'work' }, subAttribute: 'value', multiValued: true });
    expect(parseAttributeName('addresses[type eq "work"]')).toMatchObject({ attribute: 'addresses', filter: { value: 'work' } });
    expect(parseAttributeName('urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager')).toEqual({
      schema: ENTERPRISE_USER_SCHEMA,
      attribute: 'manager',
      subAttribute: 'value',
      multiValued: false,
      known: true,
    });
    expect(parseAttributeName('urn:ietf:params:scim:schemas:core:2.0:User:userName')).toMatchObject({ attribute: 'userName' });
    expect(parseAttributeName('urn:example:params:scim:schemas:extension:acme:2.0:User:badge')).toMatchObject({ schema: 'urn:example:params:scim:schemas:extension:acme:2.0:User', attribute: 'badge', known: false });
  });

  it('explains names it cannot place', () => {
    expect(parseAttributeName('id')).toEqual({ problem: 'is assigned by the SCIM target' });
    expect(parseAttributeName('title[type eq "x"]')).toMatchObject({ problem: expect.stringMatching(/not a multi-valued attribute/) });
    expect(parseAttributeName('a b')).toMatchObject({ problem: expect.stringMatching(/not a SCIM attribute path/) });
  });
});

describe('buildUserResource', () => {
  it('builds a SCIM User: shorthand primary entries, typed entries, lists, booleans, extensions', () => {
    const { resource, problems } = buildUserResource(
      attrs({
        userName: 'kim@example.com',
        'name.familyName': 'Paul',
        emails: 'kim@example.com',
        'emails[type eq "work"].value': 'kim@example.com',
        'emails[type eq "home"].value': 'kim@home.example',
        'addresses[type eq "work"].locality': 'Colombo',
        'addresses[type eq "work"].country': 'LK',
        // A multi-valued claim: each value one entry, duplicates once.
        entitlements: ['a', 'b', 'a'],
        'phoneNumbers[type eq "mobile"].primary': 'TRUE',
        active: 'false',
        'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department': 'Sales',
      }),
      { defaultUserName: 'ignored' },
    );
    expect(problems).toEqual([]);
    expect(resource).toEqual({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE_USER_SCHEMA],
      userName: 'kim@example.com',
      name: { familyName: 'Paul' },
      emails: [
        { type: 'work', value: 'kim@example.com', primary: true },
        { type: 'home', value: 'kim@home.example' },
      ],
      addresses: [{ type: 'work', locality: 'Colombo', country: 'LK' }],
      entitlements: [{ value: 'a' }, { value: 'b' }],
      phoneNumbers: [{ type: 'mobile', primary: true }],
      active: false,
      [ENTERPRISE_USER_SCHEMA]: { department: 'Sales' },
    });
  });

  it('falls back to the local username, drops mapped passwords, and sends the default password as a Secret', () => {
    const built = buildUserResource(attrs({ displayName: 'Kim', password: 'from-claim' }), { defaultUserName: 'kim', password: new Secret('Initial-1') });
    expect(built.resource.userName).toBe('kim');
    expect(built.resource.password).toBeInstanceOf(Secret);
    expect(redacted(built.resource).password).toBe('[REDACTED]');
    expect(built.notes.join('\n')).toMatch(/password: mapped attributes named password are never sent[\s\S]*userName: no attribute maps to it/);
  });

  it('names the claim behind a value that is not a boolean', () => {
    expect(buildUserResource(attrs({ active: '+94771234567' }), { defaultUserName: 'k' }).problems).toEqual([
      'active: is a SCIM boolean but the user\'s http://wso2.org/claims/active gives "+94771234567"',
    ]);
  });
});

describe('userChanges', () => {
  it('replaces simple attributes one by one and multi-valued ones whole, rebuilt from all attributes', () => {
    const all = attrs({ userName: 'kim', 'emails[type eq "work"].value': 'w@x', 'emails[type eq "home"].value': 'h@x', title: 'Dev' });
    const { changes, problems } = userChanges(attrs({ 'emails[type eq "home"].value': 'new@x', title: 'Lead' }), all);
    expect(problems).toEqual([]);
    expect(changes).toEqual([
      { path: 'emails', value: [{ type: 'work', value: 'w@x' }, { type: 'home', value: 'new@x' }] },
      { path: 'title', value: 'Lead' },
    ]);
    expect(patchBody(changes).Operations).toEqual([
      { op: 'replace', path: 'emails', value: [{ type: 'work', value: 'w@x' }, { type: 'home', value: 'new@x' }] },
      { op: 'replace', path: 'title', value: 'Lead' },
    ]);
  });

  it('uses extension URN paths', () => {
    const { changes } = userChanges(attrs({ 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager': 'boss-id' }), []);
    expect(changes).toEqual([{ path: `${ENTERPRISE_USER_SCHEMA}:manager.value`, value: 'boss-id' }]);
  });
});

describe('applyChanges (for targets without PATCH)', () => {
  it('sets paths case-insensitively, adds extension schemas, drops meta and keeps the rest', () => {
    const current = { id: '1', schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'kim', Name: { givenName: 'Kim' }, title: 'Dev', meta: { version: 'W/"1"' } };
    const next = applyChanges(current, [
      { path: 'name.familyName', value: 'Paul' },
      { path: `${ENTERPRISE_USER_SCHEMA}:manager.value`, value: 'boss' },
      { path: 'active', value: false },
    ]);
    expect(next).toEqual({
      id: '1',
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE_USER_SCHEMA],
      userName: 'kim',
      Name: { givenName: 'Kim', familyName: 'Paul' },
      title: 'Dev',
      active: false,
      [ENTERPRISE_USER_SCHEMA]: { manager: { value: 'boss' } },
    });
    expect(current.meta).toBeDefined();
  });
});
