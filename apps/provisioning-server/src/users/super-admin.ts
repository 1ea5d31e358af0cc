import { randomBytes } from 'node:crypto';
import { concurrentChange, withConflictRetry } from '@provisioning/persistence';
import type { DatabaseHandle } from '@provisioning/persistence';
import { ValidationError, isProvisioningError } from '@provisioning/errors';
import { hashPassword, verifyPassword } from '@provisioning/user-store';
import type { UserRepository, UserStorePolicy } from '@provisioning/user-store';
import { ADMIN_ROLE } from '@provisioning/directory';

/**
 * Makes sure the configured super admin exists with the admin role. With no password configured, a
 * random one is generated on first start and returned (to be printed once); only its hash is stored.
 * A configured password is the source of truth: if it changed, the stored hash follows.
 */
export async function ensureSuperAdmin(
  database: DatabaseHandle,
  users: UserRepository,
  policy: UserStorePolicy,
  admin: { username: string; password?: string },
): Promise<{ generatedPassword?: string }> {
  // Instances of a cluster starting together race to create it: the loser finds it there.
  return withConflictRetry(() => ensureOnce(database, users, policy, admin));
}

async function ensureOnce(
  database: DatabaseHandle,
  users: UserRepository,
  policy: UserStorePolicy,
  admin: { username: string; password?: string },
): Promise<{ generatedPassword?: string }> {
  const tenant = policy.superTenantDomain;
  const existing = await users.findByUsername(tenant, admin.username);
  if (existing && !existing.roles.includes(ADMIN_ROLE)) {
    // Someone took the super admin's name (e.g. after a rename): never promote them.
    throw new ValidationError(
      `The user "${existing.username}" exists but is not the super admin; refusing to give it the admin role. Choose another [super_admin] username, or remove that user.`,
    );
  }
  if (existing) {
    const needsPassword = admin.password !== undefined && !(existing.passwordHash && (await verifyPassword(admin.password, existing.passwordHash)));
    const inactive = (existing.resource as { active?: unknown }).active === false;
    if (needsPassword || inactive) {
      // The configuration is the source of truth: its password, and an account that can sign in.
      const passwordHash = needsPassword ? await hashPassword(admin.password!) : existing.passwordHash;
      const { active: _active, ...resource } = existing.resource as Record<string, unknown>;
      await database.db.transaction().execute((trx) => users.update(trx, { ...existing, passwordHash, resource: inactive ? resource : existing.resource }));
    }
    return {};
  }
  const generatedPassword = admin.password === undefined ? randomBytes(12).toString('base64url') : undefined;
  const password = admin.password ?? generatedPassword!;
  const hash = await hashPassword(password);
  await database.db
    .transaction()
    .execute((trx) =>
    users.insert(trx, {
      tenant,
      username: admin.username,
      passwordHash: null,
      resource: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: admin.username },
      claims: { 'http://wso2.org/claims/username': admin.username },
      roles: [ADMIN_ROLE],
    }).then((user) => users.update(trx, { ...user, passwordHash: hash })),
    )
    .catch((error: unknown) => {
      // Created by another instance at the same moment: look again (a lost race, not a failure).
      if (isProvisioningError(error) && error.kind === 'conflict') throw concurrentChange(`The super admin "${admin.username}"`);
      throw error;
    });
  return { generatedPassword };
}
