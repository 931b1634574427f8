import type { Clock } from '../../core/clock.js';
import type { Store } from '../../storage/store.js';
import { PeriodicJob } from '../periodic-job.js';
import type { PurgeLogger } from './forgotten-rooms.js';

/**
 * How long a transaction ID is remembered: a client retrying a send or a to-device message within
 * this time gets the first answer instead of a second event (Synapse keeps them a day too).
 */
export const TRANSACTION_ID_LIFETIME_MS = 24 * 3_600_000;
/** How often expired transaction IDs are deleted. */
export const TRANSACTION_ID_EXPIRY_INTERVAL_MS = 3_600_000;

/** Deletes expired transaction IDs of sends and to-device messages, so those tables stop growing. */
export class TransactionIdExpiry extends PeriodicJob {
  constructor(private readonly deps: { store: Store; clock: Clock; logger: PurgeLogger }) {
    super(deps.store, 'expire transaction ids');
  }

  /** One pass: the number of transaction IDs deleted. */
  protected async pass(): Promise<number> {
    try {
      const deleted = await this.deps.store.purge.expireTransactionIds(this.deps.clock.now() - TRANSACTION_ID_LIFETIME_MS);
      if (deleted > 0) this.deps.logger.info({ deleted }, 'deleted expired transaction IDs');
      return deleted;
    } catch (err) {
      this.deps.logger.error({ err }, 'expiring transaction IDs failed; will retry');
      return 0;
    }
  }
}
