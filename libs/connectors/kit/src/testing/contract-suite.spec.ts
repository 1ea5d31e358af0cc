import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { connectorIdOf } from '../manifest';
import { parseProperties } from '../config-schema';
import { UpstreamRejectedError } from '@provisioning/errors';
import { provisionOneByOne } from '../accounts';
import { notSupported, unsupportedConnector } from '../not-supported';
import { secretProperty } from '../secret';
import type { ConnectorDefinition, OutboundConnector } from '../connector';
import type { ConnectorManifest } from '../manifest';
import { runConnectorContract } from './index';

// The suite run against itself: an in-memory connector that declares everything (groups included), and
// a stub that declares nothing, so a change to a rule is exercised on both sides before any real
// connector meets it.

type Row = Record<string, unknown>;
const users = new Map<string, Row>();
const groups = new Map<string, { displayName: string; members: string[] }>();

const manifest: ConnectorManifest = {
  type: 'memory',
  connectorId: connectorIdOf('memory'),
  displayName: 'Memory',
  description: 'In-memory connector that exercises the contract suite.',
  capabilities: { users: { create: true, update: true, deprovision: true }, groups: true, passwords: false, preview: true, connectionTest: true, listAccounts: true, batch: { maxOperations: 3 } },
  privilegedFields: ['role*'],
  properties: [
    { key: 'memory-token', displayName: 'Token', type: 'secret', isMandatory: true, isConfidential: true },
    { key: 'memory-mode', displayName: 'Mode', type: 'string', isMandatory: false, isConfidential: false, options: ['A', 'B'], defaultValue: 'A' },
  ],
};
const schema = z.object({ 'memory-token': secretProperty, 'memory-mode': z.enum(['A', 'B']) });

function memoryConnector(): OutboundConnector {
  const connector: OutboundConnector = {
    async provision(operation, options = {}) {
      const values = Object.fromEntries(operation.attributes.map((a) => [a.name, a.value]));
      if (operation.kind === 'create') {
        await options.assertLinkable?.({ remoteName: String(values.userName ?? operation.username) });
        if (values.userName === '') throw new UpstreamRejectedError('userName is required', { remoteCode: 'REQUIRED' });
        const id = randomUUID();
        users.set(id, { ...values, active: true });
        return { outcome: 'created', remoteId: id };
      }
      const row = users.get(operation.remoteId ?? '');
      if (!row) throw notSupported(manifest, operation.kind);
      if (operation.kind === 'update') Object.assign(row, values, operation.reactivate ? { active: true } : {});
      else row.active = false;
      return { outcome: operation.kind === 'update' ? 'updated' : 'deprovisioned', remoteId: operation.remoteId };
    },
    async preview(operation) {
      return { method: 'POST', path: '/users', body: Object.fromEntries(operation.allAttributes.map((a) => [a.name, a.value])), warnings: [] };
    },
    async testConnection() {
      return { ok: true, checks: [] };
    },
    async provisionGroup(operation) {
      const id = operation.remoteId ?? randomUUID();
      const members = operation.members.flatMap((m) => (m.remoteId ? [m.remoteId] : []));
      if (operation.kind === 'delete') {
        groups.delete(id);
        return { outcome: 'deleted', remoteId: id };
      }
      groups.set(id, { displayName: operation.displayName, members });
      return { outcome: operation.kind === 'create' ? 'created' : 'updated', remoteId: id };
    },
    describeAccount(operation) {
      const values = Object.fromEntries(operation.allAttributes.map((a) => [a.name, a.value]));
      return { remoteName: String(values.userName ?? operation.username), attributes: values };
    },
    async listAccounts(request) {
      const all = [...users.entries()];
      const start = Number(request.cursor ?? 0);
      const end = start + 2; // small pages, so the suite follows cursors
      const accounts = all.slice(start, end).map(([remoteId, row]) => ({
        remoteId,
        remoteName: String(row.userName),
        active: row.active === true,
        attributes: Object.fromEntries(request.fields.map((f) => [f, row[f] === undefined ? null : String(row[f])])),
      }));
      return { accounts, ...(end < all.length ? { cursor: String(end) } : {}) };
    },
    async provisionBatch(operations, options = {}) {
      return provisionOneByOne(operations, (operation, index) =>
        connector.provision(operation, { ...(options.assertLinkable ? { assertLinkable: (remote) => options.assertLinkable!(index, remote) } : {}) }),
      );
    },
    async close() {},
  };
  return connector;
}

const memory: ConnectorDefinition<z.output<typeof schema>> = {
  manifest,
  parseConfig: (properties) => parseProperties(manifest, schema, properties),
  create: () => memoryConnector(),
};

let counter = 0;
runConnectorContract(memory as ConnectorDefinition, {
  validProperties: () => ({ 'memory-token': 'memory-token-value' }),
  target: {
    read: async (id) => users.get(id),
    isActive: (row) => row.active === true,
    createAttributes: () => ({ userName: `user${(counter += 1)}` }),
    updateAttribute: ['title', 'Updated'],
    rejectedCreateAttributes: () => ({ userName: '' }),
  },
  groupTarget: {
    read: async (id) => groups.get(id),
    displayNameOf: (row) => row.displayName as string,
    memberIdsOf: (row) => row.members as string[],
  },
});

const stubManifest: ConnectorManifest = { ...manifest, type: 'memory-stub', connectorId: connectorIdOf('memory-stub'), capabilities: { ...manifest.capabilities, users: { create: false, update: false, deprovision: false }, groups: false, preview: false, connectionTest: false, listAccounts: false, batch: undefined } };
runConnectorContract(
  {
    manifest: stubManifest,
    parseConfig: (properties) => parseProperties(stubManifest, schema, properties),
    create: () => ({ ...unsupportedConnector(stubManifest), provisionGroup: async (op) => Promise.reject(notSupported(stubManifest, `group ${op.kind}`)) }),
  },
  { validProperties: () => ({ 'memory-token': 'memory-token-value' }) },
);
