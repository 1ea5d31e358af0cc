import { ValidationError, echo } from '@provisioning/errors';
import { hasControlCharacter } from './control-characters';
import { SUPER_TENANT_DOMAIN, normaliseTenantDomain, parseQualifiedUsername, qualify, usernameKey } from './tenant-username';
import type { QualifiedUsername, TenantRules } from './tenant-username';
import { DEFAULT_PASSWORD_REGEX, DEFAULT_USERNAME_REGEX, compileUserStoreRegex, diagnoseUsernameRegex } from './user-store-regex';

/** The longest username accepted whatever the configured rule (keys, logs and remote systems stay sane). */
export const MAX_USERNAME_LENGTH = 1024;

/** Settings of a {@link UserStorePolicy}; every field has a default. */
export interface UserStorePolicyConfig {
  /** JavaScript regex every username must match (default `^[\S]{3,255}$`). */
  readonly usernameRegex?: string;
  /** The configuration key the username regex came from, named in messages. */
  readonly usernameRegexKey?: string;
  /** JavaScript regex every password must match (default `^[^\p{Cc}]{5,256}$`). */
  readonly passwordRegex?: string;
  /** The configuration key the password regex came from, named in messages. */
  readonly passwordRegexKey?: string;
  /** `[tenant_mgt] enable_email_domain`: usernames may be email addresses (default false). */
  readonly enableEmailDomain?: boolean;
  /** The super tenant's domain (default `carbon.super`). */
  readonly superTenantDomain?: string;
}

/**
 * The user-store rules of one deployment: which usernames and passwords are acceptable and how a
 * login name resolves to a tenant. Pure (no storage), built once at start-up; the constructor
 * fails fast, naming the configuration key, when a rule does not compile.
 */
export class UserStorePolicy implements TenantRules {
  readonly usernameRegex: RegExp;
  readonly usernameRegexSource: string;
  readonly usernameRegexKey: string;
  readonly passwordRegex: RegExp;
  readonly passwordRegexSource: string;
  readonly passwordRegexKey: string;
  readonly enableEmailDomain: boolean;
  readonly superTenantDomain: string;

  constructor(config: UserStorePolicyConfig = {}) {
    this.usernameRegexSource = config.usernameRegex ?? DEFAULT_USERNAME_REGEX;
    this.usernameRegexKey = config.usernameRegexKey ?? 'user_store.username_java_script_regex';
    this.passwordRegexSource = config.passwordRegex ?? DEFAULT_PASSWORD_REGEX;
    this.passwordRegexKey = config.passwordRegexKey ?? 'user_store.password_java_script_regex';
    this.usernameRegex = compileUserStoreRegex(this.usernameRegexKey, this.usernameRegexSource);
    this.passwordRegex = compileUserStoreRegex(this.passwordRegexKey, this.passwordRegexSource);
    this.enableEmailDomain = config.enableEmailDomain ?? false;
    this.superTenantDomain = normaliseTenantDomain(config.superTenantDomain ?? SUPER_TENANT_DOMAIN);
  }

  /**
   * Rejects a username (tenant part already removed) that breaks the username rule, with a
   * SCIM `invalidValue` error that shows the rule so the client can correct the request.
   */
  validateUsername(username: string): void {
    if (typeof username === 'string' && hasControlCharacter(username)) {
      throw new ValidationError(`The username "${echo(username)}" contains a control character; usernames never may`, { scimType: 'invalidValue' });
    }
    if (typeof username === 'string' && username.length > MAX_USERNAME_LENGTH) {
      throw new ValidationError(`The username "${echo(username)}" is longer than ${MAX_USERNAME_LENGTH} characters, whatever the username rule allows`, {
        scimType: 'invalidValue',
      });
    }
    if (typeof username !== 'string' || !this.usernameRegex.test(username)) {
      throw new ValidationError(
        `The username "${echo(String(username))}" does not satisfy the username rule (${this.usernameRegexKey}): it must match ${this.usernameRegexSource}`,
        { scimType: 'invalidValue', details: { rule: this.usernameRegexKey, regex: this.usernameRegexSource } },
      );
    }
  }

  /**
   * Rejects a password that breaks the password rule, or that contains a control character (never
   * accepted, whatever the rule); the message shows the rule, never the password.
   */
  validatePassword(password: string): void {
    if (typeof password === 'string' && hasControlCharacter(password)) {
      throw new ValidationError('The password contains a control character; passwords never may', { scimType: 'invalidValue' });
    }
    if (typeof password !== 'string' || !this.passwordRegex.test(password)) {
      throw new ValidationError(
        `The password does not satisfy the password rule (${this.passwordRegexKey}): it must match ${this.passwordRegexSource}`,
        { scimType: 'invalidValue', details: { rule: this.passwordRegexKey, regex: this.passwordRegexSource } },
      );
    }
  }

  /**
   * Start-up check of the super admin's username against the username rule: throws a
   * {@link ValidationError} whose message explains the mismatch (see {@link diagnoseUsernameRegex}),
   * because otherwise nobody could ever log in.
   */
  assertSuperAdminUsername(username: string): void {
    const explanation = diagnoseUsernameRegex(this.usernameRegexKey, this.usernameRegexSource, username);
    if (explanation !== undefined) {
      throw new ValidationError(explanation, {
        details: { key: this.usernameRegexKey, value: this.usernameRegexSource, username },
      });
    }
  }

  /**
   * Resolves a login or SCIM username to `{ username, tenantDomain }` with WSO2's rules.
   *
   * With `enable_email_domain = true` one `@` belongs to the username, a second one names the tenant:
   * - `tod@gmail.com@wso2.com` -> user `tod@gmail.com` in tenant `wso2.com`
   * - `tod@gmail.com`, `admin@wso2.com` -> super tenant users `tod@gmail.com`, `admin@wso2.com`
   * - `admin` -> super tenant user `admin`
   *
   * With `enable_email_domain = false` the last `@` always names the tenant:
   * - `tod@wso2.com` -> user `tod` in tenant `wso2.com`
   * - `tod@gmail.com@carbon.super` -> super tenant user `tod@gmail.com` (the only way to write it)
   * - `tod@gmail.com` -> user `tod` in tenant `gmail.com`
   *
   * When the request path names a tenant (`/t/{tenant}/...`), unqualified names belong to it, a
   * trailing `@tenant` equal to it is stripped, and a different one is a ValidationError
   * (`invalidValue`): a request never crosses tenants. Tenant domains are lower-cased.
   */
  parseQualifiedUsername(input: string, tenantFromPath?: string): QualifiedUsername {
    return parseQualifiedUsername(this, input, tenantFromPath);
  }

  /**
   * The login name that {@link parseQualifiedUsername} reads back as this user: bare for super
   * tenant users where that is unambiguous, `username@tenant` otherwise
   * (`tod@gmail.com@carbon.super` without email domains). With email domains enabled, a tenant
   * user without `@` in the username cannot be written and is rejected, as in WSO2.
   */
  qualify(username: string, tenantDomain: string): string {
    return qualify(this, username, tenantDomain);
  }

  /** The uniqueness key of a username: NFC, lower-case (usernames are case-insensitive). */
  usernameKey(username: string): string {
    return usernameKey(username);
  }
}
