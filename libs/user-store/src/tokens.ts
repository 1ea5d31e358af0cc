import type { UserStorePolicy } from './user-store-policy';
import type { CredentialCache } from './credential-cache';

/** Injection tokens of the user store, next to what they stand for. */
export const USER_STORE_POLICY = Symbol.for('provisioning.userStore.Policy') as symbol & { __type?: UserStorePolicy };
export const CREDENTIAL_CACHE = Symbol.for('provisioning.userStore.CredentialCache') as symbol & { __type?: CredentialCache };
