import { inject, injectable } from 'inversify';
import type { LocalUser, LocalUserSource } from '@provisioning/core';
import { UserRepository } from '@provisioning/user-store';

/** The directory's users as reconciliation runs read them (the core's LOCAL_USERS port). */
@injectable()
export class DirectoryLocalUsers implements LocalUserSource {
  constructor(@inject(UserRepository) private readonly users: UserRepository) {}

  scan(tenant: string, afterId: string | undefined, limit: number): Promise<LocalUser[]> {
    return this.users.claimsPage(tenant, afterId, limit);
  }

  byIds(tenant: string, ids: readonly string[]): Promise<LocalUser[]> {
    return this.users.claimsOf(tenant, { ids });
  }

  byNames(tenant: string, usernames: readonly string[]): Promise<LocalUser[]> {
    return this.users.claimsOf(tenant, { usernames });
  }
}
