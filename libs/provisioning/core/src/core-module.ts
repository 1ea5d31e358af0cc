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
import { ImpactService } from './impact';
import { RunExecutor } from './run-executor';
import { RunService } from './run-service';
import { RunStore } from './run-store';
import { RunTriggers } from './run-triggers';

/**
 * The provisioning core's bindings. The host binds DATABASE, CONNECTOR_REGISTRY, SECRET_BOX,
 * PROVISIONING_SETTINGS, CORE_LOGGER, EGRESS_POLICY and OUTBOUND_HTTP before loading it, and
 * LOCAL_USERS (the directory's) before reconciliation runs are used.
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
  bind(RunStore).toSelf().inSingletonScope();
  bind(RunTriggers).toSelf().inSingletonScope();
  bind(RunExecutor).toSelf().inSingletonScope();
  bind(RunService).toSelf().inSingletonScope();
  bind(ImpactService).toSelf().inSingletonScope();
});
