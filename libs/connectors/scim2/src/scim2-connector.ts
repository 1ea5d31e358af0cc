import type {
  AccountPage,
  BatchCallOptions,
  BatchOutcome,
  CallOptions,
  ConnectionTestReport,
  ConnectorContext,
  ConnectorDefinition,
  DescribedAccount,
  GroupProvisioningOperation,
  GroupProvisioningResult,
  ListAccountsRequest,
  OutboundConnector,
  ProvisioningOperation,
  ProvisioningResult,
  RemotePayloadPreview,
} from '@provisioning/connector-kit';
import { HttpScim2Client } from './http-scim2-client';
import { ScimAccounts } from './scim2-accounts';
import { parseScim2Config, scim2Manifest } from './scim2-config';
import type { Scim2Config } from './scim2-config';
import type { Scim2Client } from './scim2-client';
import { ScimGroups } from './scim2-groups';
import { previewUserOperation } from './scim2-preview';
import { ScimUsers } from './scim2-users';
import { describeUser } from './scim-user-read';
import { ServiceProviderConfigCache } from './service-provider-config';
import type { ServiceProviderFeatures } from './service-provider-config';

function describeFeatures(f: ServiceProviderFeatures): string {
  if (f.source === 'assumed') return 'no ServiceProviderConfig served: the connector uses GET + PUT and no filters (no linking of existing users)';
  const parts = [
    f.patch ? 'PATCH supported' : 'no PATCH (GET + PUT is used)',
    f.filter ? `filtering supported${f.maxResults ? ` (max ${f.maxResults} results)` : ''}` : 'no filtering (existing users cannot be found to link)',
    f.etag ? 'ETags' : 'no ETags',
    f.bulk ? `Bulk${f.bulk.maxOperations ? ` (max ${f.bulk.maxOperations} operations per request)` : ''}` : 'no Bulk (batches are sent one operation per request)',
  ];
  if (f.authenticationSchemes.length > 0) parts.push(`authentication: ${f.authenticationSchemes.join(', ')}`);
  return parts.join('; ');
}

/**
 * Outbound SCIM 2.0 connector (RFC 7643/7644) for any service provider: Users and Groups through the
 * configured endpoints, Basic, Bearer or API-key authentication, PATCH when the target supports it
 * (else GET + PUT), linking instead of duplicating, and Retry-After honoured. One instance per
 * configuration; it caches the target's ServiceProviderConfig. Lists users with `startIndex`/`count`
 * paging and delivers batches in Bulk requests when the target supports Bulk.
 */
export class Scim2Connector implements OutboundConnector {
  readonly #config: Scim2Config;
  readonly #client: Scim2Client;
  readonly #spc: ServiceProviderConfigCache;
  readonly #users: ScimUsers;
  readonly #groups: ScimGroups;
  readonly #accounts: ScimAccounts;

  constructor(config: Scim2Config, context: ConnectorContext, client: Scim2Client = new HttpScim2Client(config.auth, context)) {
    this.#config = config;
    this.#client = client;
    this.#spc = new ServiceProviderConfigCache(client, config.serviceProviderConfigUrl, context.logger);
    this.#users = new ScimUsers(config, client, this.#spc);
    this.#groups = new ScimGroups(config, client, this.#spc);
    this.#accounts = new ScimAccounts({ config, client, spc: this.#spc, users: this.#users, single: (operation, options) => this.provision(operation, options) });
  }

  async provision(operation: ProvisioningOperation, options: CallOptions = {}): Promise<ProvisioningResult> {
    switch (operation.kind) {
      case 'create':
        return this.#users.create(operation, options);
      case 'update':
        return this.#users.update(operation, options);
      case 'deprovision':
        return this.#users.deprovision(operation, options);
    }
  }

  async provisionGroup(operation: GroupProvisioningOperation, options: CallOptions = {}): Promise<GroupProvisioningResult> {
    return this.#groups.provision(operation, options);
  }

  /** The target's users in pages: `GET /Users?startIndex=N&count=M` (the cursor is the next startIndex). */
  async listAccounts(request: ListAccountsRequest, options: CallOptions = {}): Promise<AccountPage> {
    return this.#accounts.list(request, options);
  }

  /** What a create of this operation leaves on the target, read back as `listAccounts` reads it. */
  describeAccount(operation: ProvisioningOperation): DescribedAccount {
    return describeUser(operation);
  }

  /** Several user operations in RFC 7644 Bulk requests when the target supports Bulk, else one by one. */
  async provisionBatch(operations: readonly ProvisioningOperation[], options: BatchCallOptions = {}): Promise<BatchOutcome[]> {
    return this.#accounts.batch(operations, options);
  }

  async preview(operation: ProvisioningOperation): Promise<RemotePayloadPreview> {
    return previewUserOperation(operation, this.#config, this.#spc);
  }

  /** ServiceProviderConfig (what the target supports), then a `count=0` list, which needs valid credentials. */
  async testConnection(options: CallOptions = {}): Promise<ConnectionTestReport> {
    const checks: ConnectionTestReport['checks'] = [];
    try {
      checks.push({ name: 'service-provider-config', ok: true, detail: describeFeatures(await this.#spc.get(options)) });
    } catch (error) {
      checks.push({ name: 'service-provider-config', ok: false, detail: (error as Error).message });
    }
    const endpoints: Array<[string, string, string]> = [['authentication', this.#config.usersUrl, 'users']];
    if (this.#config.groupsConfigured) endpoints.push(['groups-endpoint', this.#config.groupsUrl, 'groups']);
    for (const [name, url, what] of endpoints) {
      try {
        const response = await this.#client.send({ method: 'GET', url: `${url}?count=0` }, options);
        const total = (response.body as { totalResults?: unknown } | undefined)?.totalResults;
        checks.push({ name, ok: true, detail: `the credentials are accepted at ${new URL(url).pathname}${typeof total === 'number' ? ` (${total} ${what})` : ''}` });
      } catch (error) {
        checks.push({ name, ok: false, detail: (error as Error).message });
      }
    }
    return { ok: checks.every((c) => c.ok), checks };
  }

  /** Connections belong to the host's outbound HTTP client; nothing of our own to release. */
  async close(): Promise<void> {}

  toJSON(): object {
    return { type: scim2Manifest.type, usersUrl: this.#config.usersUrl, groupsUrl: this.#config.groupsUrl, auth: this.#config.auth.mode };
  }
}

/** The SCIM 2.0 connector's declaration, listed once in the host's connector list. */
export const scim2Connector: ConnectorDefinition<Scim2Config> = {
  manifest: scim2Manifest,
  parseConfig: parseScim2Config,
  create: (config, context) => new Scim2Connector(config, context),
};
