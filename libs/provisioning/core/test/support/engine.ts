import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConnectorDefinition } from '@provisioning/connector-kit';
import { EgressPolicy, createOutboundHttp } from '@provisioning/egress';
import { openDatabase } from '@provisioning/persistence';
import { ensureTestDatabase, testDatabaseUrl } from '@provisioning/persistence/testing';
import type { DatabaseHandle } from '@provisioning/persistence';
import {
  ConnectorInstances,
  ConnectorRegistry,
  IdentityProviderService,
  JobDelivery,
  JobStore,
  ClusterSignals,
  ProvisioningOutbox,
  ProvisioningWorker,
  ResidentServiceProviderService,
  SecretBox,
} from '../../src/index';
import type { CoreLogger, ProvisioningSettings } from '../../src/index';

export const silentLogger: CoreLogger = { debug() {}, info() {}, warn() {}, error() {}, child: () => silentLogger };

/** The core's services wired by hand (no container) on a fresh SQLite file, for engine tests. */
export interface TestEngine {
  database: DatabaseHandle;
  idps: IdentityProviderService;
  resident: ResidentServiceProviderService;
  outbox: ProvisioningOutbox;
  worker: ProvisioningWorker;
}

/** A fresh, migrated database of the dialect under test (PROVISIONING_TEST_DATABASE). */
export async function openTestDatabase(prefix: string): Promise<DatabaseHandle> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const url = testDatabaseUrl(dir, dir);
  await ensureTestDatabase(url);
  return openDatabase(url);
}

export async function startTestEngine(prefix: string, definitions: readonly ConnectorDefinition[], settings: ProvisioningSettings): Promise<TestEngine> {
  const database = await openTestDatabase(prefix);
  const registry = new ConnectorRegistry(definitions);
  // Engine tests talk to loopback doubles, as an operator would list them in [outbound] allowed_hosts.
  const egress = new EgressPolicy({ allowedHosts: ['127.0.0.1', 'localhost'] });
  const idps = new IdentityProviderService(database, registry, new SecretBox(randomBytes(32)), egress);
  const resident = new ResidentServiceProviderService(database, idps, registry);
  const store = new JobStore(database);
  const signals = new ClusterSignals(database, silentLogger);
  const outbox = new ProvisioningOutbox(resident, store, signals, silentLogger, settings);
  const delivery = new JobDelivery(store, idps, new ConnectorInstances(registry, settings, silentLogger, createOutboundHttp(egress)), settings, silentLogger);
  const worker = new ProvisioningWorker(store, delivery, signals, settings, silentLogger);
  return { database, idps, resident, outbox, worker };
}
