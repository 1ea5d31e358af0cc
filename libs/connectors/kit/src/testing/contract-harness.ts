import { expect } from 'vitest';
import { EgressPolicy, createOutboundHttp } from '@provisioning/egress';
import type { OutboundHttp } from '@provisioning/egress';
import { isProvisioningError } from '@provisioning/errors';
import type { ConnectorContext, ConnectorProperties } from '../connector';
import type { ClaimValue } from '../operations';

/**
 * A remote system the connector runs against during the contract suite (an emulator), so the round
 * trip checks what arrived remotely rather than what the connector says it sent.
 */
export interface ContractTarget {
  /** Reads the remote account by id; undefined when absent. */
  read(remoteId: string): Promise<Record<string, unknown> | undefined>;
  /** Whether the remote account counts as active (not deprovisioned). */
  isActive(record: Record<string, unknown>): boolean;
  /** Remote attribute values for a create (already in remote names), unique per call. */
  createAttributes(): Record<string, ClaimValue>;
  /** One attribute change for the update step: [remote attribute name, new value]. */
  updateAttribute: [string, string];
  /**
   * Reads an attribute of a remote record by its remote name; defaults to `record[name]`. Needed when
   * remote names are paths (SCIM's `name.familyName`) rather than top-level fields.
   */
  readAttribute?(record: Record<string, unknown>, name: string): unknown;
  /**
   * Create attributes the target rejects (a malformed email, say), for the batch rule "one bad record
   * fails only itself"; without it that part of the batch test is not exercised.
   */
  rejectedCreateAttributes?(): Record<string, ClaimValue>;
}

/** The group side of a contract target, for connectors that declare `capabilities.groups`. */
export interface ContractGroupTarget {
  /** Reads the remote group by id; undefined when absent (deleted). */
  read(remoteId: string): Promise<Record<string, unknown> | undefined>;
  displayNameOf(record: Record<string, unknown>): string | undefined;
  /** Remote ids of the group's members. */
  memberIdsOf(record: Record<string, unknown>): string[];
}

/** What a connector's spec gives the contract suite. */
export interface ContractHarness {
  /** A complete, valid set of properties (pointing at `target` when there is one). */
  validProperties(): ConnectorProperties | Promise<ConnectorProperties>;
  /** Present when the connector can really provision; stubs leave it out. */
  target?: ContractTarget;
  /** Present exactly when the connector declares `capabilities.groups`. */
  groupTarget?: ContractGroupTarget;
  setup?(): Promise<void>;
  teardown?(): Promise<void>;
}

const silentLogger = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * The HTTP client connector tests use: the real egress policy with loopback listed, as an operator
 * lists a local emulator or SCIM target in `[outbound] allowed_hosts`.
 */
export function loopbackHttp(allowedHosts: readonly string[] = ['127.0.0.1', 'localhost', '[::1]']): OutboundHttp {
  return createOutboundHttp(new EgressPolicy({ allowedHosts }));
}

/** The context every contract instance gets: a silent logger, a generous timeout, loopback allowed. */
export function contractContext(overrides: Partial<ConnectorContext> = {}): ConnectorContext {
  return { idpName: 'Contract IdP', tenantDomain: 'carbon.super', logger: silentLogger, requestTimeoutMs: 10_000, http: loopbackHttp(), ...overrides };
}

/** Asserts that a promise rejects with a ProvisioningError of the given kind. */
export async function expectKind(promise: Promise<unknown>, kind: string): Promise<void> {
  let thrown: unknown;
  try {
    await promise;
  } catch (error) {
    thrown = error;
  }
  expect(isProvisioningError(thrown), `expected a ${kind} ProvisioningError, got ${String(thrown)}`).toBe(true);
  expect((thrown as { kind: string }).kind).toBe(kind);
}
