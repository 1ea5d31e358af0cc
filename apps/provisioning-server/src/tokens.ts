import type { ServerConfig } from './config/deployment-config';
import type { Logger } from './logging';

/** Host-level injection tokens. */
export const SERVER_CONFIG = Symbol.for('provisioning.server.Config') as symbol & { __type?: ServerConfig };
export const LOGGER = Symbol.for('provisioning.server.Logger') as symbol & { __type?: Logger };
