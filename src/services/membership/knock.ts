import type { RoomId } from '../../core/ids.js';
import type { Requester } from '../requester.js';
import { resolveRoom, type MembershipDeps } from './context.js';
import { memberContent } from './member-content.js';

/** `POST /knock/{roomIdOrAlias}`: ask to be let in to a room whose join rule allows knocking. */
export class Knock {
  constructor(private readonly deps: MembershipDeps) {}

  async knock(requester: Requester, idOrAlias: string, reason?: string): Promise<{ room_id: RoomId }> {
    const roomId = await resolveRoom(this.deps.store, idOrAlias);
    await this.deps.writer.write(roomId, async (room) => {
      const content = await memberContent(room.tx, requester.userId, 'knock', reason);
      await room.append({ type: 'm.room.member', stateKey: requester.userId, sender: requester.userId, content });
    });
    return { room_id: roomId };
  }
}
