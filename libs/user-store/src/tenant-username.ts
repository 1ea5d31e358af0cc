import { ValidationError } from '@provisioning/errors';

/** WSO2's super tenant. */
export const SUPER_TENANT_DOMAIN = 'carbon.super';

/** A username resolved to its tenant. */
export interface QualifiedUsername {
  /** The username inside its tenant (may itself be an email address). */
  readonly username: string;
  /** The tenant domain, lower-cased. */
  readonly tenantDomain: string;
}

/** The settings that decide how `@` in a username is read. */
export interface TenantRules {
  readonly enableEmailDomain: boolean;
  readonly superTenantDomain: string;
}

const DOMAIN = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*$/;

function invalid(message: string, details: Record<string, unknown>): ValidationError {
  return new ValidationError(message, { scimType: 'invalidValue', details });
}

/** Lower-cases and checks a tenant domain (WSO2 tenant domains are case-insensitive). */
export function normaliseTenantDomain(tenantDomain: string): string {
  const lower = typeof tenantDomain === 'string' ? tenantDomain.trim().toLowerCase() : '';
  if (!DOMAIN.test(lower)) throw invalid(`"${String(tenantDomain)}" is not a valid tenant domain`, { tenantDomain });
  return lower;
}

/** See `UserStorePolicy.parseQualifiedUsername`, which documents the rules. */
export function parseQualifiedUsername(rules: TenantRules, input: string, tenantFromPath?: string): QualifiedUsername {
  if (typeof input !== 'string' || input === '') throw invalid('The username is empty', {});
  const pathTenant = tenantFromPath === undefined ? undefined : normaliseTenantDomain(tenantFromPath);
  const ats = input.split('@').length - 1;
  // With email usernames one '@' belongs to the username; the tenant needs a second one.
  const qualified = rules.enableEmailDomain ? ats >= 2 : ats >= 1;
  if (!qualified) {
    return { username: input, tenantDomain: pathTenant ?? rules.superTenantDomain };
  }
  const at = input.lastIndexOf('@');
  const username = input.slice(0, at);
  const rawTenant = input.slice(at + 1);
  if (username === '' || username.endsWith('@')) throw invalid(`"${input}" has no username before "@${rawTenant}"`, { input });
  if (rawTenant === '') throw invalid(`"${input}" ends with "@" but names no tenant domain`, { input });
  const tenantDomain = normaliseTenantDomain(rawTenant);
  if (pathTenant !== undefined && tenantDomain !== pathTenant) {
    throw invalid(`The username "${input}" names tenant "${tenantDomain}" but the request is for tenant "${pathTenant}"`, {
      usernameTenant: tenantDomain,
      pathTenant,
    });
  }
  return { username, tenantDomain };
}

/** See `UserStorePolicy.qualify`. */
export function qualify(rules: TenantRules, username: string, tenantDomain: string): string {
  const tenant = normaliseTenantDomain(tenantDomain);
  if (typeof username !== 'string' || username === '') throw invalid('The username is empty', {});
  const ats = username.split('@').length - 1;
  if (tenant === rules.superTenantDomain) {
    const bare = rules.enableEmailDomain ? ats <= 1 : ats === 0;
    return bare ? username : `${username}@${tenant}`;
  }
  if (rules.enableEmailDomain && ats === 0) {
    throw invalid(
      `"${username}" cannot be a user of tenant "${tenant}": with tenant_mgt.enable_email_domain = true, tenant users must have email usernames`,
      { username, tenantDomain: tenant },
    );
  }
  return `${username}@${tenant}`;
}

/**
 * The key that makes usernames unique: Unicode NFC, lower-cased. WSO2 user stores compare
 * usernames case-insensitively, so `Kim@WSO2.com` and `kim@wso2.com` are the same user.
 */
export function usernameKey(username: string): string {
  return username.normalize('NFC').toLowerCase();
}
