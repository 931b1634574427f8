import type { UserId } from '../../core/ids.js';
import type { Store } from '../../storage/store.js';
import { PeriodicJob } from '../periodic-job.js';
import type { PurgeLogger } from '../purge/forgotten-rooms.js';
import type { Deactivation } from './deactivation.js';

/**
 * How often the job looks for unfinished deactivations. A deactivation finishes within its request
 * unless the process dies or the database fails part-way, so little is ever found: hourly, as the
 * transaction-ID expiry, plus one pass soon after start-up, where a crash's leftovers are found.
 */
export const DEACTIVATION_RESUME_INTERVAL_MS = 3_600_000;
/** The start-up pass runs this long after start, out of the way of the first requests. */
export const DEACTIVATION_RESUME_FIRST_RUN_MS = 2_000;

/** Deactivated accounts looked up per query; a pass pages through all of them. */
const BATCH = 100;

/**
 * Finishes deactivations that a crash or a failure interrupted (LEAVING.md "Account deactivation":
 * no room's purge may be held up by a deactivated user). Its work is derived from stored data, the
 * accounts marked deactivated that still have a room they have not forgotten, and each is finished
 * by the same `Deactivation.finish` the request runs. This also covers an invite or a ban that
 * reaches an account after it was deactivated.
 */
export class DeactivationResume extends PeriodicJob {
  constructor(private readonly deps: { store: Store; deactivation: Deactivation; logger: PurgeLogger }) {
    super(deps.store, 'resume deactivations');
  }

  /** One pass: the number of rooms left or forgotten for deactivated accounts. */
  protected async pass(): Promise<number> {
    const { store, deactivation, logger } = this.deps;
    let rooms = 0;
    try {
      // Keyset pages: each query starts after the last user seen, so an account that keeps failing
      // is retried next pass without keeping the others waiting, and the loop always ends.
      let after: UserId | null = null;
      for (;;) {
        const users: UserId[] = await store.accounts.deactivatedWithRooms(after, BATCH);
        for (const userId of users) {
          try {
            const n = await deactivation.finish(userId);
            rooms += n;
            logger.info({ userId, rooms: n }, 'finished deactivating an account');
          } catch (err) {
            logger.error({ err, userId }, 'finishing a deactivation failed; will retry');
          }
        }
        if (users.length < BATCH) break;
        after = users[users.length - 1]!;
      }
    } catch (err) {
      logger.error({ err }, 'looking for unfinished deactivations failed; will retry');
    }
    return rooms;
  }
}
