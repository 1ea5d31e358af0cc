export { openDatabase, parseDatabaseUrl, redactUrl } from './database';
export type { DatabaseHandle, DatabaseNotifications } from './database';
export type { SqlDialectName } from './dialect';
export { DATABASE } from './tokens';
export { readJson } from './json';
export type {
  Database,
  TenantTable,
  UserTable,
  IdentityProviderTable,
  IdpConnectorTable,
  ResidentServiceProviderTable,
  LocalClaimOverrideTable,
  ProvisioningJobTable,
  ProvisionedIdentityTable,
  ProvisioningAttemptTable,
  GroupTable,
  GroupMemberTable,
  TargetPauseTable,
  RemoteNameClaimTable,
  ReconciliationRunTable,
  ReconciliationItemTable,
  DeprovisionBudgetTable,
  TargetSyncStateTable,
  SignInCounterTable,
} from './schema';
export { isUniqueViolation, isConcurrentConflict, concurrentChange, withConflictRetry } from './conflicts';
