import { forbidden } from '../../core/errors.js';
import type { EventId, RoomId, UserId } from '../../core/ids.js';
import type { Requester } from '../requester.js';
import { checkLocalUser, type MembershipDeps } from './context.js';
import { memberContent, type MemberChange } from './member-content.js';

/** `POST /rooms/{roomId}/invite`. Inviting a joined or banned user is refused (403), as the auth rules say. */
export class Invite {
  constructor(private readonly deps: MembershipDeps) {}

  async invite(requester: Requester, roomId: RoomId, target: UserId, change: MemberChange = {}): Promise<EventId> {
    await checkLocalUser(this.deps, target);
    return this.deps.writer.write(roomId, async (room) => {
      const sender = await room.membershipOf(requester.userId);
      if (sender !== 'join') throw forbidden('You are not in this room');
      const current = await room.membershipOf(target);
      if (current === 'join') throw forbidden(`${target} is already in the room`);
      if (current === 'ban') throw forbidden(`${target} is banned from the room`);
      const content = await memberContent(room.tx, target, 'invite', change);
      return (await room.append({ type: 'm.room.member', stateKey: target, sender: requester.userId, content })).event.event_id;
    });
  }
}
