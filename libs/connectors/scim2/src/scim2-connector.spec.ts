import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runConnectorContract, sampleOperation } from '@provisioning/connector-kit/testing';
import { scim2Connector } from './index';
import { startScimTarget } from './testing';
import type { RunningScimTarget } from './testing';
import { connect, properties, readPath, recorder, rejection, userAttributes } from './testing/spec-helpers';

let contractTarget: RunningScimTarget;
runConnectorContract(scim2Connector, {
  setup: async () => {
    contractTarget = await startScimTarget({ bulk: true });
  },
  teardown: async () => contractTarget.close(),
  validProperties: () => properties(contractTarget),
  target: {
    read: async (id) => contractTarget.state.user(id),
    isActive: (record) => record.active === true,
    createAttributes: () => userAttributes(),
    updateAttribute: ['name.familyName', 'Updated'],
    readAttribute: readPath,
    // The target refuses a malformed email address (400 invalidValue).
    rejectedCreateAttributes: () => userAttributes({ 'emails[type eq "work"].value': 'not an email' }),
  },
  groupTarget: {
    read: async (id) => contractTarget.state.group(id),
    displayNameOf: (record) => record.displayName as string,
    memberIdsOf: (record) => (Array.isArray(record.members) ? record.members.map((m: { value: string }) => m.value) : []),
  },
});

describe('SCIM 2.0 connector against the in-memory target', () => {
  let target: RunningScimTarget;
  beforeAll(async () => {
    target = await startScimTarget();
  });
  afterAll(async () => target.close());

  it('creates a SCIM User from attribute paths: complex, typed multi-valued, shorthand and extension', async () => {
    const attrs = userAttributes({
      phoneNumbers: '+94771234567',
      roles: ['admin', 'auditor'],
      active: 'true',
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber': '701984',
    });
    const created = await connect(target).provision(sampleOperation('create', attrs));
    expect(created).toMatchObject({ outcome: 'created', remoteName: attrs.userName });
    const user = target.state.user(created.remoteId!)!;
    expect(user).toMatchObject({
      userName: attrs.userName,
      name: { givenName: 'Kim', familyName: 'Paul' },
      emails: [{ type: 'work', value: attrs.userName }],
      phoneNumbers: [{ value: '+94771234567', primary: true }],
      roles: [{ value: 'admin' }, { value: 'auditor' }],
      active: true,
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { employeeNumber: '701984' },
    });
    expect(user.schemas).toEqual(['urn:ietf:params:scim:schemas:core:2.0:User', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User']);
  });

  it('searches by userName before creating and links to an existing user instead of duplicating (and reactivates it)', async () => {
    const attrs = userAttributes();
    const first = await connect(target).provision(sampleOperation('create', attrs));
    await connect(target).provision(sampleOperation('deprovision', {}, { remoteId: first.remoteId }));
    const { calls, record } = recorder();
    const again = await connect(target).provision(sampleOperation('create', { ...attrs, 'name.familyName': 'Relinked' }), { record });
    expect(again).toMatchObject({ outcome: 'linked', remoteId: first.remoteId });
    expect(target.state.user(first.remoteId!)).toMatchObject({ active: true, name: { familyName: 'Relinked' } });
    expect(calls.map((c) => c.method)).toEqual(['GET', 'GET', 'PATCH']);
    expect(decodeURIComponent(calls[1].path)).toContain(`filter=userName eq "${attrs.userName}"`);
    expect([...target.state.users.values()].filter((u) => u.userName === attrs.userName)).toHaveLength(1);
  });

  it('links after a 409 uniqueness conflict (the user appeared between search and create)', async () => {
    const attrs = userAttributes();
    const first = await connect(target).provision(sampleOperation('create', attrs));
    // The search misses once (as under a race), so the POST meets the 409.
    target.state.injectFault({ method: 'GET', path: /^\/Users$/, action: { type: 'status', status: 200 } });
    const connector = connect(target);
    // A 200 without a list body counts as "not found"; the create meets the 409 and links.
    const linked = await connector.provision(sampleOperation('create', attrs));
    expect(linked).toMatchObject({ outcome: 'linked', remoteId: first.remoteId });
  });

  it('updates with PATCH replace operations of the changed attributes only', async () => {
    const attrs = userAttributes();
    const created = await connect(target).provision(sampleOperation('create', attrs));
    const { calls, record } = recorder();
    const changed = { 'name.familyName': 'Changed', 'emails[type eq "home"].value': 'home@example.com' };
    const updated = await connect(target).provision(
      sampleOperation('update', changed, { remoteId: created.remoteId, allAttributes: sampleOperation('create', { ...attrs, ...changed }).allAttributes }),
      { record },
    );
    expect(updated.outcome).toBe('updated');
    const patch = calls.find((c) => c.method === 'PATCH')!;
    expect(patch.body).toEqual({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [
        { op: 'replace', path: 'name.familyName', value: 'Changed' },
        { op: 'replace', path: 'emails', value: [{ type: 'work', value: attrs.userName }, { type: 'home', value: 'home@example.com' }] },
      ],
    });
    expect(target.state.user(created.remoteId!)).toMatchObject({ name: { givenName: 'Kim', familyName: 'Changed' }, displayName: 'Kim Paul' });
  });

  it('deprovisions with PATCH active=false by default, or DELETE when configured', async () => {
    const a = await connect(target).provision(sampleOperation('create', userAttributes()));
    await connect(target).provision(sampleOperation('deprovision', {}, { remoteId: a.remoteId }));
    expect(target.state.user(a.remoteId!)?.active).toBe(false);

    const b = await connect(target).provision(sampleOperation('create', userAttributes()));
    const deleting = connect(target, { 'scim2-deprovision-mode': 'delete' });
    expect(await deleting.provision(sampleOperation('deprovision', {}, { remoteId: b.remoteId }))).toMatchObject({ outcome: 'deprovisioned' });
    expect(target.state.user(b.remoteId!)).toBeUndefined();
    expect(await deleting.provision(sampleOperation('deprovision', {}, { remoteId: b.remoteId }))).toMatchObject({ outcome: 'unchanged' });
  });

  it('finds the user by userName to deprovision when no remote id was stored', async () => {
    const attrs = userAttributes();
    const created = await connect(target).provision(sampleOperation('create', attrs));
    const gone = await connect(target).provision(sampleOperation('deprovision', attrs));
    expect(gone).toMatchObject({ outcome: 'deprovisioned', remoteId: created.remoteId });
    expect(await connect(target).provision(sampleOperation('deprovision', userAttributes()))).toMatchObject({ outcome: 'unchanged' });
  });

  it('refuses an operation it cannot express, naming every bad attribute', async () => {
    const error = await rejection(connect(target).provision(sampleOperation('create', userAttributes({ name: 'Kim Paul', active: 'yes', 'emails[type eq work]': 'x' }))));
    expect(error).toMatchObject({ kind: 'validation', code: 'SCIM2-MAPPING' });
    expect((error as Error).message).toMatch(/name: name is complex.*active: is a SCIM boolean but the user's claim gives "yes".*emails\[type eq work\]: is not a SCIM attribute path/);
  });

  it('sends the default password only when password provisioning is enabled, and never logs it', async () => {
    const { calls, record } = recorder();
    const withPassword = connect(target, { 'scim2-enable-pwd-provisioning': 'true', 'scim2-default-pwd': 'Initial-Pa55' });
    const created = await withPassword.provision(sampleOperation('create', userAttributes({ password: 'from-a-claim' })), { record });
    expect(target.state.passwordOf(created.remoteId!)).toBe('Initial-Pa55');
    expect(JSON.stringify(calls)).not.toContain('Initial-Pa55');
    expect(JSON.stringify(calls)).toContain('[REDACTED]');
    const preview = await withPassword.preview(sampleOperation('create', userAttributes()));
    expect(preview.body.password).toBe('[REDACTED]');

    const without = await connect(target).provision(sampleOperation('create', userAttributes({ password: 'from-a-claim' })));
    expect(target.state.passwordOf(without.remoteId!)).toBeUndefined();
  });

  it('previews the exact request without side effects', async () => {
    const before = target.state.users.size;
    const writes = () => target.state.requests.filter((r) => r.method !== 'GET').length;
    const writesBefore = writes();
    const connector = connect(target);
    const attrs = userAttributes({ nickname: 'kp', favouriteColour: 'blue', groups: 'admins' });
    const preview = await connector.preview(sampleOperation('create', attrs));
    expect(preview).toMatchObject({ method: 'POST', path: '/scim2/Users' });
    expect(preview.body).toMatchObject({ userName: attrs.userName, nickName: 'kp', favouriteColour: 'blue' });
    expect(preview.warnings.join('\n')).toMatch(/groups: is read-only on a SCIM User[\s\S]*favouriteColour: not a core SCIM User attribute/);
    const update = await connector.preview(sampleOperation('update', { title: 'CTO' }, { remoteId: 'abc' }));
    expect(update).toMatchObject({ method: 'PATCH', path: '/scim2/Users/abc', body: { Operations: [{ op: 'replace', path: 'title', value: 'CTO' }] } });
    expect(await connector.preview(sampleOperation('deprovision', {}, { remoteId: 'abc' }))).toMatchObject({ method: 'PATCH', body: { Operations: [{ path: 'active', value: false }] } });
    expect(target.state.users.size).toBe(before);
    expect(writes()).toBe(writesBefore);
  });

  it('tests the connection: ServiceProviderConfig, then a count=0 list that needs the credentials', async () => {
    const report = await connect(target, { 'scim2-group-ep': target.groupsUrl }).testConnection();
    expect(report.ok).toBe(true);
    expect(report.checks.map((c) => c.name)).toEqual(['service-provider-config', 'authentication', 'groups-endpoint']);
    expect(report.checks[0].detail).toMatch(/PATCH supported; filtering supported \(max 200 results\)/);
    expect(target.state.requests.at(-1)?.url).toBe('/scim2/Groups?count=0');

    const bad = await connect(target, { 'scim2-password': 'wrong' }).testConnection();
    expect(bad.ok).toBe(false);
    expect(bad.checks.find((c) => c.name === 'authentication')?.detail).toMatch(/refused the credentials \(401\).*check scim2-username and scim2-password/);
  });
});
