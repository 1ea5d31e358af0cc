import { describe, expect, it } from 'vitest';
import { mapRoles } from './operation-builder';
import { operationForTarget, ROLE_CLAIM } from './outbox';
import type { UserChange } from './outbox';

/** Roles as a list (the role claim is multi-valued), given here separated by "|". */
const list = (roles: string) => roles.split('|');
const change = (operation: UserChange['operation'], roles: string, previous?: string): UserChange => ({
  tenant: 't',
  userId: 'u',
  username: 'kim',
  operation,
  claims: roles ? { [ROLE_CLAIM]: list(roles) } : {},
  ...(previous !== undefined ? { previousClaims: previous ? { [ROLE_CLAIM]: list(previous) } : {} } : {}),
});

describe('role-based provisioning', () => {
  it.each([
    ['no provisioning roles: every change goes out', change('create', ''), [], 'create'],
    ['create of a member', change('create', 'sales|staff'), ['Sales'], 'create'],
    ['create of a non-member is not provisioned', change('create', 'staff'), ['sales'], undefined],
    ['joining the role creates', change('update', 'sales', 'staff'), ['sales'], 'create'],
    ['leaving the last role deprovisions', change('update', 'staff', 'sales'), ['sales'], 'deprovision'],
    ['staying in the role updates', change('update', 'sales|x', 'sales'), ['sales'], 'update'],
    ['never in the role: nothing', change('update', 'staff', 'other'), ['sales'], undefined],
    ['delete of a member deprovisions', change('delete', 'sales'), ['sales'], 'deprovision'],
    ['delete of a non-member: nothing', change('delete', ''), ['sales'], undefined],
    ['a role whose name has a comma is one role', change('create', 'Sales, EMEA'), ['sales, emea'], 'create'],
    ['...and not the roles its parts would name', change('create', 'Sales, EMEA'), ['sales'], undefined],
    ['delete of an inactive user without roles still deprovisions', { ...change('delete', ''), claims: { 'http://wso2.org/claims/active': 'false' } }, [], 'deprovision'],
    ['deactivation deprovisions', { ...change('update', ''), claims: { 'http://wso2.org/claims/active': 'false' }, previousClaims: { 'http://wso2.org/claims/active': 'true' } }, [], 'deprovision'],
    ['reactivation creates (relinks)', { ...change('update', ''), claims: { 'http://wso2.org/claims/active': 'true' }, previousClaims: { 'http://wso2.org/claims/active': 'false' } }, [], 'create'],
    ['an inactive user is not created', { ...change('create', ''), claims: { 'http://wso2.org/claims/active': 'false' } }, [], undefined],
  ])('%s', (_name, c, roles, expected) => {
    expect(operationForTarget(c, roles)).toBe(expected);
  });

  it('maps local roles to IdP roles and drops unmapped ones', () => {
    const mappings = [{ localRole: 'sales', idpRole: '00e2x000001AT3y' }];
    expect(mapRoles({ [ROLE_CLAIM]: ['Sales', 'staff'] }, mappings)).toEqual({ [ROLE_CLAIM]: ['00e2x000001AT3y'] });
    expect(mapRoles({ [ROLE_CLAIM]: ['staff'] }, mappings)).toEqual({});
    expect(mapRoles({ [ROLE_CLAIM]: ['staff'] }, [])).toEqual({ [ROLE_CLAIM]: ['staff'] });
    // Mapped IdP roles keep commas in their names; mapping order decides the first.
    expect(mapRoles({ [ROLE_CLAIM]: ['Sales, EMEA', 'staff'] }, [{ localRole: 'staff', idpRole: 'Staff, all' }, { localRole: 'sales, emea', idpRole: 'EMEA' }])).toEqual({ [ROLE_CLAIM]: ['Staff, all', 'EMEA'] });
  });
});
