import type { Clock } from '../../core/clock.js';
import type { RoomId } from '../../core/ids.js';
import type { Store } from '../../storage/store.js';
import { PeriodicJob } from '../periodic-job.js';

export interface PurgeLogger {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface PurgeDeps {
  store: Store;
  clock: Clock;
  /** Rooms are purged this long after the last local user forgot them. */
  retentionMs: number;
  logger: PurgeLogger;
  onPurged: (roomId: RoomId) => void;
}

/** Rooms looked at per run; a backlog is worked through over several runs. */
const BATCH = 100;

/**
 * Deletes rooms that every local user forgot (LEAVING.md "Deleting rooms that every local user
 * forgot"). Eligibility is derived from stored data, so the job survives restarts; it is re-checked
 * inside each room's purging transaction, under the room lock, because someone may have rejoined.
 */
export class ForgottenRoomPurger extends PeriodicJob {
  constructor(private readonly deps: PurgeDeps) {
    super(deps.store, 'purge forgotten rooms');
  }

  /** One pass: the number of rooms purged. */
  protected async pass(): Promise<number> {
    const cutoff = this.deps.clock.now() - this.deps.retentionMs;
    let purged = 0;
    try {
      for (const roomId of await this.deps.store.purge.eligibleRooms(cutoff, BATCH)) {
        const deleted = await this.deps.store.transaction(async (tx) => {
          await tx.rooms.lock(roomId);
          if (!(await tx.purge.isEligible(roomId, cutoff))) return undefined;
          return tx.purge.deleteRoom(roomId);
        });
        if (!deleted) continue;
        purged++;
        this.deps.onPurged(roomId);
        this.deps.logger.info({ roomId, deleted }, 'purged a room every local user forgot');
      }
    } catch (err) {
      this.deps.logger.error({ err }, 'forgotten-room purge failed; will retry');
    }
    return purged;
  }
}
