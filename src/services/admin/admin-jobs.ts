import { randomBytes } from 'node:crypto';
import type { Clock } from '../../core/clock.js';
import { MatrixError } from '../../core/errors.js';
import type { RoomId } from '../../core/ids.js';
import type { JsonObject } from '../../core/json.js';
import type { AdminJob, AdminJobKind, AdminJobStatus } from '../../storage/admin-store.js';
import type { Store } from '../../storage/store.js';
import { PeriodicJob } from '../periodic-job.js';
import type { PurgeLogger } from '../purge/forgotten-rooms.js';

/** A process holds a job it runs this long; each step it records renews it. Another process takes over a job whose lease ran out. */
export const ADMIN_JOB_LEASE_MS = 60_000;
/** How often unfinished jobs nobody holds are looked for (those of a process that died), and soon after start-up. */
export const ADMIN_JOB_RESUME_INTERVAL_MS = 60_000;
export const ADMIN_JOB_RESUME_FIRST_RUN_MS = 2_000;
/** Jobs taken up per pass. */
const BATCH = 20;

/** Records a step: the stage reached and what is done so far (shown by the status endpoints). */
export type JobProgress = (status: AdminJobStatus, result: JsonObject) => Promise<void>;
/** Runs a job to its end from wherever its stored result says it got to; returns the final result. Must be safe to run again. */
export type JobHandler = (job: AdminJob, progress: JobProgress) => Promise<JsonObject>;

/**
 * Admin jobs (room deletions, history purges): stored before they are answered, run in the
 * background, resumed after a restart. A job is run only by the process holding its lease
 * (`adminJobs.claim`: one statement, so on PostgreSQL two processes cannot both take it).
 */
export class AdminJobs extends PeriodicJob {
  private stopped = false;
  private readonly underway = new Set<Promise<void>>();

  constructor(private readonly deps: { store: Store; clock: Clock; logger: PurgeLogger; handlers: Record<AdminJobKind, JobHandler> }) {
    super(deps.store, 'admin jobs');
  }

  /** Stores a job and starts it in this process; returns its ID. */
  async enqueue(kind: AdminJobKind, roomId: RoomId, status: AdminJobStatus, params: JsonObject): Promise<string> {
    const id = randomBytes(12).toString('base64url');
    await this.deps.store.adminJobs.create({ id, kind, roomId, params, status, createdTs: this.deps.clock.now() });
    if (!this.stopped) this.track(this.run(id));
    return id;
  }

  /** Stops taking up jobs and waits for those under way here; a job stored meanwhile waits for the next start. */
  override async stop(): Promise<void> {
    this.stopped = true;
    await super.stop();
    await this.whenIdle();
  }

  /** Resolves once the jobs this process started are done (or interrupted). */
  async whenIdle(): Promise<void> {
    await Promise.all([...this.underway]);
  }

  /** One pass: runs every unfinished job nobody holds; resolves to how many ran. */
  protected async pass(): Promise<number> {
    if (this.stopped) return 0;
    let ran = 0;
    try {
      for (const id of await this.deps.store.adminJobs.claimable(this.deps.clock.now(), BATCH)) {
        if (await this.run(id)) ran++;
      }
    } catch (err) {
      this.deps.logger.error({ err }, 'admin jobs: could not look for unfinished jobs; will retry');
    }
    return ran;
  }

  private track(p: Promise<unknown>): void {
    const done: Promise<void> = p.then(() => {}, () => {}).finally(() => this.underway.delete(done));
    this.underway.add(done);
  }

  /** Runs the job if this process can take it; false when another holds it or it is finished. */
  private async run(id: string): Promise<boolean> {
    const { store, clock, logger } = this.deps;
    const lease = () => clock.now() + ADMIN_JOB_LEASE_MS;
    if (!(await store.adminJobs.claim(id, clock.now(), lease()))) return false;
    const job = await store.adminJobs.get(id);
    if (!job) return false;
    const progress: JobProgress = (status, result) => store.adminJobs.update(id, { status, result, leaseUntil: lease(), ts: clock.now() });
    try {
      const result = await this.deps.handlers[job.kind](job, progress);
      await store.adminJobs.update(id, { status: 'complete', result, leaseUntil: 0, ts: clock.now() });
      logger.info({ id, kind: job.kind, roomId: job.roomId }, 'admin job complete');
    } catch (err) {
      if (!(err instanceof MatrixError)) {
        // The database or a bug, not the request: the job stays unfinished and is run again once its lease ends.
        logger.error({ err, id, kind: job.kind, roomId: job.roomId }, 'admin job interrupted; will retry');
        return true;
      }
      await store.adminJobs.update(id, { status: 'failed', error: err.message, leaseUntil: 0, ts: clock.now() });
      logger.info({ id, kind: job.kind, roomId: job.roomId, error: err.message }, 'admin job failed');
    }
    return true;
  }
}
