/**
 * Salesforce REST API emulator for integration tests and local trials of the provisioning server.
 */
export { startSalesforceEmulator } from './server';
export type { RunningEmulator } from './server';
export { createEmulatorApp } from './app';
export { EmulatorState, DEFAULT_PERMISSION_SETS, DEFAULT_PROFILES, DEFAULT_ROLES, resolveOptions } from './emulator-state';
export type {
  IssuedToken,
  PermissionSetAssignmentRecord,
  PermissionSetRecord,
  ProfileRecord,
  RequestListener,
  UserLoginRecord,
  UserRecord,
  UserRoleRecord,
} from './emulator-state';
export { parseSoql, escapeSoqlString, SoqlSyntaxError } from './soql';
export type { SoqlQuery, SoqlCondition, SoqlValue } from './soql';
export { toId18 } from './ids';
export type {
  ApiUsage,
  DmlError,
  EmulatorOptions,
  FaultAction,
  FaultInfo,
  FaultRule,
  FieldValue,
  PermissionSetOption,
  ProfileOption,
  RequestLogEntry,
  ResolvedOptions,
  RoleOption,
  SalesforceErrorItem,
  SaveResult,
  SObjectRecord,
  TokenRequestStats,
} from './types';
