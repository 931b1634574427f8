import { unknownError } from '../../core/errors.js';
import { isInRoom } from '../../core/events/types.js';
import type { RoomId } from '../../core/ids.js';
import type { Requester } from '../requester.js';
import type { MembershipDeps } from './context.js';

/**
 * `POST /rooms/{roomId}/forget` (LEAVING.md): only once out of the room (left, kicked, banned);
 * idempotent, and 200 for rooms the user never knew.
 */
export class Forget {
  constructor(private readonly deps: MembershipDeps) {}

  async forget(requester: Pick<Requester, 'userId'>, roomId: RoomId): Promise<void> {
    const userId = requester.userId;
    await this.deps.store.transaction(async (tx) => {
      await tx.rooms.lock(roomId);
      const current = await tx.memberships.get(roomId, userId);
      if (!current || current.forgotten) return;
      if (isInRoom(current.membership)) {
        throw unknownError(400, `User ${userId} is in room ${roomId}`);
      }
      await tx.memberships.setForgotten(roomId, userId, this.deps.clock.now());
    });
  }
}
