import type { Clock } from '../../core/clock.js';
import type { RoomId, UserId } from '../../core/ids.js';
import type { Store } from '../../storage/store.js';
import type { Requester } from '../requester.js';
import { requireAdmin } from './admin-access.js';

/**
 * `GET/PUT /_synapse/admin/v1/rooms/{roomId}/block`: a blocked room takes no new member (the
 * membership service refuses joins and invites). Any room ID may be blocked, known here or not.
 */
export class RoomBlocks {
  constructor(private readonly deps: { store: Store; clock: Clock }) {}

  async get(requester: Requester, roomId: RoomId): Promise<{ block: boolean; user_id?: UserId }> {
    requireAdmin(requester);
    const found = await this.deps.store.roomBlocks.get(roomId);
    return found ? { block: true, user_id: found.blockedBy } : { block: false };
  }

  async set(requester: Requester, roomId: RoomId, block: boolean): Promise<{ block: boolean }> {
    requireAdmin(requester);
    if (block) await this.deps.store.roomBlocks.block(roomId, requester.userId, this.deps.clock.now());
    else await this.deps.store.roomBlocks.unblock(roomId);
    return { block };
  }
}
