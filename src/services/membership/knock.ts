import type { EventId, RoomId } from '../../core/ids.js';
import type { Requester } from '../requester.js';
import { resolveRoom, type MembershipDeps } from './context.js';
import { memberContent, type MemberChange } from './member-content.js';

/** `POST /knock/{roomIdOrAlias}`: ask to be let in to a room whose join rule allows knocking. */
export class Knock {
  constructor(private readonly deps: MembershipDeps) {}

  async knock(requester: Requester, idOrAlias: string, change: MemberChange = {}): Promise<{ room_id: RoomId }> {
    const roomId = await resolveRoom(this.deps.store, idOrAlias);
    await this.knockRoom(requester, roomId, change);
    return { room_id: roomId };
  }

  /** Knocks on a known room; returns the knock event. */
  async knockRoom(requester: Requester, roomId: RoomId, change: MemberChange): Promise<EventId> {
    return this.deps.writer.write(roomId, async (room) => {
      const content = await memberContent(room.tx, requester.userId, 'knock', change);
      return (await room.append({ type: 'm.room.member', stateKey: requester.userId, sender: requester.userId, content })).event.event_id;
    });
  }
}
