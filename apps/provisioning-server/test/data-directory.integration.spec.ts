import { chmodSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { testDialect } from '@provisioning/persistence/testing';
import { startGuideServer } from './support/in-process';
import { ADMIN, tempDir } from './support/server-process';

const modeOf = (path: string) => statSync(path).mode & 0o777;

describe('the data directory', () => {
  it('is private to the server: the folder 0700, the database, its journal and the secret key 0600', async () => {
    const dataDir = join(tempDir('data-modes-'), 'data');
    const { server } = await startGuideServer('data-modes-', { dataDir });
    try {
      // A write so the WAL and shared-memory files exist.
      await request(server.url)
        .post('/scim2/Users')
        .auth(ADMIN.username, ADMIN.password)
        .send({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'modes@wso2.com' })
        .expect(201);
      expect(modeOf(dataDir)).toBe(0o700);
      // On PostgreSQL the database lives in the database server; the key file is still here.
      const files = testDialect() === 'sqlite' ? ['provisioning.db', 'provisioning.db-wal', 'provisioning.db-shm', 'secret.key'] : ['secret.key'];
      for (const file of files) {
        const path = join(dataDir, file);
        if (file !== 'secret.key' || existsSync(path)) expect(modeOf(path), file).toBe(0o600);
      }
    } finally {
      await server.close();
    }
  });

  it.skipIf(testDialect() !== 'sqlite')('tightens a data directory and SQLite database that others could read', async () => {
    const dataDir = join(tempDir('data-loose-'), 'data');
    mkdirSync(dataDir, { mode: 0o755 });
    chmodSync(dataDir, 0o755);
    const first = await startGuideServer('data-loose-', { dataDir });
    await first.server.close();
    chmodSync(join(dataDir, 'provisioning.db'), 0o644);
    chmodSync(dataDir, 0o755);
    const second = await startGuideServer('data-loose-', { dataDir });
    try {
      expect(modeOf(dataDir)).toBe(0o700);
      expect(modeOf(join(dataDir, 'provisioning.db'))).toBe(0o600);
    } finally {
      await second.server.close();
    }
  });
});
