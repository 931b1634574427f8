import { invalidParam } from '../../core/errors.js';
import { parseRoomId, type RoomId, type UserId } from '../../core/ids.js';
import type { Requester } from '../requester.js';
import type { Store } from '../../storage/store.js';

/** Rooms one answer lists; `next_batch` continues. */
export const MUTUAL_ROOMS_PAGE = 100;

/**
 * `GET /v1/mutual_rooms`: rooms the requester and another user are both joined to, in room ID
 * order. The `next_batch` token is the last room ID listed (opaque to clients): room IDs never
 * change, so a page is never repeated or skipped because rooms were joined or left meanwhile.
 */
export class MutualRooms {
  constructor(private readonly deps: { store: Store }) {}

  async list(requester: Requester, other: UserId, from?: string): Promise<{ joined: RoomId[]; count: number; next_batch?: string }> {
    if (other === requester.userId) throw invalidParam('user_id is your own user ID');
    let after: RoomId | null = null;
    if (from !== undefined) {
      after = parseRoomId(from) ?? null;
      if (after === null) throw invalidParam('Invalid from token');
    }
    const store = this.deps.store.userDirectory;
    const rooms = await store.mutualRooms(requester.userId, other, after, MUTUAL_ROOMS_PAGE + 1);
    const joined = rooms.slice(0, MUTUAL_ROOMS_PAGE);
    const count = await store.countMutualRooms(requester.userId, other);
    const last = joined.at(-1);
    return { joined, count, ...(rooms.length > MUTUAL_ROOMS_PAGE && last !== undefined ? { next_batch: last } : {}) };
  }
}
