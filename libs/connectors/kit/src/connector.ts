import type { ConnectorManifest } from './manifest';
import type {
  ConnectionTestReport,
  ProvisioningOperation,
  ProvisioningResult,
  RemoteCallRecord,
  RemotePayloadPreview,
} from './operations';

/** Minimal structured logger handed to connectors (pino-compatible). Never pass secrets to it. */
export interface ConnectorLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** Per-instance facts and services the host gives a connector. */
export interface ConnectorContext {
  idpName: string;
  tenantDomain: string;
  logger: ConnectorLogger;
  /** Upper bound for one remote call; connectors must enforce it themselves. */
  requestTimeoutMs: number;
  /** Observability hook: called for every token request the connector makes. */
  onTokenRequest?: (outcome: 'success' | 'failure') => void;
}

/** Per-call options: the recorder collects the remote calls made, for the provisioning log. */
export interface CallOptions {
  record?: (call: RemoteCallRecord) => void;
  signal?: AbortSignal;
}

/**
 * A configured connector instance, created once per IdP connector configuration and reused, so it
 * can keep an OAuth token between operations.
 *
 * Errors: throw the taxonomy of `@provisioning/errors`: `UpstreamRejectedError` (permanent),
 * `UpstreamUnavailableError` (retry later; set `outcomeUnknown` when the request may have been applied),
 * `UpstreamThrottledError` (limits), `NotSupportedError` (operation not offered),
 * `ValidationError` (the operation cannot be expressed remotely).
 */
export interface OutboundConnector {
  provision(operation: ProvisioningOperation, options?: CallOptions): Promise<ProvisioningResult>;
  preview(operation: ProvisioningOperation): Promise<RemotePayloadPreview>;
  testConnection(options?: CallOptions): Promise<ConnectionTestReport>;
  /** Releases sockets and timers. */
  close(): Promise<void>;
}

/** Raw properties as stored: key -> string value (confidential ones decrypted). */
export type ConnectorProperties = Readonly<Record<string, string>>;

/**
 * How a connector declares itself: manifest, configuration parsing, and a factory. The host lists
 * every definition in one file; nothing is discovered by scanning.
 */
export interface ConnectorDefinition<TConfig = unknown> {
  manifest: ConnectorManifest;
  /**
   * Validates raw properties into the typed configuration. Throws `ValidationError` whose message names
   * every offending key and why (never echoing a confidential value).
   */
  parseConfig(properties: ConnectorProperties): TConfig;
  create(config: TConfig, context: ConnectorContext): OutboundConnector;
}
