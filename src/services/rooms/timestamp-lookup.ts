import { notFound } from '../../core/errors.js';
import type { EventId, RoomId } from '../../core/ids.js';
import type { Store } from '../../storage/store.js';
import type { Requester } from '../requester.js';
import type { RoomReadAccess } from './room-access.js';

const BATCH = 50;
/** Candidates looked at before answering 404: a user who may see little of a long room costs a bounded amount. */
export const MAX_TIMESTAMP_CANDIDATES = 1000;

/**
 * `GET /v1/rooms/{roomId}/timestamp_to_event`: the event nearest to a time in one direction that the
 * requester may see (history visibility as for /messages; a departed user up to their leave).
 */
export class TimestampLookup {
  constructor(private readonly deps: { store: Store; access: RoomReadAccess }) {}

  async closest(requester: Requester, roomId: RoomId, ts: number, dir: 'f' | 'b'): Promise<{ event_id: EventId; origin_server_ts: number }> {
    const access = await this.deps.access.check(requester.userId, roomId);
    let after: { ts: number; pos: number } | undefined;
    for (let seen = 0; seen < MAX_TIMESTAMP_CANDIDATES; seen += BATCH) {
      const batch = await this.deps.store.events.byTimestamp(roomId, {
        ts, dir, limit: BATCH, ...(access.upTo !== undefined ? { upTo: access.upTo } : {}), ...(after ? { after } : {}),
      });
      // filter() keeps the batch's order: the first visible one is the nearest.
      const [found] = await this.deps.access.filter(access, batch);
      if (found) return { event_id: found.event.event_id, origin_server_ts: found.event.origin_server_ts };
      const last = batch.at(-1);
      if (!last || batch.length < BATCH) break;
      after = { ts: last.event.origin_server_ts, pos: last.pos };
    }
    throw notFound('No event found in that direction');
  }
}
