import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { JsonObject } from '../core/json.js';
import { isJsonObject } from '../core/json.js';
import type { ChangeChannel } from './change-channel.js';

const CHANNEL = 'hearth_changes';
/** NOTIFY payloads must stay under 8,000 bytes; a bigger message travels as a gap (receivers re-read everything). */
const MAX_PAYLOAD = 7_900;
const RECONNECT_MS = [100, 500, 1000, 2000, 5000];

/**
 * NOTIFY/LISTEN between the Hearth processes sharing one PostgreSQL database. Messages are sent
 * after the commit they announce, in the order they were published (queued ones go together in one
 * statement, whose notifications PostgreSQL delivers in order), tagged with this process's origin
 * so it ignores its own. The listening connection is opened by the first subscriber and reopened
 * after a loss, which subscribers hear about as a gap.
 */
export class PostgresChannel implements ChangeChannel {
  private readonly origin = randomBytes(8).toString('hex');
  private readonly subscribers: Array<{ onMessage: (m: JsonObject) => void; onGap: () => void }> = [];
  private listener: pg.Client | undefined;
  private queue: string[] = [];
  private sending: Promise<void> | undefined;
  private closed = false;
  private failures = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;

  constructor(private readonly pool: pg.Pool, private readonly url: string) {}

  publish(message: JsonObject): void {
    if (this.closed) return;
    const payload = JSON.stringify({ o: this.origin, m: message });
    this.queue.push(Buffer.byteLength(payload) <= MAX_PAYLOAD ? payload : JSON.stringify({ o: this.origin, gap: true }));
    this.sending ??= this.flush();
  }

  subscribe(onMessage: (message: JsonObject) => void, onGap: () => void): void {
    this.subscribers.push({ onMessage, onGap });
    if (this.subscribers.length === 1) void this.listen(false);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    await this.sending;
    const listener = this.listener;
    this.listener = undefined;
    await listener?.end().catch(() => {});
  }

  private async flush(): Promise<void> {
    while (this.queue.length > 0 && !this.closed) {
      const batch = this.queue;
      this.queue = [];
      // A failed send costs other processes only a wake-up: their long-polls still end at their timeout.
      await this.pool.query('SELECT pg_notify($1, payload) FROM unnest($2::text[]) WITH ORDINALITY AS t(payload, n) ORDER BY n', [CHANNEL, batch]).catch(() => {});
    }
    this.sending = undefined;
  }

  private async listen(afterLoss: boolean): Promise<void> {
    if (this.closed) return;
    const client = new pg.Client({ connectionString: this.url, connectionTimeoutMillis: 5000 });
    const lost = () => {
      if (this.listener !== client) return;
      this.listener = undefined;
      void client.end().catch(() => {});
      this.retry();
    };
    client.on('error', lost);
    client.on('end', lost);
    client.on('notification', (n) => this.receive(n.payload));
    try {
      this.listener = client;
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
    } catch {
      lost();
      return;
    }
    if (this.closed) {
      await client.end().catch(() => {});
      return;
    }
    this.failures = 0;
    if (afterLoss) for (const s of this.subscribers) s.onGap();
  }

  private retry(): void {
    if (this.closed) return;
    const delay = RECONNECT_MS[Math.min(this.failures++, RECONNECT_MS.length - 1)]!;
    this.reconnectTimer = setTimeout(() => void this.listen(true), delay);
    this.reconnectTimer.unref();
  }

  private receive(payload: string | undefined): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(payload ?? '');
    } catch {
      return;
    }
    if (!isJsonObject(parsed) || parsed['o'] === this.origin) return;
    const message = parsed['m'];
    for (const s of this.subscribers) {
      if (isJsonObject(message)) s.onMessage(message);
      else s.onGap();
    }
  }
}
