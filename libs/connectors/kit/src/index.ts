export { connectorIdOf } from './manifest';
export type { ConnectorManifest, ConnectorCapabilities, PropertyDescriptor, PropertyType } from './manifest';
export type {
  OutboundAttribute,
  OperationKind,
  ProvisioningOperation,
  ProvisioningResult,
  RemoteCallRecord,
  RemotePayloadPreview,
  ConnectionTestReport,
} from './operations';
export type {
  ConnectorDefinition,
  ConnectorContext,
  ConnectorLogger,
  ConnectorProperties,
  OutboundConnector,
  CallOptions,
} from './connector';
export { parseProperties, withDefaults, booleanProperty, secureUrlProperty } from './config-schema';
export { notSupported, unsupportedConnector, NO_CAPABILITIES } from './not-supported';
export { Secret, secretProperty } from './secret';
