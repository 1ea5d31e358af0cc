export { UserStorePolicy } from './user-store-policy';
export type { UserStorePolicyConfig } from './user-store-policy';
export {
  DEFAULT_USERNAME_REGEX,
  DEFAULT_PASSWORD_REGEX,
  compileUserStoreRegex,
  diagnoseUsernameRegex,
  resolveUserStoreRegexes,
} from './user-store-regex';
export type { UserStoreRegexes } from './user-store-regex';
export { SUPER_TENANT_DOMAIN, normaliseTenantDomain, usernameKey } from './tenant-username';
export type { QualifiedUsername, TenantRules } from './tenant-username';
export { DEFAULT_SCRYPT_PARAMS, hashPassword, verifyPassword, needsRehash } from './password-hash';
export type { ScryptParams } from './password-hash';
export { CredentialCache } from './credential-cache';
export type { CredentialCacheOptions, PresentedCredential, StoredCredential } from './credential-cache';
export { UserRepository } from './user-repository';
export type { StoredUser, NewUser, UserPage, UserClaims } from './user-repository';
export type { SearchQuery, Decide } from './search';
export { USER_STORE_POLICY, CREDENTIAL_CACHE } from './tokens';
export { userStoreModule } from './user-store-module';
export { GroupRepository } from './group-repository';
export type { StoredGroup, GroupMember } from './group-repository';
export { Authenticator } from './authenticator';
export type { AuthenticatorOptions, SignInRequest } from './authenticator';
export { FailureThrottle, AddressBudget, VerificationSlots, MemorySignInCounters } from './sign-in-limits';
export type { SignInCounters, WindowCount } from './sign-in-limits';
export { DatabaseSignInCounters } from './database-sign-in-counters';
export { hasControlCharacter } from './control-characters';
