import type { Notifier } from '../notifier.js';
import type { PurgeLogger } from '../purge/forgotten-rooms.js';
import { PeriodicJob } from '../periodic-job.js';
import type { Store } from '../../storage/store.js';
import type { NotificationRecorder } from './notification-recorder.js';
import type { PushDelivery } from './push-delivery.js';

/** Retries and anything a wake-up missed are picked up this often. */
export const PUSH_INTERVAL_MS = 5_000;

/**
 * The push pipeline as one background job: record the notifications of new events, then send
 * what is due to the gateways. It runs every PUSH_INTERVAL_MS and at once after each stored event
 * (the notifier's announcements, from any process; typing and receipts do not start a pass); an
 * event during a pass runs another.
 */
export class PushWorker extends PeriodicJob {
  private kicked: Promise<void> | undefined;
  private again = false;

  constructor(private readonly deps: { store: Store; notifier: Notifier; recorder: NotificationRecorder; delivery: PushDelivery; logger: PurgeLogger }) {
    super(deps.store, 'push');
  }

  override start(intervalMs: number, firstRunMs?: number): void {
    super.start(intervalMs, firstRunMs);
    this.deps.notifier.observe((change) => {
      if (change.event === true || change.everyone === true) this.kick();
    });
  }

  override async stop(): Promise<void> {
    this.deps.notifier.observe(undefined);
    await super.stop();
    await this.kicked;
  }

  protected async pass(): Promise<number> {
    try {
      const recorded = await this.deps.recorder.catchUp();
      return recorded + await this.deps.delivery.deliverDue();
    } catch (err) {
      this.deps.logger.error({ err }, 'push: recording or delivering notifications failed; will retry');
      throw err;
    }
  }

  private kick(): void {
    if (this.kicked) {
      this.again = true;
      return;
    }
    this.kicked = (async () => {
      do {
        this.again = false;
        // A failed pass logged itself and is retried at the next turn.
        await this.runOnce().catch(() => {});
      } while (this.again);
      this.kicked = undefined;
    })();
  }
}
