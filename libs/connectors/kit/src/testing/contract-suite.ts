import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UpstreamRejectedError, isProvisioningError } from '@provisioning/errors';
import { connectorIdOf } from '../manifest';
import type { ConnectorDefinition, ConnectorProperties, OutboundConnector } from '../connector';
import type { ContractHarness, ContractTarget } from './contract-harness';
import { contractContext, expectKind } from './contract-harness';
import { describeAccountContract } from './account-contract';
import { describeGroupContract } from './group-contract';
import { sampleOperation } from './sample-operation';

/**
 * The rules every connector must pass before its own tests: call it from a spec file of the connector.
 * Stubs pass it too, by declaring what they do not support. See docs/connectors.md ("The contract,
 * rule by rule") for the reason behind each rule.
 */
export function runConnectorContract(definition: ConnectorDefinition, harness: ContractHarness): void {
  const { manifest } = definition;

  describe(`connector contract: ${manifest.type}`, () => {
    let properties: ConnectorProperties;
    let connector: OutboundConnector;

    beforeAll(async () => {
      await harness.setup?.();
      properties = await harness.validProperties();
      connector = definition.create(definition.parseConfig(properties), contractContext());
    });

    afterAll(async () => {
      await connector?.close();
      await harness.teardown?.();
    });

    describe('manifest', () => {
      it('has a lower-case type and the WSO2 connector id derived from it', () => {
        expect(manifest.type).toMatch(/^[a-z][a-z0-9-]*$/);
        if (manifest.wso2Name !== undefined) expect(manifest.wso2Name.toLowerCase(), 'wso2Name may differ from type in case only').toBe(manifest.type);
        expect(manifest.connectorId).toBe(connectorIdOf(manifest.wso2Name ?? manifest.type));
        expect(manifest.displayName.trim()).not.toBe('');
        expect(manifest.description.trim()).not.toBe('');
      });

      it('declares each property once, with a display name', () => {
        const keys = manifest.properties.map((p) => p.key);
        expect(new Set(keys).size).toBe(keys.length);
        for (const p of manifest.properties) expect(p.displayName.trim(), p.key).not.toBe('');
      });

      it('marks secret-typed properties confidential and gives them no default', () => {
        for (const p of manifest.properties) {
          if (p.type === 'secret') expect(p.isConfidential, p.key).toBe(true);
          if (p.isConfidential) expect(p.defaultValue, p.key).toBeUndefined();
        }
      });

      it('declares its privileged remote fields when it provisions users', () => {
        const provisions = manifest.capabilities.users.create || manifest.capabilities.users.update;
        if (!provisions) return;
        expect(Array.isArray(manifest.privilegedFields), 'a connector that provisions users must list its privileged fields (privilegedFields, [] if none)').toBe(true);
        for (const field of manifest.privilegedFields ?? []) expect(field.trim(), 'privileged field pattern').not.toBe('');
      });

      it('gives enumerations a default that is one of their options', () => {
        for (const p of manifest.properties) {
          if (p.options && p.defaultValue !== undefined) expect(p.options, p.key).toContain(p.defaultValue);
        }
      });
    });

    describe('configuration', () => {
      it('accepts the harness properties', () => {
        expect(() => definition.parseConfig(properties)).not.toThrow();
      });

      it('rejects an empty configuration naming every mandatory property', () => {
        const mandatory = manifest.properties.filter((p) => p.isMandatory && p.defaultValue === undefined);
        if (mandatory.length === 0) return;
        let message = '';
        try {
          definition.parseConfig({});
        } catch (error) {
          expect(isProvisioningError(error) && error.kind).toBe('validation');
          message = (error as Error).message;
        }
        for (const p of mandatory) expect(message, `message should name ${p.key}`).toContain(p.key);
      });

      it('rejects an unknown property by name', () => {
        expect(() => definition.parseConfig({ ...properties, 'no-such-property': 'x' })).toThrow(/no-such-property/);
      });

      it('never echoes a confidential value in an error or a serialised config', () => {
        const secrets = manifest.properties.filter((p) => p.isConfidential && properties[p.key]);
        for (const p of secrets) {
          const broken: Record<string, string> = { ...properties, 'no-such-property': 'x' };
          let message = '';
          try {
            definition.parseConfig(broken);
          } catch (error) {
            message = (error as Error).message;
          }
          const value = properties[p.key]!;
          expect(message).not.toContain(value);
          const config = definition.parseConfig(properties);
          expect(JSON.stringify(config)).not.toContain(value);
          expect(inspect(config, { depth: 10 })).not.toContain(value);
          expect(inspect(connector, { depth: 10 })).not.toContain(value);
        }
      });
    });

    describe('capabilities', () => {
      const caps = manifest.capabilities;
      it('fails undeclared user operations with the not-supported error', async () => {
        const attrs = harness.target?.createAttributes() ?? { Name: 'x' };
        if (!caps.users.create) await expectKind(connector.provision(sampleOperation('create', attrs)), 'not-supported');
        if (!caps.users.update) await expectKind(connector.provision(sampleOperation('update', attrs, { remoteId: 'r1' })), 'not-supported');
        if (!caps.users.deprovision) await expectKind(connector.provision(sampleOperation('deprovision', {}, { remoteId: 'r1' })), 'not-supported');
        if (!caps.preview) await expectKind(connector.preview(sampleOperation('create', attrs)), 'not-supported');
        if (!caps.connectionTest) await expectKind(connector.testConnection(), 'not-supported');
      });

      it('has a target for the round trip exactly when it declares user operations', () => {
        const provisions = caps.users.create || caps.users.update || caps.users.deprovision;
        expect(Boolean(harness.target), 'a connector that provisions must provide a contract target').toBe(provisions);
      });
    });

    if (harness.target && manifest.capabilities.users.create) {
      describeUserRoundTrip(definition, harness.target, () => connector);
    }
    describeGroupContract(definition, harness, () => connector);
    describeAccountContract(definition, harness, () => connector);
  });
}

function describeUserRoundTrip(definition: ConnectorDefinition, target: ContractTarget, connector: () => OutboundConnector): void {
  const { capabilities } = definition.manifest;
  const readAttribute = (record: Record<string, unknown> | undefined, name: string): unknown =>
    record === undefined ? undefined : target.readAttribute ? target.readAttribute(record, name) : record[name];

  it('round trip: create -> update -> deprovision reaches the target', async () => {
    const attrs = target.createAttributes();
    const created = await connector().provision(sampleOperation('create', attrs, { localId: `contract-${Date.now()}` }));
    expect(created.outcome).toBe('created');
    expect(created.remoteId).toBeTruthy();
    const remoteId = created.remoteId!;
    const record = await target.read(remoteId);
    expect(record).toBeDefined();
    expect(target.isActive(record!)).toBe(true);

    const [name, value] = target.updateAttribute;
    const updated = await connector().provision(sampleOperation('update', { [name]: value }, { remoteId, allAttributes: [] }));
    expect(['updated', 'unchanged']).toContain(updated.outcome);
    expect(readAttribute(await target.read(remoteId), name)).toBe(value);

    const gone = await connector().provision(sampleOperation('deprovision', {}, { remoteId }));
    expect(gone.outcome).toBe('deprovisioned');
    const after = await target.read(remoteId);
    expect(after && target.isActive(after)).toBe(false);
  });

  it('asks the engine (assertLinkable) before writing to an account it finds by lookup, and writes nothing when refused', async () => {
    const attrs = target.createAttributes();
    const existing = await connector().provision(sampleOperation('create', attrs, { localId: `owner-${Date.now()}` }));
    const remoteId = existing.remoteId!;
    const before = await target.read(remoteId);
    const [name, value] = target.updateAttribute;
    const asked: string[] = [];
    // Refuses the existing account (by id); a name alone is this test's business only below.
    const refuse = async (remote: { remoteId?: string }) => {
      if (!remote.remoteId) return;
      asked.push(remote.remoteId);
      throw new UpstreamRejectedError('the remote account belongs to another local user', { remoteCode: 'REMOTE_ACCOUNT_IN_USE' });
    };
    // A second local user whose identity maps to the same remote account.
    const other = { localId: `other-${Date.now()}`, username: 'other.user@example.com' };
    const second = await connector()
      .provision(sampleOperation('create', { ...attrs, [name]: value }, other), { assertLinkable: refuse })
      .catch((error: unknown) => error);
    if (second instanceof Error) expect((second as { remoteCode?: string }).remoteCode).toBe('REMOTE_ACCOUNT_IN_USE');
    else expect((second as { remoteId?: string }).remoteId, 'a create that succeeded must not have written to the existing account').not.toBe(remoteId);
    for (const id of asked) expect(id).toBe(remoteId);
    expect(await target.read(remoteId)).toEqual(before);
    // Deprovisioning without a stored remote id finds the account by lookup too.
    await connector()
      .provision(sampleOperation('deprovision', {}, { ...other, allAttributes: sampleOperation('create', attrs).allAttributes }), { assertLinkable: refuse })
      .catch(() => undefined);
    const after = await target.read(remoteId);
    expect(after && target.isActive(after)).toBe(true);
  });

  it('claims the remote name (assertLinkable without an id) before creating, and sends nothing when refused', async () => {
    const attrs = target.createAttributes();
    const names: string[] = [];
    let calls = 0;
    const refused = await connector()
      .provision(sampleOperation('create', attrs, { localId: `claimed-${Date.now()}` }), {
        record: () => calls++,
        assertLinkable: async (remote) => {
          if (remote.remoteId) return;
          names.push(remote.remoteName ?? '');
          throw new UpstreamRejectedError('the remote name belongs to another local user', { remoteCode: 'REMOTE_ACCOUNT_IN_USE' });
        },
      })
      .catch((error: unknown) => error);
    expect(names, 'a create must claim the remote name it is about to use').toHaveLength(1);
    expect(names[0]!.trim()).not.toBe('');
    expect((refused as { remoteCode?: string }).remoteCode).toBe('REMOTE_ACCOUNT_IN_USE');
    expect(calls, 'nothing may be sent to the target once the name is refused').toBe(0);
  });

  it('previews exactly what a create sends, without side effects', async () => {
    if (!capabilities.preview) return;
    const preview = await connector().preview(sampleOperation('create', target.createAttributes()));
    expect(preview.method).toMatch(/^(POST|PUT|PATCH)$/);
    expect(Object.keys(preview.body).length).toBeGreaterThan(0);
  });
}
