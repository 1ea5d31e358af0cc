import { startGuideServer } from './in-process';
import { rmSync } from 'node:fs';
import type request from 'supertest';
import { expect } from 'vitest';
import type { RunningServer } from '../../src/server';
import { ADMIN } from './server-process';

export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ENTERPRISE_SCHEMA = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const SEARCH_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';
export const BULK_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';

/** The RFC 7643/7644 samples, kept with libs/scim (its `./testing` entry). */
export { readSample } from '@provisioning/scim/testing';

export interface SampleIndex {
  rfc7643: Array<{ file: string; description: string }>;
  rfc7644_patch: Array<{ file: string; description: string }>;
}

/** A server started in-process on the guide's configuration (email usernames, admin@wso2.com:admin), no IdP. */
export interface ScimServer {
  url: string;
  server: RunningServer;
  close(): Promise<void>;
}

export async function startScimServer(prefix: string): Promise<ScimServer> {
  const { server, dataDir } = await startGuideServer(prefix);
  return {
    url: server.url,
    server,
    close: async () => {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Basic authentication as the super admin. */
export const asAdmin = (test: request.Test): request.Test => test.auth(ADMIN.username, ADMIN.password);

/** A SCIM 2.0 user body with an email username (the guide's regex). */
export function scimUser(userName: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { schemas: [USER_SCHEMA], userName, ...extra };
}

/** An RFC 7644 3.12 error response with this status (and scimType, when given). */
export function expectScimError(res: request.Response, status: number, scimType?: string): void {
  const context = `${res.status} ${JSON.stringify(res.body)}`;
  expect(res.status, context).toBe(status);
  expect(res.type, context).toBe('application/scim+json');
  expect(res.body, context).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: String(status), detail: expect.any(String) });
  if (scimType !== undefined) expect(res.body.scimType, context).toBe(scimType);
}
