import 'reflect-metadata';
import { Container, ContainerModule } from 'inversify';
import type { ConnectorDefinition } from '@provisioning/connector-kit';
import {
  CONNECTOR_REGISTRY,
  CORE_LOGGER,
  ConnectorInstances,
  EGRESS_POLICY,
  OUTBOUND_HTTP,
  ConnectorRegistry,
  IdentityProviderService,
  JobStore,
  OperatorService,
  ProvisioningWorker,
  ImpactService,
  RunExecutor,
  RunService,
  ResidentServiceProviderService,
  PROVISIONING_SETTINGS,
  provisioningCoreModule,
  SECRET_BOX,
  SecretBox,
} from '@provisioning/core';
import type { CoreLogger } from '@provisioning/core';
import { EgressPolicy, createOutboundHttp } from '@provisioning/egress';
import type { OutboundHttp } from '@provisioning/egress';
import { DIRECTORY_SETTINGS, GroupCommands, GroupQueries, TenantService, UserCommands, UserQueries, directoryModule } from '@provisioning/directory';
import { DATABASE } from '@provisioning/persistence';
import type { DatabaseHandle } from '@provisioning/persistence';
import { CREDENTIAL_CACHE, CredentialCache, USER_STORE_POLICY, UserRepository, UserStorePolicy, userStoreModule } from '@provisioning/user-store';
import type { ServerConfig } from '../config/deployment-config';
import type { Logger } from '../logging';
import { LOGGER, SERVER_CONFIG } from '../tokens';

/** The host's own bindings (configuration values and app services). */
function hostModule(config: ServerConfig, logger: Logger, database: DatabaseHandle, connectors: readonly ConnectorDefinition[]): ContainerModule {
  return new ContainerModule(({ bind }) => {
    bind(SERVER_CONFIG).toConstantValue(config);
    bind(LOGGER).toConstantValue(logger);
    bind(CORE_LOGGER).toConstantValue(logger as unknown as CoreLogger);
    bind(DATABASE).toConstantValue(database);
    bind(PROVISIONING_SETTINGS).toConstantValue(config.provisioning);
    const egress = new EgressPolicy({ allowedHosts: config.outbound.allowedHosts });
    bind(EGRESS_POLICY).toConstantValue(egress);
    bind(OUTBOUND_HTTP).toConstantValue(createOutboundHttp(egress, { timeoutMs: config.provisioning.requestTimeoutMs }));
    bind(CONNECTOR_REGISTRY).toConstantValue(new ConnectorRegistry(connectors));
    bind(SECRET_BOX).toConstantValue(config.security.secretKey ? SecretBox.fromBase64(config.security.secretKey) : SecretBox.fromKeyFile(config.security.secretKeyFile));
    bind(USER_STORE_POLICY).toConstantValue(new UserStorePolicy({ ...config.userStore, enableEmailDomain: config.enableEmailDomain }));
    bind(CREDENTIAL_CACHE).toConstantValue(new CredentialCache());
    bind(DIRECTORY_SETTINGS).toConstantValue({ superAdminUsername: config.superAdmin.username });
  });
}

/** Everything start-up, the HTTP layer and shutdown need, resolved once from the container. */
export interface ServerServices {
  tenants: TenantService;
  policy: UserStorePolicy;
  users: UserRepository;
  credentials: CredentialCache;
  userCommands: UserCommands;
  userQueries: UserQueries;
  groupCommands: GroupCommands;
  groupQueries: GroupQueries;
  idps: IdentityProviderService;
  resident: ResidentServiceProviderService;
  registry: ConnectorRegistry;
  operator: OperatorService;
  worker: ProvisioningWorker;
  runs: RunService;
  impact: ImpactService;
  runExecutor: RunExecutor;
  jobs: JobStore;
  instances: ConnectorInstances;
  outboundHttp: OutboundHttp;
}

/**
 * The composition root: the only place that builds the container and the only place that resolves
 * from it (`container.get`); the rest of the host receives plain services.
 */
export function composeServer(
  config: ServerConfig,
  logger: Logger,
  database: DatabaseHandle,
  connectors: readonly ConnectorDefinition[],
): ServerServices {
  const container = buildContainer(config, logger, database, connectors);
  return {
    tenants: container.get(TenantService),
    policy: container.get<UserStorePolicy>(USER_STORE_POLICY),
    users: container.get(UserRepository),
    credentials: container.get<CredentialCache>(CREDENTIAL_CACHE),
    userCommands: container.get(UserCommands),
    userQueries: container.get(UserQueries),
    groupCommands: container.get(GroupCommands),
    groupQueries: container.get(GroupQueries),
    idps: container.get(IdentityProviderService),
    resident: container.get(ResidentServiceProviderService),
    registry: container.get<ConnectorRegistry>(CONNECTOR_REGISTRY),
    operator: container.get(OperatorService),
    worker: container.get(ProvisioningWorker),
    runs: container.get(RunService),
    impact: container.get(ImpactService),
    runExecutor: container.get(RunExecutor),
    jobs: container.get(JobStore),
    instances: container.get(ConnectorInstances),
    outboundHttp: container.get<OutboundHttp>(OUTBOUND_HTTP),
  };
}

function buildContainer(config: ServerConfig, logger: Logger, database: DatabaseHandle, connectors: readonly ConnectorDefinition[]): Container {
  const container = new Container();
  container.loadSync(hostModule(config, logger, database, connectors), provisioningCoreModule, userStoreModule, directoryModule);
  return container;
}
