import { forbidden, RoomMovedOn } from '../../core/errors.js';
import { domainOf, type EventId, type RoomId, type UserId } from '../../core/ids.js';
import type { EventDraft, RoomView } from '../events/room-writer.js';
import type { InviteCoSigning } from '../federation/invite-co-signing.js';
import type { Requester } from '../requester.js';
import { checkLocalUser, refuseIfBlocked, type MembershipDeps } from './context.js';
import { memberContent, type MemberChange } from './member-content.js';

/** How often a remote invite is built again when the room moved on while its server co-signed it. */
export const MAX_REMOTE_INVITE_ATTEMPTS = 3;

/** `POST /rooms/{roomId}/invite`. Inviting a joined or banned user is refused (403), as the auth rules say. */
export class Invite {
  constructor(private readonly deps: MembershipDeps, private readonly coSigning: InviteCoSigning) {}

  async invite(requester: Requester, roomId: RoomId, target: UserId, change: MemberChange = {}): Promise<EventId> {
    if (domainOf(target) !== this.deps.serverName) return this.inviteRemote(requester, roomId, target, change);
    await checkLocalUser(this.deps, target);
    return this.deps.writer.write(roomId, async (room) =>
      (await room.append(await this.draft(room, requester, target, change))).event.event_id);
  }

  /**
   * A user of another server: the invite is built on the room's head outside any transaction or
   * lock, co-signed by the invitee's server (up to its 30 s deadline, during which every other
   * writer goes on), then stored under the lock if it still continues the room's line; if the room
   * moved on meanwhile it is built and sent again, up to MAX_REMOTE_INVITE_ATTEMPTS times.
   */
  private async inviteRemote(requester: Requester, roomId: RoomId, target: UserId, change: MemberChange): Promise<EventId> {
    for (let attempt = 1; ; attempt++) {
      const { event, version } = await this.deps.writer.outside(roomId, async (room) => {
        // Its server would be asked to co-sign an event of a room it may never take part in.
        if ((await room.state('m.room.create', ''))?.content['m.federate'] === false) {
          throw forbidden('This room does not federate: only users of this server can be invited');
        }
        return { event: await room.prepare(await this.draft(room, requester, target, change)), version: room.version };
      });
      const coSigned = await this.coSigning.coSign(event, version);
      try {
        return await this.deps.writer.write(roomId, async (room) => {
          await this.refuse(room, requester, target);
          return (await room.appendBuilt(coSigned)).event.event_id;
        });
      } catch (err) {
        if (!(err instanceof RoomMovedOn)) throw err;
        if (attempt >= MAX_REMOTE_INVITE_ATTEMPTS) throw new RoomMovedOn('The room kept changing while the invite was sent; try again');
      }
    }
  }

  private async draft(room: RoomView, requester: Requester, target: UserId, change: MemberChange): Promise<EventDraft> {
    await this.refuse(room, requester, target);
    const content = await memberContent(room.tx, target, 'invite', change);
    return { type: 'm.room.member', stateKey: target, sender: requester.userId, content };
  }

  /** The refusals with a clearer message than the auth rules' (which judge the same). */
  private async refuse(room: RoomView, requester: Requester, target: UserId): Promise<void> {
    if ((await room.membershipOf(requester.userId)) !== 'join') throw forbidden('You are not in this room');
    const current = await room.membershipOf(target);
    if (current === 'join') throw forbidden(`${target} is already in the room`);
    if (current === 'ban') throw forbidden(`${target} is banned from the room`);
    await refuseIfBlocked(room.tx, room.room.roomId);
  }
}
