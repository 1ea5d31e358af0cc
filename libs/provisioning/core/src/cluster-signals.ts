import { inject, injectable } from 'inversify';
import { DATABASE } from '@provisioning/persistence';
import type { DatabaseHandle } from '@provisioning/persistence';
import type { JobState } from './jobs';
import type { CoreLogger } from './logger';
import { CORE_LOGGER } from './tokens';

const WORK = 'provisioning_work';
const SETTLED = 'provisioning_settled';
/** PostgreSQL's NOTIFY payload limit is 8000 bytes: 150 entries of up to ~40 bytes fit; more are sent in several. */
const MAX_IDS = 150;

type SettledListener = (jobs: Array<{ id: number; state: JobState }>) => void;

/**
 * What the instances sharing a database tell each other: "new work was committed" (every worker
 * claims at once, so delivery latency does not depend on the poll interval) and "these jobs settled"
 * (a blocking SCIM request is answered even when another instance delivered its job). On PostgreSQL
 * through LISTEN/NOTIFY; on SQLite (one instance) within the process. Best effort by design: workers
 * still poll, and waiters still re-read job states, so a lost message only costs a little latency.
 */
@injectable()
export class ClusterSignals {
  readonly #work = new Set<() => void>();
  readonly #settled = new Set<SettledListener>();
  readonly #unlisten: Array<() => void> = [];

  constructor(
    @inject(DATABASE) private readonly database: DatabaseHandle,
    @inject(CORE_LOGGER) private readonly logger: CoreLogger,
  ) {
    const remote = database.notifications;
    if (!remote) return;
    this.#unlisten.push(remote.listen(WORK, () => this.emitWork()));
    this.#unlisten.push(
      remote.listen(SETTLED, (payload) => {
        try {
          this.emitSettled(JSON.parse(payload) as Array<{ id: number; state: JobState }>);
        } catch {
          // Not ours to understand: ignore.
        }
      }),
    );
  }

  /** New jobs were committed (or became due): wake every worker. */
  newWork(): void {
    this.emitWork();
    void this.database.notifications?.notify(WORK, '').catch((error: unknown) => this.logger.warn({ err: error }, 'could not signal new work to other instances'));
  }

  onNewWork(listener: () => void): () => void {
    this.#work.add(listener);
    return () => this.#work.delete(listener);
  }

  /** Jobs reached a terminal state: tell every waiter, on every instance. */
  settled(jobs: Array<{ id: number; state: JobState }>): void {
    if (jobs.length === 0) return;
    this.emitSettled(jobs);
    const remote = this.database.notifications;
    if (!remote) return;
    for (let i = 0; i < jobs.length; i += MAX_IDS) {
      void remote.notify(SETTLED, JSON.stringify(jobs.slice(i, i + MAX_IDS))).catch((error: unknown) => this.logger.warn({ err: error }, 'could not signal settled jobs to other instances'));
    }
  }

  onSettled(listener: SettledListener): () => void {
    this.#settled.add(listener);
    return () => this.#settled.delete(listener);
  }

  private emitWork(): void {
    for (const listener of this.#work) listener();
  }

  private emitSettled(jobs: Array<{ id: number; state: JobState }>): void {
    for (const listener of this.#settled) listener(jobs);
  }
}
