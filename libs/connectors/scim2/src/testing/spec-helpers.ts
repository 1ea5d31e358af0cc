import type { ClaimValue, ConnectorContext, OutboundConnector, RemoteCallRecord } from '@provisioning/connector-kit';
import { loopbackHttp } from '@provisioning/connector-kit/testing';
import { scim2Connector } from '../scim2-connector';
import { TARGET_PASSWORD, TARGET_USERNAME } from './scim-target';
import type { RunningScimTarget } from './scim-target';

// Helpers for this library's own specs (not exported from ./testing).

export const silentLogger = { debug() {}, info() {}, warn() {}, error() {} };

export function properties(target: RunningScimTarget, overrides: Record<string, string> = {}): Record<string, string> {
  return { 'scim2-user-ep': target.usersUrl, 'scim2-username': TARGET_USERNAME, 'scim2-password': TARGET_PASSWORD, ...overrides };
}

export function connect(target: RunningScimTarget, overrides: Record<string, string> = {}, context: Partial<ConnectorContext> = {}): OutboundConnector {
  return scim2Connector.create(scim2Connector.parseConfig(properties(target, overrides)), {
    idpName: 'SCIM target',
    tenantDomain: 'carbon.super',
    logger: silentLogger,
    requestTimeoutMs: 5_000,
    http: loopbackHttp(),
    ...context,
  });
}

let counter = 0;
/** Unique SCIM attributes for one user, in IdP claim names (= SCIM attribute paths). */
export function userAttributes(overrides: Record<string, ClaimValue> = {}): Record<string, ClaimValue> & { userName: string } {
  counter += 1;
  const userName = `user${Date.now()}${counter}@example.com`;
  return {
    userName,
    'name.givenName': 'Kim',
    'name.familyName': 'Paul',
    'emails[type eq "work"].value': userName,
    displayName: 'Kim Paul',
    ...overrides,
  };
}

/** Reads a dotted path (`name.familyName`) from a stored record. */
export function readPath(record: Record<string, unknown>, path: string): unknown {
  return path.split('.').reduce<unknown>((value, key) => (typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined), record);
}

/** Collects the calls a connector records. */
export function recorder(): { calls: RemoteCallRecord[]; record: (call: RemoteCallRecord) => void } {
  const calls: RemoteCallRecord[] = [];
  return { calls, record: (call) => calls.push(call) };
}

/** The error a promise rejects with (fails the test if it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}
