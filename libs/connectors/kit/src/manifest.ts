import type { BatchCapability } from './accounts';
/**
 * Types of a connector property, as WSO2's `outbound-provisioning-connectors` meta endpoint names them.
 * The admin API shows them so a console can render the right input (a password field for `secret`).
 */
export type PropertyType = 'string' | 'boolean' | 'integer' | 'url' | 'secret' | 'text';

/**
 * Describes one configuration property, exactly as WSO2's meta endpoint does, so an administrator who
 * knows WSO2 recognises every key. The descriptor is the public face of a property; its validation
 * lives in the connector's zod schema (see `parseProperties`).
 */
export interface PropertyDescriptor {
  /** The stored key (WSO2's, e.g. `sf-client-secret`): stable, because configurations are stored by it. */
  key: string;
  displayName: string;
  description?: string;
  type: PropertyType;
  /** Required whatever else is configured. Conditional requirements belong in the schema's refinements. */
  isMandatory: boolean;
  /** Confidential values are write-only: encrypted at rest, never returned, never logged. */
  isConfidential: boolean;
  /** Applied by `withDefaults` when the property is absent or blank; never set on a confidential one. */
  defaultValue?: string;
  /** Allowed values, when the property is an enumeration (pair with `enumProperty`). */
  options?: string[];
}

/**
 * What the engine may ask of a connector. The engine checks these before calling and records an
 * undeclared operation as a not-supported failure without calling, so a connector never receives an
 * operation it did not declare; the contract suite checks the connector answers not-supported anyway.
 */
export interface ConnectorCapabilities {
  users: { create: boolean; update: boolean; deprovision: boolean };
  /** Implements `OutboundConnector.provisionGroup` (create, update membership/name, delete). */
  groups: boolean;
  /** Propagates users' own password changes (an initial default password alone does not count). */
  passwords: boolean;
  /** Can preview the exact remote payload of an operation without side effects. */
  preview: boolean;
  /** Can check its configuration against the remote system (credentials, permissions). */
  connectionTest: boolean;
  /** Implements `OutboundConnector.listAccounts`: the target's user accounts, in pages (reconciliation). */
  listAccounts?: boolean;
  /** Implements `OutboundConnector.provisionBatch` with a result per operation, up to `maxOperations` per call. */
  batch?: BatchCapability;
}

/**
 * How a connector declares itself, once: everything the host and the admin API need to know about a
 * connector without creating an instance of it.
 */
export interface ConnectorManifest {
  /** Connector type, e.g. `salesforce`. Stable: stored with every configuration and provisioned identity. */
  type: string;
  /**
   * WSO2's name for this connector type when it differs from `type` in letter case only (WSO2's SCIM 2.0
   * connector is `SCIM2`). Our types stay lower-case; this keeps WSO2 clients' connector ids working.
   */
  wso2Name?: string;
  /** base64url (no padding) of `wso2Name ?? type`, as WSO2 identifies connectors in its REST API; use `connectorIdOf`. */
  connectorId: string;
  displayName: string;
  description: string;
  properties: PropertyDescriptor[];
  capabilities: ConnectorCapabilities;
  /**
   * Remote fields that decide who someone is or what they may do remotely (identity, licences,
   * permissions, roles, activation), as remote attribute names; a trailing `*` matches a prefix
   * (`UserPermissions*`). A user changing their own profile (SCIM `/Me`) is refused when one of
   * their changed claims maps to such a field on an enabled target: otherwise a mapping that borrows
   * a harmless-looking claim (the WSO2 guide maps `mobile` to `UserPermissionsMarketingUser`) lets
   * anyone grant themselves remote permissions. Required (an explicit list, empty if none) for
   * connectors that provision users; the contract suite checks it.
   */
  privilegedFields?: readonly string[];
}

/** Whether a remote attribute name is one of the manifest's privileged fields (case-insensitive). */
export function isPrivilegedField(manifest: Pick<ConnectorManifest, 'privilegedFields'>, field: string): boolean {
  const name = field.toLowerCase();
  return (manifest.privilegedFields ?? []).some((pattern) => {
    const p = pattern.toLowerCase();
    return p.endsWith('*') ? name.startsWith(p.slice(0, -1)) : name === p;
  });
}

/**
 * WSO2's connector id: base64url of the connector type without padding (`salesforce` ->
 * `c2FsZXNmb3JjZQ`). Derived rather than chosen so WSO2-shaped clients can compute it too.
 */
export function connectorIdOf(type: string): string {
  return Buffer.from(type, 'utf8').toString('base64url');
}
