import { NotSupportedError } from '@provisioning/errors';
import type { OutboundConnector } from './connector';
import type { GroupOperationKind } from './group-operations';
import type { ConnectorManifest } from './manifest';
import type { OperationKind } from './operations';

/** Everything a connector can decline; used in the not-supported message and its details. */
export type UnsupportedFeature = OperationKind | 'preview' | 'connection test' | 'groups' | 'batches' | 'account listing' | `group ${GroupOperationKind}`;

/**
 * The error every connector throws for an operation it does not offer. One shape everywhere, so the
 * engine records it as a permanent failure (no retry) with a message naming connector and operation.
 */
export function notSupported(manifest: ConnectorManifest, what: UnsupportedFeature): NotSupportedError {
  return new NotSupportedError(`The ${manifest.displayName} connector does not support ${what}`, {
    code: 'CONNECTOR-NOT-SUPPORTED',
    details: { connector: manifest.type, operation: what },
  });
}

/**
 * An instance that declares no operation and answers every call with the not-supported error: what a
 * declared stub connector returns until its operations are written, so its configuration can already
 * be validated and stored.
 */
export function unsupportedConnector(manifest: ConnectorManifest): OutboundConnector {
  return {
    provision: async (operation) => {
      throw notSupported(manifest, operation.kind);
    },
    preview: async () => {
      throw notSupported(manifest, 'preview');
    },
    testConnection: async () => {
      throw notSupported(manifest, 'connection test');
    },
    close: async () => {},
  };
}

/** Capabilities of a connector that supports nothing yet (declared stubs and freshly generated ones). */
export const NO_CAPABILITIES = {
  users: { create: false, update: false, deprovision: false },
  groups: false,
  passwords: false,
  preview: false,
  connectionTest: false,
} as const;
