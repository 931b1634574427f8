import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from './tables.js';

interface Job {
  run: (trx: Transaction<Database>) => Promise<unknown>;
  afterCommit: (() => void) | undefined;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

/** Jobs committed together at most; bounds the latency one batch adds to its last job. */
const MAX_BATCH = 64;

/**
 * Group commit for SQLite: transactions that arrive while one commits are run one after another
 * inside a single database transaction, each in its own savepoint (a failing one rolls back only
 * itself), and the whole batch is made durable by one COMMIT and one sync of the log (`syncLog`,
 * see sqlite.ts; without it the COMMIT itself is as durable as the database is configured). No job
 * is answered before its batch is durable, so every acknowledged write is on disk. The next batch
 * runs while the previous one's sync is under way. SQLite has one writer anyway: running the jobs in
 * turn changes no outcome, only the number of fsyncs.
 */
export class GroupCommitter {
  private readonly queue: Job[] = [];
  private draining: Promise<void> | undefined;

  constructor(private readonly db: Kysely<Database>, private readonly syncLog?: () => Promise<void>) {}

  /** Waits for queued jobs and their sync (before closing the database). */
  async settle(): Promise<void> {
    await this.draining;
    await this.syncLog?.().catch(() => {});
  }

  /** Runs `fn` in the next batch; `afterCommit` runs once the batch's COMMIT succeeded, before its log sync. */
  run<T>(fn: (trx: Transaction<Database>) => Promise<T>, afterCommit?: () => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ run: fn, afterCommit, resolve: resolve as (v: unknown) => void, reject });
      this.draining ??= this.drain();
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) await this.commitBatch(this.queue.splice(0, MAX_BATCH));
    } finally {
      this.draining = undefined;
    }
  }

  private async commitBatch(batch: Job[]): Promise<void> {
    const outcomes: Array<{ ok: true; value: unknown } | { ok: false; err: unknown }> = [];
    try {
      await this.db.transaction().execute(async (trx) => {
        for (const job of batch) {
          await sql.raw('SAVEPOINT hearth_job').execute(trx);
          try {
            const value = await job.run(trx);
            await sql.raw('RELEASE hearth_job').execute(trx);
            outcomes.push({ ok: true, value });
          } catch (err) {
            await sql.raw('ROLLBACK TO hearth_job').execute(trx);
            await sql.raw('RELEASE hearth_job').execute(trx);
            outcomes.push({ ok: false, err });
          }
        }
      });
    } catch (err) {
      // The COMMIT itself failed: nothing of this batch is durable, so every job fails.
      for (const job of batch) job.reject(err);
      return;
    }
    const answer = (syncError?: unknown) => batch.forEach((job, i) => {
      const outcome = outcomes[i]!;
      // A failed sync leaves the batch's durability unknown: nobody is told it succeeded.
      if (syncError !== undefined) job.reject(syncError);
      else if (outcome.ok) job.resolve(outcome.value);
      else job.reject(outcome.err);
    });
    const synced = this.syncLog?.();
    // Committed and visible: wake-ups may go (their answers wait for the sync, see whenDurable).
    batch.forEach((job, i) => {
      if (!outcomes[i]!.ok) return;
      try {
        job.afterCommit?.();
      } catch {
        // A wake-up that failed must not keep the batch from being answered.
      }
    });
    if (!synced) return answer();
    synced.then(() => answer(), (err: unknown) => answer(err));
  }
}
