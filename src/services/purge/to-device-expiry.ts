import type { Clock } from '../../core/clock.js';
import type { Store } from '../../storage/store.js';
import { PeriodicJob } from '../periodic-job.js';
import type { PurgeLogger } from './forgotten-rooms.js';

/** How often undelivered to-device messages past their retention are deleted. */
export const TO_DEVICE_EXPIRY_INTERVAL_MS = 3_600_000;

/**
 * Deletes to-device messages left undelivered longer than `to_device.undelivered_retention`: a
 * device that never syncs (a lost phone, an abandoned session) stops holding its queue for ever.
 */
export class ToDeviceExpiry extends PeriodicJob {
  constructor(private readonly deps: { store: Store; clock: Clock; logger: PurgeLogger; retentionMs: number }) {
    super(deps.store, 'expire undelivered to-device messages');
  }

  /** One pass: the number of messages deleted. */
  protected async pass(): Promise<number> {
    try {
      const deleted = await this.deps.store.purge.expireToDeviceMessages(this.deps.clock.now() - this.deps.retentionMs);
      if (deleted > 0) this.deps.logger.info({ deleted }, 'deleted undelivered to-device messages past their retention');
      return deleted;
    } catch (err) {
      this.deps.logger.error({ err }, 'expiring to-device messages failed; will retry');
      return 0;
    }
  }
}
