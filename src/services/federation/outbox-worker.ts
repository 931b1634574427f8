/**
 * Delivers the federation outbox (`store.outbox`): work that must reach another server, kept on
 * disk until a server accepts it or a newer item with the same key supersedes it. There is no
 * giving up: a failed attempt is retried with back-off (OUTBOX_BACKOFF) for as long as it takes.
 *
 * Every process runs a worker. A worker claims due items with a lease (`claimDue`), so two
 * processes never work on one item at once, and an item whose worker died or was stopped
 * mid-attempt is simply due again when its lease ends. A claimed item goes to the handler of its
 * kind; success removes it (unless it was superseded meanwhile: `remove` by id leaves the newer
 * item alone), failure reschedules it. The worker wakes when a service queued something
 * (`wake()`, after the commit) and otherwise when the earliest item falls due, looking at least
 * every OUTBOX_IDLE_CHECK_MS for items another process queued.
 */
import { retryDelayMs, type BackoffPolicy } from '../../core/backoff.js';
import type { Clock } from '../../core/clock.js';
import type { OutboxItem, OutboxStore } from '../../storage/outbox-store.js';
import type { SigningKey } from '../../core/events/signing-key.js';
import { FederationRequestError, type FederationRequester } from './federation-client.js';
import { FEDERATION_TIMEOUT_MS } from './outbound.js';

/** 30 seconds after the first failure, doubling up to an hour: a server down for a day is asked about 30 times. */
export const OUTBOX_BACKOFF: BackoffPolicy = { initialMs: 30_000, maxMs: 3_600_000 };
/** How long a claimed item is left alone by other workers: long enough for several destinations' exchanges. */
export const OUTBOX_LEASE_MS = 10 * 60_000;
/** Items one process delivers at once: a slow server does not hold up the others' items. */
export const OUTBOX_CONCURRENCY = 16;
/** The longest the worker sleeps without looking: another process's enqueue does not wake this one. */
export const OUTBOX_IDLE_CHECK_MS = 30_000;
/** The shortest sleep, so an item another process is claiming right now is not polled in a loop. */
const MIN_SLEEP_MS = 1000;
/** Room for the exchanges of one destination (make_leave, send_leave v2, then v1) before the lease ends. */
const LAST_START_BEFORE_LEASE_END_MS = 3 * FEDERATION_TIMEOUT_MS;
const MAX_ERROR_TEXT = 1000;

/** A failure a handler describes itself, in words safe to store and log (no internals, no peer text beyond an errcode). */
export class DeliveryError extends Error {
  override readonly name = 'DeliveryError';
}

export interface DestinationFailure {
  destination: string;
  error: unknown;
}

/** What one attempt came to. `unusable`: the item can never be delivered (malformed payload); it is removed. */
export type Attempt =
  | { result: 'delivered'; destination: string; failures: DestinationFailure[] }
  | { result: 'failed'; failures: DestinationFailure[] }
  | { result: 'unusable'; reason: string };

/**
 * Delivers one item. `deadline` (clock time): no new destination is started after it, so the
 * attempt ends before its lease does. Throws only for what is not about a destination.
 */
export type OutboxHandler = (item: OutboxItem, deadline: number) => Promise<Attempt>;

/** What the handlers deliver with: the app's federation client, and this server's name and key. */
export interface DeliveryDeps {
  requester: FederationRequester;
  serverName: string;
  signingKey: SigningKey;
  clock: Clock;
}

export interface OutboxLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** What the metrics count: attempts by kind and result (`dropped`: unknown kind or unusable payload). */
export type DeliveryResult = 'delivered' | 'failed' | 'dropped';

export interface OutboxWorkerDeps {
  store: { outbox: OutboxStore };
  clock: Clock;
  handlers: Readonly<Record<string, OutboxHandler>>;
  logger: OutboxLogger;
  /** Jitter of the back-off, 0 to 1. */
  random: () => number;
}

export class OutboxWorker {
  private readonly inFlight = new Map<number, Promise<void>>();
  private pumping: Promise<void> | undefined;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  private started = false;
  private stopped = false;
  private readonly counts = new Map<string, { kind: string; result: DeliveryResult; count: number }>();

  constructor(private readonly deps: OutboxWorkerDeps) {}

  /** Starts delivering: what is due now, then as items fall due. */
  start(): void {
    if (this.stopped) return;
    this.started = true;
    this.wake();
  }

  /** Something was queued (call after its commit): look now instead of at the next timer. */
  wake(): void {
    if (!this.started || this.stopped) return;
    this.pump().catch(() => {});
  }

  /**
   * Stops claiming. Attempts under way are not waited for (one may be a 30 s request): what they
   * come to is not recorded, and their items are due again when their leases end.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.pumping?.catch(() => {});
  }

  /** Delivers everything due now, waiting for the attempts to end (tests; the timer does the same in the background). */
  async runOnce(): Promise<void> {
    if (this.stopped) return;
    await this.pump();
    while (this.inFlight.size > 0 || this.pumping) {
      await Promise.all([...this.inFlight.values(), this.pumping]);
    }
  }

  /** Attempts so far, by kind and result (read by the metrics at each scrape). */
  deliveryCounts(): { kind: string; result: DeliveryResult; count: number }[] {
    return [...this.counts.values()].map((c) => ({ ...c }));
  }

  /** One claiming pass at a time; a wake during a pass makes it claim once more. */
  private pump(): Promise<void> {
    if (this.pumping) {
      this.again = true;
      return this.pumping;
    }
    this.pumping = (async () => {
      try {
        do {
          this.again = false;
          await this.claim();
          if (!this.again) await this.arm();
        } while (this.again && !this.stopped);
      } catch (err) {
        // The database may be unreachable: try again at the next turn.
        this.deps.logger.error({ err }, 'federation outbox: could not claim due items; will retry');
        this.armIn(OUTBOX_IDLE_CHECK_MS);
      }
    })().finally(() => {
      this.pumping = undefined;
    });
    return this.pumping;
  }

  private async claim(): Promise<void> {
    const free = OUTBOX_CONCURRENCY - this.inFlight.size;
    if (free <= 0 || this.stopped) return;
    const now = this.deps.clock.now();
    const leaseUntil = now + OUTBOX_LEASE_MS;
    const items = await this.deps.store.outbox.claimDue(now, leaseUntil, free);
    for (const item of items) {
      const attempt = this.attempt(item, leaseUntil - LAST_START_BEFORE_LEASE_END_MS).finally(() => {
        this.inFlight.delete(item.id);
        // A free place: claim what else is due, and re-arm the timer for what is not.
        if (!this.stopped) this.pump().catch(() => {});
      });
      this.inFlight.set(item.id, attempt);
    }
    // A full batch: there may be more due.
    if (items.length === free) this.again = true;
  }

  /** Sleeps until the earliest item is due (bounded). While every place is taken, an ending attempt wakes the worker instead. */
  private async arm(): Promise<void> {
    if (!this.started || this.stopped || this.inFlight.size >= OUTBOX_CONCURRENCY) return;
    const next = await this.deps.store.outbox.nextDueTs();
    this.armIn(next === undefined ? OUTBOX_IDLE_CHECK_MS : next - this.deps.clock.now());
  }

  private armIn(ms: number): void {
    if (!this.started || this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.wake(), Math.min(Math.max(ms, MIN_SLEEP_MS), OUTBOX_IDLE_CHECK_MS));
    this.timer.unref();
  }

  /** One attempt at one item, and its bookkeeping. Never throws. */
  private async attempt(item: OutboxItem, deadline: number): Promise<void> {
    const { logger } = this.deps;
    const attempt = item.attempts + 1;
    const context = { kind: item.kind, attempt, key: item.supersedeKey };
    try {
      const handler = Object.prototype.hasOwnProperty.call(this.deps.handlers, item.kind) ? this.deps.handlers[item.kind] : undefined;
      const outcome: Attempt = handler ? await handler(item, deadline) : { result: 'unusable', reason: 'unknown kind' };
      if (this.stopped) return;
      if (outcome.result === 'unusable') {
        logger.error({ ...context, reason: outcome.reason }, 'federation outbox: dropped an item that cannot be delivered');
        this.count(item.kind, 'dropped');
        await this.deps.store.outbox.remove(item.id);
        return;
      }
      const texts = outcome.failures.map((f) => this.logFailure(f, context));
      if (outcome.result === 'delivered') {
        this.count(item.kind, 'delivered');
        const removed = await this.deps.store.outbox.remove(item.id);
        logger.info({ ...context, destination: outcome.destination, superseded: !removed }, 'federation outbox: delivered');
        return;
      }
      this.count(item.kind, 'failed');
      await this.reschedule(item, texts.length > 0 ? texts.join('; ') : 'no destination');
    } catch (err) {
      if (this.stopped) return;
      logger.error({ ...context, err }, 'federation outbox: an attempt failed unexpectedly; will retry');
      this.count(item.kind, 'failed');
      await this.reschedule(item, 'internal error').catch((e: unknown) => {
        logger.error({ ...context, err: e }, 'federation outbox: could not reschedule; due again when its lease ends');
      });
    }
  }

  private async reschedule(item: OutboxItem, error: string): Promise<void> {
    const failures = item.attempts + 1;
    const delay = retryDelayMs(OUTBOX_BACKOFF, failures, this.deps.random());
    // A no-op when the item was superseded meanwhile: the newer one is due on its own terms.
    await this.deps.store.outbox.reschedule(item.id, this.deps.clock.now() + delay, error.slice(0, MAX_ERROR_TEXT));
    this.deps.logger.info({ kind: item.kind, attempt: failures, key: item.supersedeKey, retryInMs: delay }, 'federation outbox: will retry');
  }

  /** Logs one destination's failure; returns its short text for `last_error`. */
  private logFailure(failure: DestinationFailure, context: object): string {
    const text = `${failure.destination}: ${describeFailure(failure.error)}`;
    const known = failure.error instanceof FederationRequestError || failure.error instanceof DeliveryError;
    if (known) this.deps.logger.warn({ ...context, destination: failure.destination, error: text }, 'federation outbox: a destination failed');
    else this.deps.logger.error({ ...context, destination: failure.destination, err: failure.error }, 'federation outbox: a destination failed unexpectedly');
    return text;
  }

  private count(kind: string, result: DeliveryResult): void {
    const key = `${kind}\u0000${result}`;
    const entry = this.counts.get(key) ?? { kind, result, count: 0 };
    entry.count += 1;
    this.counts.set(key, entry);
  }
}

/** Short words for a failure: the kind of federation error, its status and errcode; never a stack or an address. */
export function describeFailure(error: unknown): string {
  if (error instanceof DeliveryError) return error.message;
  if (error instanceof FederationRequestError) {
    if (error.kind === 'refused') return `refused ${error.status ?? ''}${error.errcode ? ` ${error.errcode}` : ''}`.trim();
    return error.kind === 'unreachable' ? 'unreachable' : 'bad response';
  }
  return 'internal error';
}
