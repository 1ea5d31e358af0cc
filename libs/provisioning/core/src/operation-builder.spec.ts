import { describe, expect, it } from 'vitest';
import { buildGroupOperation, buildUserOperation } from './operation-builder';
import { ROLE_CLAIM } from './outbox';

const idp = {
  claims: {
    mappings: [
      { idpClaim: 'LastName', localClaim: { uri: 'http://wso2.org/claims/lastname' } },
      { idpClaim: 'ProfileId', localClaim: { uri: ROLE_CLAIM } },
    ],
    provisioningClaims: [{ claim: { uri: 'LastName' }, defaultValue: 'Unknown' }, { claim: { uri: 'ProfileId' }, defaultValue: '00eDEFAULT' }],
  },
  roles: { mappings: [{ idpRole: '00eSALES', localRole: 'Sales' }], outboundProvisioningRoles: [] },
};
const base = { localId: 'u1', username: 'kim@wso2.com', tenant: 'carbon.super' };

describe('buildUserOperation', () => {
  it('maps roles through the IdP role mappings and claims through the dialect, defaults filling gaps', () => {
    const op = buildUserOperation({ ...base, operation: 'create', claims: { 'http://wso2.org/claims/lastname': 'Paul', [ROLE_CLAIM]: ['Sales'] } }, idp, undefined);
    expect(op.kind).toBe('create');
    expect(op.attributes.map((a) => [a.name, a.value])).toEqual([['LastName', 'Paul'], ['ProfileId', ['00eSALES']]]);
    const unmapped = buildUserOperation({ ...base, operation: 'create', claims: { [ROLE_CLAIM]: ['Staff'] } }, idp, undefined);
    expect(unmapped.attributes.map((a) => [a.name, a.value, a.source])).toEqual([['LastName', 'Unknown', 'default'], ['ProfileId', '00eDEFAULT', 'default']]);
  });

  it('turns an update without a remote account into a create, and sends only what changed otherwise', () => {
    const input = { ...base, operation: 'update' as const, claims: { 'http://wso2.org/claims/lastname': 'Paula', [ROLE_CLAIM]: ['Sales'] }, changedClaims: ['http://wso2.org/claims/lastname'] };
    expect(buildUserOperation(input, idp, undefined).kind).toBe('create');
    const update = buildUserOperation(input, idp, '005X');
    expect(update).toMatchObject({ kind: 'update', remoteId: '005X' });
    expect(update.attributes.map((a) => a.name)).toEqual(['LastName']);
    expect(buildUserOperation({ ...input, resendAll: true }, idp, '005X').attributes.map((a) => a.name)).toEqual(['LastName', 'ProfileId']);
  });

  describe('role mappings naming a field (entitlement lists)', () => {
    const entitled = {
      ...idp,
      roles: {
        outboundProvisioningRoles: [],
        mappings: [
          { idpRole: '00eSALES', localRole: 'Sales' },
          { idpRole: 'Sales_Ops', localRole: 'Sales', field: 'PermissionSets' },
          { idpRole: 'API_Only', localRole: 'Integrations', field: 'PermissionSets' },
          { idpRole: 'Sales_Ops', localRole: 'Ops', field: 'PermissionSets' },
          { idpRole: 'SalesRep', localRole: 'Sales', field: 'ProfileId' },
        ],
      },
    };
    const attribute = (op: { allAttributes: Array<{ name: string }> }, name: string) => op.allAttributes.find((a) => a.name === name);

    it("gives each named field the list the user's roles give it, with every value the mappings manage; other fields are not fed by them", () => {
      const op = buildUserOperation({ ...base, operation: 'create', claims: { [ROLE_CLAIM]: ['sales', 'Ops'] } }, entitled, undefined);
      expect(attribute(op, 'PermissionSets')).toEqual({ name: 'PermissionSets', value: ['Sales_Ops'], source: 'user', localClaim: ROLE_CLAIM, managedValues: ['Sales_Ops', 'API_Only'] });
      // ProfileId: the fielded value first, then what the role claim's mapping gives; Sales_Ops never reaches it.
      expect(attribute(op, 'ProfileId')).toMatchObject({ value: ['SalesRep', '00eSALES'], managedValues: ['SalesRep'] });
    });

    it("says 'none of them' with an empty list, or the field's default when it has one", () => {
      const op = buildUserOperation({ ...base, operation: 'create', claims: { [ROLE_CLAIM]: ['Staff'] } }, entitled, undefined);
      expect(attribute(op, 'PermissionSets')).toMatchObject({ value: [], managedValues: ['Sales_Ops', 'API_Only'] });
      expect(attribute(op, 'ProfileId')).toMatchObject({ value: '00eDEFAULT', source: 'default', managedValues: ['SalesRep', '00eDEFAULT'] });
    });

    it('resends the whole lists in an update whose roles changed, and leaves them out otherwise', () => {
      const claims = { 'http://wso2.org/claims/lastname': 'Paul', [ROLE_CLAIM]: ['Integrations'] };
      const roleChange = buildUserOperation({ ...base, operation: 'update', claims, changedClaims: [ROLE_CLAIM] }, entitled, '005X');
      expect(roleChange.attributes.map((a) => [a.name, a.value])).toEqual([['ProfileId', '00eDEFAULT'], ['PermissionSets', ['API_Only']]]);
      const nameChange = buildUserOperation({ ...base, operation: 'update', claims, changedClaims: ['http://wso2.org/claims/lastname'] }, entitled, '005X');
      expect(nameChange.attributes.map((a) => a.name)).toEqual(['LastName']);
    });
  });

  it('sends no attributes with a deprovision', () => {
    expect(buildUserOperation({ ...base, operation: 'deprovision', claims: {} }, idp, '005X')).toMatchObject({ kind: 'deprovision', attributes: [] });
  });
});

describe('buildGroupOperation', () => {
  const member = (n: number) => ({ localId: `u${n}`, username: `user${n}` });
  const job = { operation: 'update' as const, localId: 'g1', tenant: 'carbon.super', outcomeUnknown: false, group: { displayName: 'eng', members: [member(1), member(2)], added: [member(2)], removed: [member(3)] } };
  const facts = { provisioned: new Map([['u1', 'r1'], ['u2', 'r2']]), known: new Map([['u1', 'r1'], ['u2', 'r2'], ['u3', 'r3']]), pending: new Set<string>() };

  it('waits while a member without a remote account still has an open job', () => {
    expect(buildGroupOperation(job, { ...facts, provisioned: new Map([['u1', 'r1']]), pending: new Set(['u2']) }, 'G')).toEqual({ kind: 'waiting-for-members', members: ['u2'] });
  });

  it('sends deltas with remote ids, removed members by any known id', () => {
    const built = buildGroupOperation(job, facts, 'G');
    expect(built.kind === 'operation' && built.operation).toMatchObject({
      kind: 'update',
      remoteId: 'G',
      addedMembers: [{ localId: 'u2', remoteId: 'r2' }],
      removedMembers: [{ localId: 'u3', remoteId: 'r3' }],
    });
  });

  it('replaces the whole membership after a lost delta', () => {
    const built = buildGroupOperation(job, { ...facts, previousState: 'failed' }, 'G');
    expect(built.kind === 'operation' && built.operation).toMatchObject({ replaceMembers: true, addedMembers: [{ localId: 'u1' }, { localId: 'u2' }] });
    expect(buildGroupOperation(job, facts, undefined)).toMatchObject({ operation: { kind: 'create' } });
  });
});
