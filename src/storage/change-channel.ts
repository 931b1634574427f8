import type { JsonObject } from '../core/json.js';

/**
 * Carries small messages from this process to every other Hearth process on the same database
 * (PostgreSQL: NOTIFY/LISTEN). A process never receives its own messages. Delivery is best effort:
 * messages are hints (wake-ups, typing notifications), never data a client could lose; when the
 * channel may have dropped some (a lost connection), subscribers hear `onGap` once it is back.
 */
export interface ChangeChannel {
  publish(message: JsonObject): void;
  subscribe(onMessage: (message: JsonObject) => void, onGap: () => void): void;
  close(): Promise<void>;
}

/** One process owns the database (SQLite): there is nobody to tell. */
export class LocalChannel implements ChangeChannel {
  publish(): void {}
  subscribe(): void {}
  async close(): Promise<void> {}
}
