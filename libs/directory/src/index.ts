/**
 * The directory: users, groups and tenants behind SCIM and the admin API. Commands (writes, with the
 * outbox, in one transaction), queries (representation, list planning), the rules on who may change
 * what (self-service, privileged remote fields, the super admin, the last administrator), ETags, and
 * the membership fan-out into provisioning. HTTP stays in the host.
 */
export { directoryModule } from './directory-module';
export { DIRECTORY_SETTINGS } from './directory-settings';
export type { DirectorySettings } from './directory-settings';
export { ADMIN_ROLE } from './admin-role';
export { UserCommands } from './user-commands';
export type { UserWriteResult } from './user-commands';
export { UserQueries } from './user-queries';
export { GroupCommands } from './group-commands';
export { GroupQueries } from './group-queries';
export { MembershipSync, claimsOf, diffClaims } from './membership-sync';
export { TenantService } from './tenant-service';
export type { TenantView } from './tenant-service';
export { etagOf, checkPrecondition } from './etag';
export { metaOf, userResource, groupResource } from './scim-resources';
export type { Membership } from './scim-resources';
export { MAX_RESULTS, boundedCount, boundedStart, pageOf } from './list-query';
export type { ListQuery, ResourcePage } from './list-query';
export {
  SELF_SERVICE_ATTRIBUTES,
  assertSelfServiceChange,
  assertNoPrivilegedClaimChange,
  privilegedClaimChanges,
  scimAttributesOf,
} from './self-service-policy';
export type { SelfServiceTarget, PrivilegedClaimChange } from './self-service-policy';
