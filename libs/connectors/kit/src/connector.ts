import type { OutboundHttp } from '@provisioning/egress';
import type { AccountPage, BatchCallOptions, BatchOutcome, DescribedAccount, ListAccountsRequest } from './accounts';
import type { ConnectorManifest } from './manifest';
import type { GroupProvisioningOperation, GroupProvisioningResult } from './group-operations';
import type {
  ConnectionTestReport,
  ProvisioningOperation,
  ProvisioningResult,
  RemoteCallRecord,
  RemotePayloadPreview,
} from './operations';

/**
 * Minimal structured logger handed to connectors (pino-compatible), so connectors log through the
 * host's redacting logger instead of the console. Never pass secrets to it.
 */
export interface ConnectorLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/**
 * Per-instance facts and services the host gives a connector. Passed in (not imported) so a connector
 * depends on the contract only and tests can hand it whatever they need.
 */
export interface ConnectorContext {
  idpName: string;
  tenantDomain: string;
  logger: ConnectorLogger;
  /** Upper bound for one remote call; pass it on as the request's `timeoutMs`. */
  requestTimeoutMs: number;
  /**
   * The only way to the network: the host's egress policy (public addresses only unless the operator
   * allowlists a host, every resolved address checked, no redirects, bounded answers). A connector
   * never opens sockets or calls `fetch` itself (lint enforces it), so no configuration can make it
   * reach an internal service.
   */
  http: OutboundHttp;
  /** Observability hook: called for every token request the connector makes. */
  onTokenRequest?: (outcome: 'success' | 'failure') => void;
}

/**
 * Per-call options. `record` collects the remote calls made, for the provisioning log; `signal` is the
 * engine's overall deadline for the operation, which connectors should pass on to their requests.
 */
export interface CallOptions {
  record?: (call: RemoteCallRecord) => void;
  signal?: AbortSignal;
  /**
   * Ownership check before a connector's first write to a remote account: call it with the account's
   * name (`remoteName`, no id) before creating it, and with the id and name before writing to (linking,
   * updating, deprovisioning) an account found by looking it up (e.g. by username after
   * DUPLICATE_USERNAME) rather than by the stored remote id. Rejects (UpstreamRejectedError
   * `REMOTE_ACCOUNT_IN_USE`) when the name or account belongs to another local user, so two local
   * users who map to one remote username never write to each other's account, even when both are
   * delivered at the same moment.
   */
  assertLinkable?: (remote: { remoteId?: string; remoteName?: string }) => Promise<void>;
}

/**
 * A configured connector instance, created once per IdP connector configuration and reused, so it
 * can keep an OAuth token (or a cached discovery document) between operations.
 *
 * Errors: throw the taxonomy of `@provisioning/errors`, because the engine's retry policy reads the
 * kind: `UpstreamRejectedError` (permanent), `UpstreamUnavailableError` (retry later; set
 * `outcomeUnknown` when the request may have been applied), `UpstreamThrottledError` (limits; set
 * `retryAfterMs` when the remote said how long), `NotSupportedError` (operation not offered),
 * `ValidationError` (the operation cannot be expressed remotely).
 */
export interface OutboundConnector {
  provision(operation: ProvisioningOperation, options?: CallOptions): Promise<ProvisioningResult>;
  preview(operation: ProvisioningOperation): Promise<RemotePayloadPreview>;
  testConnection(options?: CallOptions): Promise<ConnectionTestReport>;
  /**
   * Group operations; present exactly when the manifest declares `capabilities.groups`. Optional so
   * user-only connectors need not mention groups at all.
   */
  provisionGroup?(operation: GroupProvisioningOperation, options?: CallOptions): Promise<GroupProvisioningResult>;
  /**
   * One page of the target's user accounts with the requested fields; present exactly when the
   * manifest declares `capabilities.listAccounts`. Follow `cursor` until a page has none.
   */
  listAccounts?(request: ListAccountsRequest, options?: CallOptions): Promise<AccountPage>;
  /**
   * The account an operation's attributes would leave on the target, in `listAccounts`' terms: the
   * remote name and each written field's value as the listing would return it (booleans as
   * "true"/"false", the username after its pattern, one profile of several). Reconciliation compares
   * it with the listed account, field by field. Present with `listAccounts`; no I/O.
   */
  describeAccount?(operation: ProvisioningOperation): DescribedAccount;
  /**
   * Several user operations in as few remote calls as the target allows, with an outcome per
   * operation in order (one rejected record fails only its own operation); present exactly when the
   * manifest declares `capabilities.batch`. Never more than `batch.maxOperations` at once.
   */
  provisionBatch?(operations: readonly ProvisioningOperation[], options?: BatchCallOptions): Promise<BatchOutcome[]>;
  /** Releases sockets and timers. */
  close(): Promise<void>;
}

/** Raw properties as stored: key -> string value (confidential ones decrypted), as WSO2 stores them. */
export type ConnectorProperties = Readonly<Record<string, string>>;

/**
 * How a connector declares itself: manifest, configuration parsing, and a factory. The host lists
 * every definition in one file; nothing is discovered by scanning, so what runs is what was reviewed.
 */
export interface ConnectorDefinition<TConfig = unknown> {
  manifest: ConnectorManifest;
  /**
   * Validates raw properties into the typed configuration. Throws `ValidationError` whose message names
   * every offending key and why (never echoing a confidential value). Called when an administrator
   * saves a configuration, so mistakes surface there and not at the first provisioning attempt.
   */
  parseConfig(properties: ConnectorProperties): TConfig;
  /** Builds an instance from a parsed configuration; must not do I/O (the first operation may). */
  create(config: TConfig, context: ConnectorContext): OutboundConnector;
}
