import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { DatabaseHandle } from '@provisioning/persistence';
import type { SignInCounters, WindowCount } from './sign-in-limits';

/**
 * Sign-in counters in the database (`sign_in_counters`): one budget per key for the whole cluster,
 * so a guesser gains nothing by spreading attempts over the instances behind a load balancer. An
 * increment is one upsert that also restarts an ended window; ended windows are swept now and then.
 * Keys are stored as SHA-256 digests: the table holds no names or addresses, and no byte a database
 * refuses in text (keys join their parts with NUL).
 */
export class DatabaseSignInCounters implements SignInCounters {
  #lastSweep = 0;

  constructor(private readonly database: DatabaseHandle) {}

  async get(scope: string, key: string, now: number): Promise<WindowCount | undefined> {
    const row = await this.database.db
      .selectFrom('sign_in_counters')
      .select(['count', 'window_ends'])
      .where('scope', '=', scope)
      .where('counter_key', '=', digest(key))
      .where('window_ends', '>', now)
      .executeTakeFirst();
    return row ? { count: row.count, windowEnds: row.window_ends } : undefined;
  }

  async increment(scope: string, key: string, now: number, windowMs: number): Promise<void> {
    await this.database.db
      .insertInto('sign_in_counters')
      .values({ scope, counter_key: digest(key), count: 1, window_ends: now + windowMs })
      .onConflict((oc) =>
        oc.columns(['scope', 'counter_key']).doUpdateSet({
          count: sql<number>`case when sign_in_counters.window_ends <= ${now} then 1 else sign_in_counters.count + 1 end`,
          window_ends: sql<number>`case when sign_in_counters.window_ends <= ${now} then ${now + windowMs} else sign_in_counters.window_ends end`,
        }),
      )
      .execute();
    await this.sweep(now);
  }

  async clear(scope: string, key: string): Promise<void> {
    await this.database.db.deleteFrom('sign_in_counters').where('scope', '=', scope).where('counter_key', '=', digest(key)).execute();
  }

  /** Ended windows go, at most once a minute (the table holds only live budgets). */
  private async sweep(now: number): Promise<void> {
    if (now - this.#lastSweep < 60_000) return;
    this.#lastSweep = now;
    await this.database.db.deleteFrom('sign_in_counters').where('window_ends', '<=', now).execute();
  }
}

function digest(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}
