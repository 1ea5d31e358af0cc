import 'reflect-metadata';
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ConnectorDefinition } from '@provisioning/connector-kit';
import { SecretBox } from '@provisioning/core';
import { ValidationError } from '@provisioning/errors';
import { openDatabase } from '@provisioning/persistence';
import { Authenticator, DatabaseSignInCounters } from '@provisioning/user-store';
import type { DatabaseHandle } from '@provisioning/persistence';
import { LocalClaimService } from './claims/local-claim-service';
import { composeServer } from './composition/container';
import type { ServerConfig } from './config/deployment-config';
import { CONNECTORS } from './connectors';
import { buildApp } from './http/app';
import { createLogger } from './logging';
import type { Logger } from './logging';
import { createMetrics } from './metrics';
import { ensureTlsMaterial } from './tls';
import { ensureSuperAdmin } from './users/super-admin';

/**
 * Refuses to start when connector secrets are stored but the key that sealed them is missing or
 * different (a restored data directory without `secret.key`): generating a new key would make every
 * stored secret unreadable and dead-letter the queue.
 */
async function checkSecretKey(config: ServerConfig, database: DatabaseHandle): Promise<void> {
  const sealed = await database.db.selectFrom('idp_connectors').select('secrets').where('secrets', 'is not', null).limit(1).executeTakeFirst();
  if (!sealed?.secrets) return;
  if (!config.security.secretKey && !existsSync(config.security.secretKeyFile)) {
    throw new ValidationError(
      `security.secret_key_file ${config.security.secretKeyFile} is missing, but the database holds connector secrets sealed with it; restore the key file (or set security.secret_key)`,
    );
  }
  const box = config.security.secretKey ? SecretBox.fromBase64(config.security.secretKey) : SecretBox.fromKeyFile(config.security.secretKeyFile);
  try {
    box.open(sealed.secrets);
  } catch {
    throw new ValidationError('the configured secret key cannot open the stored connector secrets: it is not the key they were sealed with (security.secret_key / security.secret_key_file)');
  }
}

export interface RunningServer {
  url: string;
  logger: Logger;
  /** Graceful stop: no new requests, in-flight jobs finished or released, database closed. */
  close(): Promise<void>;
}

export interface StartOptions {
  logger?: Logger;
  connectors?: readonly ConnectorDefinition[];
  /** Called once with a generated super admin password (first start without a configured one). */
  onGeneratedPassword?: (username: string, password: string) => void;
}

/**
 * The data directory holds the database, the secret key and the TLS private key: only the server's
 * own user may enter it (0700), whether we create it or find it looser.
 */
function ensurePrivateDataDir(dataDir: string): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  chmodSync(dataDir, 0o700);
}

/** Opens the store, wires the container, makes sure the super admin exists, listens, starts the worker. */
export async function startServer(config: ServerConfig, options: StartOptions = {}): Promise<RunningServer> {
  const logger = options.logger ?? createLogger(config.logging.level);
  ensurePrivateDataDir(config.server.dataDir);
  const database = await openDatabase(config.databaseUrl, config.baseDir);
  try {
    await checkSecretKey(config, database);
  } catch (error) {
    await database.close();
    throw error;
  }
  const services = composeServer(config, logger, database, options.connectors ?? CONNECTORS);
  const { tenants, policy, users, worker } = services;
  await tenants.ensure(policy.superTenantDomain);
  const { generatedPassword } = await ensureSuperAdmin(database, users, policy, config.superAdmin);
  if (generatedPassword) options.onGeneratedPassword?.(config.superAdmin.username, generatedPassword);

  let ready = false;
  const app = buildApp({
    logger,
    database,
    // Failures are counted in the database: one budget per name and per address for the whole cluster.
    auth: { authenticator: new Authenticator(users, policy, services.credentials, { counters: new DatabaseSignInCounters(database) }), policy, tenants },
    users: { commands: services.userCommands, queries: services.userQueries },
    groups: { commands: services.groupCommands, queries: services.groupQueries },
    idps: services.idps,
    resident: services.resident,
    registry: services.registry,
    claims: new LocalClaimService(database.db),
    operator: services.operator,
    runs: services.runs,
    impact: services.impact,
    isReady: () => ready,
    metrics: createMetrics(services.jobs, worker, services.instances),
    metricsRequireAuth: config.metrics.requireAuthentication,
  });

  let server: Server;
  if (config.server.tls) {
    const tls = await ensureTlsMaterial(config.server.dataDir);
    server = createHttpsServer({ key: tls.key, cert: tls.cert }, app) as unknown as Server;
  } else {
    server = createHttpServer(app);
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.server.port, config.server.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = config.server.host === '0.0.0.0' || config.server.host === '::' ? 'localhost' : config.server.host;
  const url = `${config.server.tls ? 'https' : 'http'}://${host}:${address.port}`;
  if (config.provisioning.workerEnabled) {
    worker.start();
    services.runExecutor.start();
  }
  ready = true;
  logger.info({ url, database: database.location, tls: config.server.tls }, `provisioning server listening on ${url}`);

  let closing: Promise<void> | undefined;
  return {
    url,
    logger,
    close: () => {
      closing ??= (async () => {
        ready = false;
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections?.();
        await services.runExecutor.stop();
        await worker.stop();
        await services.instances.closeAll();
        await services.outboundHttp.close();
        server.closeAllConnections?.();
        await closed;
        await database.close();
        logger.info({}, 'provisioning server stopped');
      })();
      return closing;
    },
  };
}
