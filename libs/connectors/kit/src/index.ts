/**
 * The connector contract: what a connector declares (manifest, properties, capabilities), the
 * operations it receives, the instance it returns, and helpers for configuration parsing, secrets and
 * not-supported answers. Connectors depend on this and on `@provisioning/errors` only.
 * The contract suite lives in the `./testing` entry. See docs/connectors.md.
 */
export { connectorIdOf, isPrivilegedField } from './manifest';
export type { ConnectorManifest, ConnectorCapabilities, PropertyDescriptor, PropertyType } from './manifest';
export type {
  ClaimValue,
  OutboundAttribute,
  OperationKind,
  ProvisioningOperation,
  ProvisioningResult,
  RemoteCallRecord,
  RemotePayloadPreview,
  ConnectionTestReport,
} from './operations';
export type {
  GroupOperationKind,
  GroupMember,
  GroupProvisioningOperation,
  GroupProvisioningResult,
} from './group-operations';
export type {
  ConnectorDefinition,
  ConnectorContext,
  ConnectorLogger,
  ConnectorProperties,
  OutboundConnector,
  CallOptions,
} from './connector';
export { chunks, provisionOneByOne } from './accounts';
export type { AccountPage, BatchCallOptions, BatchCapability, BatchOutcome, DescribedAccount, ListAccountsRequest, RemoteAccount } from './accounts';
export { parseProperties, withDefaults, booleanProperty, urlProperty, enumProperty } from './config-schema';
export { notSupported, unsupportedConnector, NO_CAPABILITIES } from './not-supported';
export type { UnsupportedFeature } from './not-supported';
export { Secret, secretProperty } from './secret';
export { EgressRefusedError, OutboundHttpError } from '@provisioning/egress';
export type { OutboundHttp, OutboundRequest, OutboundResponse, OutboundFailure } from '@provisioning/egress';
