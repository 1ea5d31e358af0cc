import type { ConnectorRegistry } from './connector-registry';
import type { SecretBox } from './secret-box';
import type { ProvisioningSettings } from './settings';
import type { CoreLogger } from './logger';

/** Injection tokens of the provisioning core, next to what they stand for. */
export const CONNECTOR_REGISTRY = Symbol.for('provisioning.core.ConnectorRegistry') as symbol & { __type?: ConnectorRegistry };
export const SECRET_BOX = Symbol.for('provisioning.core.SecretBox') as symbol & { __type?: SecretBox };
export const PROVISIONING_SETTINGS = Symbol.for('provisioning.core.Settings') as symbol & { __type?: ProvisioningSettings };
export const CORE_LOGGER = Symbol.for('provisioning.core.Logger') as symbol & { __type?: CoreLogger };
