import type { EgressPolicy, OutboundHttp } from '@provisioning/egress';
import type { LocalUserSource } from './local-users';
import type { ConnectorRegistry } from './connector-registry';
import type { SecretBox } from './secret-box';
import type { ProvisioningSettings } from './settings';
import type { CoreLogger } from './logger';

/** Injection tokens of the provisioning core, next to what they stand for. */
export const CONNECTOR_REGISTRY = Symbol.for('provisioning.core.ConnectorRegistry') as symbol & { __type?: ConnectorRegistry };
export const SECRET_BOX = Symbol.for('provisioning.core.SecretBox') as symbol & { __type?: SecretBox };
export const PROVISIONING_SETTINGS = Symbol.for('provisioning.core.Settings') as symbol & { __type?: ProvisioningSettings };
export const CORE_LOGGER = Symbol.for('provisioning.core.Logger') as symbol & { __type?: CoreLogger };
/** `[outbound]`: where connectors may connect (checked when a configuration is saved). */
export const EGRESS_POLICY = Symbol.for('provisioning.core.EgressPolicy') as symbol & { __type?: EgressPolicy };
/** The HTTP client connectors get in their context (enforces the egress policy on every connection). */
export const OUTBOUND_HTTP = Symbol.for('provisioning.core.OutboundHttp') as symbol & { __type?: OutboundHttp };
/** Where reconciliation runs read local users (bound by the directory, which owns users). */
export const LOCAL_USERS = Symbol.for('provisioning.core.LocalUsers') as symbol & { __type?: LocalUserSource };
