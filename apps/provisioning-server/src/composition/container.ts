import 'reflect-metadata';
import { Container, ContainerModule } from 'inversify';
import type { ConnectorDefinition } from '@provisioning/connector-kit';
import {
  CONNECTOR_REGISTRY,
  CORE_LOGGER,
  ConnectorRegistry,
  PROVISIONING_SETTINGS,
  provisioningCoreModule,
  SECRET_BOX,
  SecretBox,
} from '@provisioning/core';
import type { CoreLogger } from '@provisioning/core';
import { DATABASE } from '@provisioning/persistence';
import type { DatabaseHandle } from '@provisioning/persistence';
import { CREDENTIAL_CACHE, CredentialCache, USER_STORE_POLICY, UserRepository, UserStorePolicy, userStoreModule } from '@provisioning/user-store';
import type { ServerConfig } from '../config/deployment-config';
import type { Logger } from '../logging';
import { LOGGER, SERVER_CONFIG, TENANTS } from '../tokens';
import { TenantService } from '../users/tenant-service';
import { GroupService } from '../groups/group-service';
import { UserService } from '../users/user-service';

/** The host's own bindings (configuration values and app services). */
function hostModule(config: ServerConfig, logger: Logger, database: DatabaseHandle, connectors: readonly ConnectorDefinition[]): ContainerModule {
  return new ContainerModule(({ bind }) => {
    bind(SERVER_CONFIG).toConstantValue(config);
    bind(LOGGER).toConstantValue(logger);
    bind(CORE_LOGGER).toConstantValue(logger as unknown as CoreLogger);
    bind(DATABASE).toConstantValue(database);
    bind(PROVISIONING_SETTINGS).toConstantValue(config.provisioning);
    bind(CONNECTOR_REGISTRY).toConstantValue(new ConnectorRegistry(connectors));
    bind(SECRET_BOX).toConstantValue(config.security.secretKey ? SecretBox.fromBase64(config.security.secretKey) : SecretBox.fromKeyFile(config.security.secretKeyFile));
    bind(USER_STORE_POLICY).toConstantValue(new UserStorePolicy({ ...config.userStore, enableEmailDomain: config.enableEmailDomain }));
    bind(CREDENTIAL_CACHE).toConstantValue(new CredentialCache());
    bind(UserService).toSelf().inSingletonScope();
    bind(GroupService).toSelf().inSingletonScope();
    bind(TENANTS)
      .toDynamicValue((ctx) => new TenantService(database.db, ctx.get(UserRepository), ctx.get<UserStorePolicy>(USER_STORE_POLICY)))
      .inSingletonScope();
  });
}

/** The composition root: the only place that builds the container. */
export function buildContainer(config: ServerConfig, logger: Logger, database: DatabaseHandle, connectors: readonly ConnectorDefinition[]): Container {
  const container = new Container();
  container.loadSync(hostModule(config, logger, database, connectors), provisioningCoreModule, userStoreModule);
  return container;
}
