import { ContainerModule } from 'inversify';
import { LOCAL_USERS } from '@provisioning/core';
import { DirectoryLocalUsers } from './local-user-source';
import { GroupCommands } from './group-commands';
import { GroupQueries } from './group-queries';
import { MembershipSync } from './membership-sync';
import { TenantService } from './tenant-service';
import { UserCommands } from './user-commands';
import { UserQueries } from './user-queries';

/**
 * The directory's bindings. The host binds DIRECTORY_SETTINGS and loads the provisioning core and the
 * user store (whose services these use) with it.
 */
export const directoryModule = new ContainerModule(({ bind }) => {
  bind(MembershipSync).toSelf().inSingletonScope();
  bind(UserCommands).toSelf().inSingletonScope();
  bind(UserQueries).toSelf().inSingletonScope();
  bind(GroupCommands).toSelf().inSingletonScope();
  bind(GroupQueries).toSelf().inSingletonScope();
  bind(TenantService).toSelf().inSingletonScope();
  bind(LOCAL_USERS).to(DirectoryLocalUsers).inSingletonScope();
});
