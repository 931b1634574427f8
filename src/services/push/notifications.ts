import { invalidParam } from '../../core/errors.js';
import type { JsonObject } from '../../core/json.js';
import type { Store } from '../../storage/store.js';
import type { Requester } from '../requester.js';
import type { ClientEvents } from '../rooms/client-events.js';
import type { NotificationRecorder } from './notification-recorder.js';

/** `limit` when none is given, and the most one page holds. */
const DEFAULT_LIMIT = 20;
const MAX_LIMIT = 100;

/**
 * `GET /notifications`: the user's recorded notifications, newest first, `read` following their
 * `m.read` receipts; a forgotten room's no longer appear. The token is the stream position to
 * continue before. Events not yet evaluated are evaluated first, so a notification shows as soon
 * as its event was sent.
 */
export class Notifications {
  constructor(private readonly deps: { store: Store; recorder: NotificationRecorder; events: ClientEvents }) {}

  async list(requester: Requester, q: { from?: string; limit?: number; only?: string }): Promise<JsonObject> {
    const beforePos = q.from === undefined ? undefined : parseToken(q.from);
    const limit = Math.min(Math.max(q.limit ?? DEFAULT_LIMIT, 1), MAX_LIMIT);
    await this.deps.recorder.catchUp();
    const rows = await this.deps.store.notifications.list(requester.userId, { ...(beforePos === undefined ? {} : { beforePos }), limit, onlyHighlight: q.only === 'highlight' });
    const stored = new Map((await this.deps.store.events.getMany(rows.map((r) => r.eventId))).map((e) => [e.event.event_id, e]));
    const notifications: JsonObject[] = [];
    for (const row of rows) {
      const event = stored.get(row.eventId);
      if (!event) continue;
      const [client] = await this.deps.events.format([event]);
      notifications.push({ actions: row.actions as JsonObject[], event: client as unknown as JsonObject, read: row.read, room_id: row.roomId, ts: row.ts });
    }
    const last = rows[rows.length - 1];
    return { notifications, ...(rows.length === limit && last ? { next_token: String(last.pos) } : {}) };
  }
}

function parseToken(token: string): number {
  if (!/^[0-9]{1,15}$/.test(token)) throw invalidParam('from is not a token this server gave');
  return Number(token);
}
