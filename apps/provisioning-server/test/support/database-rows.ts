import pg from 'pg';
import { testDatabaseUrl, testDialect } from '@provisioning/persistence/testing';

/**
 * Every row of a PostgreSQL test database as text (for "no secret is stored in plain text" checks);
 * empty on SQLite, whose rows are in the data directory's files, which tests read directly.
 */
export async function databaseRows(dataDir: string): Promise<string> {
  if (testDialect() !== 'postgres') return '';
  const client = new pg.Client({ connectionString: testDatabaseUrl(dataDir, dataDir) });
  await client.connect();
  try {
    const tables = await client.query<{ tablename: string }>("select tablename from pg_tables where schemaname = 'public'");
    const parts: string[] = [];
    for (const { tablename } of tables.rows) parts.push(JSON.stringify((await client.query(`select * from "${tablename}"`)).rows));
    return parts.join('\n');
  } finally {
    await client.end();
  }
}
