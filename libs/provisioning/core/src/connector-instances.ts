import { inject, injectable } from 'inversify';
import type { OutboundConnector, OutboundHttp } from '@provisioning/connector-kit';
import type { ConnectorRegistry } from './connector-registry';
import type { ConnectorConfiguration, IdentityProvider } from './identity-provider';
import type { CoreLogger } from './logger';
import type { ProvisioningSettings } from './settings';
import { CONNECTOR_REGISTRY, CORE_LOGGER, OUTBOUND_HTTP, PROVISIONING_SETTINGS } from './tokens';

interface Entry {
  revision: number;
  instance: OutboundConnector;
}

/** Hook for token-request metrics; the host sets it. */
export type TokenRequestObserver = (connectorType: string, outcome: 'success' | 'failure') => void;

/**
 * The per-IdP registry of live connector instances, built from stored configurations. One instance per
 * (IdP, connector) and configuration revision, so an instance keeps its OAuth token across operations
 * and a configuration change starts a fresh one.
 */
@injectable()
export class ConnectorInstances {
  readonly #entries = new Map<string, Entry>();
  #observer: TokenRequestObserver | undefined;

  constructor(
    @inject(CONNECTOR_REGISTRY) private readonly registry: ConnectorRegistry,
    @inject(PROVISIONING_SETTINGS) private readonly settings: ProvisioningSettings,
    @inject(CORE_LOGGER) private readonly logger: CoreLogger,
    @inject(OUTBOUND_HTTP) private readonly http: OutboundHttp,
  ) {}

  observeTokenRequests(observer: TokenRequestObserver): void {
    this.#observer = observer;
  }

  get(idp: IdentityProvider, configuration: ConnectorConfiguration): OutboundConnector {
    const key = `${idp.id}\0${configuration.connectorType}`;
    const existing = this.#entries.get(key);
    if (existing && existing.revision === configuration.revision) return existing.instance;
    if (existing) void existing.instance.close().catch(() => undefined);
    const definition = this.registry.get(configuration.connectorType);
    const config = definition.parseConfig(configuration.properties);
    const instance = definition.create(config, {
      idpName: idp.name,
      tenantDomain: idp.tenant,
      logger: this.logger.child({ idp: idp.name, connector: configuration.connectorType }),
      requestTimeoutMs: this.settings.requestTimeoutMs,
      http: this.http,
      onTokenRequest: (outcome) => this.#observer?.(configuration.connectorType, outcome),
    });
    this.#entries.set(key, { revision: configuration.revision, instance });
    return instance;
  }

  /** Closes every instance (shutdown). */
  async closeAll(): Promise<void> {
    const entries = [...this.#entries.values()];
    this.#entries.clear();
    await Promise.allSettled(entries.map((e) => e.instance.close()));
  }
}
