import type { LocalClaims } from './jobs';

/** A local user as reconciliation sees it: id, username and local claims. */
export interface LocalUser {
  id: string;
  username: string;
  claims: LocalClaims;
}

/**
 * Where runs read a tenant's local users (a port: the directory, which owns users, implements it).
 * `scan` pages through every user of a tenant in id order (keyset paging, so a run over 100k users
 * never holds them all); `byIds` and `byNames` read a few.
 */
export interface LocalUserSource {
  scan(tenant: string, afterId: string | undefined, limit: number): Promise<LocalUser[]>;
  byIds(tenant: string, ids: readonly string[]): Promise<LocalUser[]>;
  byNames(tenant: string, usernames: readonly string[]): Promise<LocalUser[]>;
}
