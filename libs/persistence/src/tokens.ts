import type { DatabaseHandle } from './database';

/** Injection token for the open {@link DatabaseHandle}. */
export const DATABASE = Symbol.for('provisioning.persistence.Database') as symbol & { __type?: DatabaseHandle };
