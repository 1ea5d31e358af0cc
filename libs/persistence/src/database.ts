import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { Migration, MigrationProvider } from 'kysely';
import { ValidationError } from '@provisioning/errors';
import type { Database } from './schema';
import type { SqlDialectName } from './dialect';
import { initialMigration } from './migrations/0001-initial';
import { jobCoalescingMigration } from './migrations/0002-job-coalescing';
import { groupsMigration } from './migrations/0003-groups';
import { jobChainKeyMigration } from './migrations/0004-job-chain-key';
import { jobQueuePerTargetMigration } from './migrations/0005-job-queue-per-target';
import { clusterStateMigration } from './migrations/0006-cluster-state';

/** An open database with its dialect; `close` releases the file or pool. */
export interface DatabaseHandle {
  db: Kysely<Database>;
  dialect: SqlDialectName;
  /** Where the data lives, for logs (never contains credentials). */
  location: string;
  close(): Promise<void>;
}

/** Versioned migrations, in order. Never edit a released one: add the next. */
function migrationsFor(dialect: SqlDialectName): Record<string, Migration> {
  return {
    '0001-initial': initialMigration(dialect), '0002-job-coalescing': jobCoalescingMigration, '0003-groups': groupsMigration(dialect),
    '0004-job-chain-key': jobChainKeyMigration(dialect), '0005-job-queue-per-target': jobQueuePerTargetMigration,
    '0006-cluster-state': clusterStateMigration(dialect),
  };
}

class InCodeMigrationProvider implements MigrationProvider {
  constructor(private readonly migrations: Record<string, Migration>) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    return this.migrations;
  }
}

/** Parses `sqlite:<path>`, `sqlite::memory:` or `postgres://...`, relative paths against `baseDir`. */
export function parseDatabaseUrl(url: string, baseDir: string): { dialect: SqlDialectName; target: string } {
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length);
    if (path === '') throw new ValidationError(`database.url "${url}" names no file; use sqlite:./data/provisioning.db`);
    return { dialect: 'sqlite', target: path === ':memory:' ? path : resolve(baseDir, path) };
  }
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    return { dialect: 'postgres', target: url };
  }
  throw new ValidationError(`database.url "${url}" is not supported: use sqlite:<path> or postgres://user@host/db`);
}

/**
 * Opens the database and applies pending migrations. SQLite runs in WAL mode with synchronous=FULL:
 * a change acknowledged to a client survives a crash of the process or of the machine. PostgreSQL
 * gets a pool; `bigint` columns (epoch milliseconds, ids) come back as numbers, as on SQLite.
 */
export async function openDatabase(url: string, baseDir = process.cwd(), options: { poolSize?: number } = {}): Promise<DatabaseHandle> {
  const { dialect, target } = parseDatabaseUrl(url, baseDir);
  if (dialect === 'postgres') return openPostgres(target, options.poolSize ?? 10);
  if (target !== ':memory:') createPrivately(target);
  const sqlite = new SqliteDatabase(target);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  await migrate(db, dialect);
  return {
    db,
    dialect,
    location: target,
    close: async () => {
      await db.destroy();
    },
  };
}

/** int8 (ids, epoch milliseconds, counts) as JS numbers: every value we store is below 2^53. */
const INT8_OID = 20;
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

async function openPostgres(url: string, poolSize: number): Promise<DatabaseHandle> {
  const pool = new pg.Pool({ connectionString: url, max: poolSize, types, connectionTimeoutMillis: 10_000 });
  // A connection lost while idle (server restart) must not crash the process; the pool replaces it.
  pool.on('error', () => undefined);
  try {
    const client = await pool.connect();
    client.release();
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw new ValidationError(`database.url: cannot connect to PostgreSQL at ${redactUrl(url)}: ${(error as Error).message}`);
  }
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  try {
    // Kysely's PostgreSQL migrator holds an advisory lock: instances starting together migrate once.
    await migrate(db, 'postgres');
  } catch (error) {
    await db.destroy().catch(() => undefined);
    throw error;
  }
  return {
    db,
    dialect: 'postgres',
    location: redactUrl(url),
    close: async () => {
      await db.destroy();
    },
  };
}

/** A database URL fit for logs: the password replaced. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url.replace(/:\/\/[^@]*@/, '://***@');
  }
}

/**
 * The database holds password hashes and sealed secrets: its folder is created 0700 and the file
 * 0600 before SQLite opens it (SQLite gives the -wal and -shm files the database file's mode), and an
 * existing file (or journal) readable by others is tightened.
 */
function createPrivately(target: string): void {
  const dir = dirname(target);
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true, mode: 0o700 });
  closeSync(openSync(target, 'a', 0o600));
  for (const file of [target, `${target}-wal`, `${target}-shm`]) {
    if (existsSync(file)) chmodSync(file, 0o600);
  }
}

async function migrate(db: Kysely<Database>, dialect: SqlDialectName): Promise<void> {
  const migrator = new Migrator({ db, provider: new InCodeMigrationProvider(migrationsFor(dialect)) });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error) {
    throw new Error(`database migration ${failed?.migrationName ?? ''} failed: ${String(error)}`, { cause: error });
  }
}
