import express from 'express';
import type { Express, Request, Response } from 'express';
import type { ConnectorRegistry, IdentityProviderService, ImpactService, OperatorService, ResidentServiceProviderService, RunService } from '@provisioning/core';
import type { DatabaseHandle } from '@provisioning/persistence';
import { sql } from 'kysely';
import type { Registry } from 'prom-client';
import type { LocalClaimService } from '../claims/local-claim-service';
import type { Logger } from '../logging';
import type { GroupCommands, GroupQueries, UserCommands, UserQueries } from '@provisioning/directory';
import { claimsRouter } from './admin/claims-router';
import { identityProvidersRouter } from './admin/identity-providers-router';
import { idpProvisioningRouter, provisioningRouter } from './admin/provisioning-router';
import { residentRouter } from './admin/resident-router';
import { tenantsRouter } from './admin/tenants-router';
import { authenticate, requireRole, tenantResolver } from './auth';
import type { AuthDependencies } from './auth';
import { errorHandler, notFoundHandler } from './error-handler';
import { jsonBody } from './json-body';
import { bulkRouter } from './scim/bulk-router';
import { discoveryRouter } from './scim/discovery-router';
import { groupsRouter } from './scim/groups-router';
import { meRouter } from './scim/me-router';
import { rootSearchRouter } from './scim/root-search-router';
import { scim1Router } from './scim/scim1-router';
import { usersRouter } from './scim/users-router';

/** User writes and reads, as the SCIM routers receive them. */
export interface UserServices {
  commands: UserCommands;
  queries: UserQueries;
}

/** Group writes and reads, as the SCIM routers receive them. */
export interface GroupServices {
  commands: GroupCommands;
  queries: GroupQueries;
}

/** Everything the HTTP layer calls. Routes receive services; they never reach into the container. */
export interface AppServices {
  logger: Logger;
  database: DatabaseHandle;
  auth: AuthDependencies;
  users: UserServices;
  groups: GroupServices;
  idps: IdentityProviderService;
  resident: ResidentServiceProviderService;
  registry: ConnectorRegistry;
  claims: LocalClaimService;
  operator: OperatorService;
  runs: RunService;
  impact: ImpactService;
  isReady: () => boolean;
  metrics: Registry;
  /** `[metrics] require_authentication`: scrapes need an admin's credentials. */
  metricsRequireAuth: boolean;
}

/** Builds the express application (no listening: main.ts does that, tests use supertest). */
export function buildApp(services: AppServices): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);

  app.get('/health/live', (_req, res) => {
    res.json({ status: 'UP' });
  });
  app.get('/health/ready', async (_req: Request, res: Response) => {
    try {
      await sql`select 1`.execute(services.database.db);
      if (!services.isReady()) throw new Error('starting');
      res.json({ status: 'UP', checks: { database: 'UP', worker: 'UP' } });
    } catch {
      res.status(503).json({ status: 'DOWN' });
    }
  });

  const metricsGuard = services.metricsRequireAuth ? [tenantResolver(services.auth), authenticate(services.auth), requireRole()] : [];
  app.get('/metrics', ...metricsGuard, async (_req: Request, res: Response) => {
    res.type(services.metrics.contentType).send(await services.metrics.metrics());
  });

  // Authentication runs before any body is read: an unauthenticated client never gets one parsed.
  const scim = express.Router({ mergeParams: true });
  scim.use('/Me', meRouter(services.users));
  scim.use(discoveryRouter());
  scim.use(requireRole());
  scim.use('/Users', usersRouter(services.users));
  scim.use('/Groups', groupsRouter(services.groups));
  scim.use('/Bulk', bulkRouter(services.users, services.groups, services.logger));
  scim.use(rootSearchRouter(services.users, services.groups));

  const admin = express.Router({ mergeParams: true });
  admin.use(requireRole());
  admin.use('/identity-providers', idpProvisioningRouter(services.operator, services.impact));
  admin.use('/identity-providers', identityProvidersRouter(services.idps, services.resident, services.registry));
  admin.use('/applications/resident', residentRouter(services.resident));
  admin.use('/claim-dialects', claimsRouter(services.claims));
  admin.use('/provisioning', provisioningRouter(services.operator, services.runs));
  admin.use('/tenants', tenantsRouter(services.auth.tenants, services.auth.policy.superTenantDomain));

  const tenant = tenantResolver(services.auth);
  // Above Bulk's advertised maxPayloadSize (1 MiB), so Bulk's own check answers 413 with a SCIM error.
  const signIn = authenticate(services.auth);
  app.use(['/scim2', '/wso2/scim2', '/t/:tenant/scim2'], tenant, signIn, jsonBody('2mb'), scim);
  app.use('/wso2/scim', scim1Router(services.users, services.auth, services.logger));
  app.use(['/api/server/v1', '/t/:tenant/api/server/v1'], tenant, signIn, jsonBody(), admin);

  app.use(notFoundHandler());
  app.use(errorHandler(services.logger));
  return app;
}
