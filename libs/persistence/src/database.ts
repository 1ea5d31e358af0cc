import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { Migration, MigrationProvider, SqliteDatabase as SqliteDialectDatabase } from 'kysely';
import { ValidationError } from '@provisioning/errors';
import type { Database } from './schema';
import type { SqlDialectName } from './dialect';
import { initialMigration } from './migrations/0001-initial';
import { jobCoalescingMigration } from './migrations/0002-job-coalescing';
import { groupsMigration } from './migrations/0003-groups';
import { jobChainKeyMigration } from './migrations/0004-job-chain-key';
import { jobQueuePerTargetMigration } from './migrations/0005-job-queue-per-target';
import { clusterStateMigration } from './migrations/0006-cluster-state';
import { remoteNameClaimsMigration } from './migrations/0007-remote-name-claims';
import { reconciliationRunsMigration } from './migrations/0009-reconciliation-runs';
import { deprovisionGuardMigration } from './migrations/0010-deprovision-guard';
import { scimSearchIndexesMigration } from './migrations/0011-scim-search-indexes';
import { targetSyncStateMigration } from './migrations/0012-target-sync-state';

/**
 * Messages between the instances sharing a database (PostgreSQL LISTEN/NOTIFY). Delivery is best
 * effort: a listener is re-established after a lost connection, and whoever relies on a message also
 * polls (a message sent while no connection listened is gone).
 */
export interface DatabaseNotifications {
  notify(channel: string, payload: string): Promise<void>;
  /** Calls `listener` for every message on `channel`, this instance's own included; returns the unsubscribe. */
  listen(channel: string, listener: (payload: string) => void): () => void;
}

/** An open database with its dialect; `close` releases the file or pool. */
export interface DatabaseHandle {
  db: Kysely<Database>;
  dialect: SqlDialectName;
  /** Present on PostgreSQL: how instances tell each other about new work and finished jobs. */
  notifications?: DatabaseNotifications;
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
    '0007-remote-name-claims': remoteNameClaimsMigration(dialect),
    '0009-reconciliation-runs': reconciliationRunsMigration(dialect),
    '0010-deprovision-guard': deprovisionGuardMigration(dialect),
    '0011-scim-search-indexes': scimSearchIndexesMigration(dialect),
    '0012-target-sync-state': targetSyncStateMigration(dialect),
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
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
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

/**
 * Kysely prepares every statement anew (a tenth of a SCIM create's CPU): the same SQL text reuses
 * its prepared statement from a small LRU cache. Safe because better-sqlite3 runs each statement to
 * completion synchronously (nothing here streams rows through an open statement).
 */
export function withStatementCache(sqlite: SqliteDatabase.Database, size = 512): SqliteDialectDatabase {
  const cache = new Map<string, SqliteDatabase.Statement>();
  return {
    close: () => void sqlite.close(),
    prepare: (text: string) => {
      let statement = cache.get(text);
      if (statement) {
        cache.delete(text);
      } else {
        statement = sqlite.prepare(text);
        if (cache.size >= size) cache.delete(cache.keys().next().value!);
      }
      cache.set(text, statement);
      return statement;
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
  const notifications = new PostgresNotifications(url, pool);
  return {
    db,
    dialect: 'postgres',
    location: redactUrl(url),
    notifications,
    close: async () => {
      await notifications.close();
      await db.destroy();
    },
  };
}

const CHANNEL = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * LISTEN/NOTIFY on a dedicated connection (a pooled one would hand the LISTEN to whoever takes it
 * next). Connected on the first `listen`; a lost connection is re-established after a pause.
 */
class PostgresNotifications implements DatabaseNotifications {
  readonly #listeners = new Map<string, Set<(payload: string) => void>>();
  #client: pg.Client | undefined;
  #connecting: Promise<void> | undefined;
  #closed = false;
  #retry: NodeJS.Timeout | undefined;

  constructor(
    private readonly url: string,
    private readonly pool: pg.Pool,
  ) {}

  async notify(channel: string, payload: string): Promise<void> {
    if (!CHANNEL.test(channel)) throw new Error(`invalid channel name ${channel}`);
    await this.pool.query('select pg_notify($1, $2)', [channel, payload]);
  }

  listen(channel: string, listener: (payload: string) => void): () => void {
    if (!CHANNEL.test(channel)) throw new Error(`invalid channel name ${channel}`);
    let set = this.#listeners.get(channel);
    if (!set) {
      set = new Set();
      this.#listeners.set(channel, set);
      if (this.#client) void this.#client.query(`listen ${channel}`).catch(() => undefined);
    }
    set.add(listener);
    void this.connect();
    return () => set.delete(listener);
  }

  private connect(): Promise<void> {
    if (this.#client || this.#closed) return Promise.resolve();
    this.#connecting ??= (async () => {
      const client = new pg.Client({ connectionString: this.url });
      client.on('notification', (message) => {
        for (const listener of this.#listeners.get(message.channel) ?? []) listener(message.payload ?? '');
      });
      client.on('error', () => this.lost(client));
      client.on('end', () => this.lost(client));
      try {
        await client.connect();
        for (const channel of this.#listeners.keys()) await client.query(`listen ${channel}`);
        if (this.#closed) {
          await client.end().catch(() => undefined);
          return;
        }
        this.#client = client;
      } catch {
        await client.end().catch(() => undefined);
        this.scheduleReconnect();
      } finally {
        this.#connecting = undefined;
      }
    })();
    return this.#connecting;
  }

  private lost(client: pg.Client): void {
    if (this.#client !== client) return;
    this.#client = undefined;
    void client.end().catch(() => undefined);
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.#closed || this.#retry) return;
    this.#retry = setTimeout(() => {
      this.#retry = undefined;
      void this.connect();
    }, 1_000);
    this.#retry.unref();
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#retry);
    await this.#connecting;
    const client = this.#client;
    this.#client = undefined;
    await client?.end().catch(() => undefined);
  }
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
