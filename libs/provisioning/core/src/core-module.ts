import { ContainerModule } from 'inversify';
import { ClusterSignals } from './cluster-signals';
import { ConnectorInstances } from './connector-instances';
import { JobDelivery } from './delivery';
import { IdentityProviderService } from './identity-provider-service';
import { JobStore } from './job-store';
import { ProvisioningOutbox } from './outbox';
import { ResidentServiceProviderService } from './resident-service-provider';
import { ProvisioningWorker } from './worker';
import { OperatorService } from './operator-service';

/**
 * The provisioning core's bindings. The host binds DATABASE, CONNECTOR_REGISTRY, SECRET_BOX,
 * PROVISIONING_SETTINGS, CORE_LOGGER, EGRESS_POLICY and OUTBOUND_HTTP before loading it.
 */
export const provisioningCoreModule = new ContainerModule(({ bind }) => {
  bind(IdentityProviderService).toSelf().inSingletonScope();
  bind(JobStore).toSelf().inSingletonScope();
  bind(ClusterSignals).toSelf().inSingletonScope();
  bind(ResidentServiceProviderService).toSelf().inSingletonScope();
  bind(ConnectorInstances).toSelf().inSingletonScope();
  bind(ProvisioningOutbox).toSelf().inSingletonScope();
  bind(JobDelivery).toSelf().inSingletonScope();
  bind(ProvisioningWorker).toSelf().inSingletonScope();
  bind(OperatorService).toSelf().inSingletonScope();
});
