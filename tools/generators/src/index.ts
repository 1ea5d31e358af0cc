/**
 * Workspace tooling. The Nx generators are reached through generators.json (`nx g
 * @provisioning/tools:connector <name>`); this entry exposes them for programmatic use and tests.
 */
export { connectorGenerator } from './connector/connector-generator';
export type { ConnectorGeneratorSchema } from './connector/schema';
export { insertConnector } from './connector/register-connector';
export { connectorNames } from './connector/connector-names';
export type { ConnectorNames } from './connector/connector-names';
