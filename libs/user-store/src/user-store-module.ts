import { ContainerModule } from 'inversify';
import { GroupRepository } from './group-repository';
import { UserRepository } from './user-repository';

/** The user store's bindings; the host binds DATABASE, USER_STORE_POLICY and CREDENTIAL_CACHE. */
export const userStoreModule = new ContainerModule(({ bind }) => {
  bind(UserRepository).toSelf().inSingletonScope();
  bind(GroupRepository).toSelf().inSingletonScope();
});
