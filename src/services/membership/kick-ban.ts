import { forbidden } from '../../core/errors.js';
import { isInRoom, type Membership, type RoomEvent } from '../../core/events/types.js';
import { membershipOutboxKey, SEND_PDUS, type SendPdusPayload } from '../../core/federation/outbox-items.js';
import { domainOf, type EventId, type RoomId, type UserId } from '../../core/ids.js';
import type { JsonObject } from '../../core/json.js';
import type { RoomTransaction } from '../events/room-writer.js';
import type { Requester } from '../requester.js';
import type { MembershipDeps } from './context.js';
import { memberContent, type MemberChange } from './member-content.js';

/** Kick, ban and unban: membership changes one user makes to another, judged by the auth rules. */
export class KickBan {
  /** `outbox` is told after a commit that queued a rescind, so that its first attempt is made at once. */
  constructor(private readonly deps: MembershipDeps, private readonly outbox?: { wake(): void }) {}

  /** Kicking someone who is not joined, invited or knocking is refused (403). */
  kick(requester: Requester, roomId: RoomId, target: UserId, change: MemberChange = {}): Promise<EventId> {
    return this.change(requester, roomId, target, 'leave', change, (current) =>
      isInRoom(current) ? undefined : `${target} is not in the room`);
  }

  /** Banning works whatever the target's membership, even none. */
  ban(requester: Requester, roomId: RoomId, target: UserId, change: MemberChange = {}): Promise<EventId> {
    return this.change(requester, roomId, target, 'ban', change, () => undefined);
  }

  unban(requester: Requester, roomId: RoomId, target: UserId, change: MemberChange = {}): Promise<EventId> {
    return this.change(requester, roomId, target, 'leave', change, (current) => (current === 'ban' ? undefined : `${target} is not banned`));
  }

  /**
   * A leave one user sends for another (the state endpoint): a kick, or an unban when the target is
   * banned, decided under the room's lock, where the auth rules judge it as the one or the other.
   */
  remove(requester: Requester, roomId: RoomId, target: UserId, change: MemberChange = {}): Promise<EventId> {
    return this.change(requester, roomId, target, 'leave', change, (current) =>
      current === undefined || current === 'leave' ? `${target} is not in the room` : undefined);
  }

  private async change(
    requester: Requester,
    roomId: RoomId,
    target: UserId,
    membership: Membership,
    change: MemberChange,
    refuse: (current: Membership | undefined) => string | undefined,
  ): Promise<EventId> {
    let queued = false;
    const eventId = await this.deps.writer.write(roomId, async (room) => {
      if ((await room.membershipOf(requester.userId)) !== 'join') throw forbidden('You are not in this room');
      const current = await room.membershipOf(target);
      const why = refuse(current);
      if (why) throw forbidden(why);
      const content = await memberContent(room.tx, target, membership, change);
      const stored = await room.append({ type: 'm.room.member', stateKey: target, sender: requester.userId, content });
      if (current === 'invite' && domainOf(target) !== this.deps.serverName) queued = await this.rescindRemoteInvite(room, target, stored.event);
      if (this.deps.forgetRoomsOnLeave) {
        await room.tx.memberships.setForgotten(roomId, target, this.deps.clock.now());
      }
      return stored.event.event_id;
    });
    this.deps.stopTyping(roomId, target);
    if (queued) this.outbox?.wake();
    return eventId;
  }

  /**
   * The invited user's server holds the invite but, with none of its users joined, would never see
   * it withdrawn: the kick or ban is queued for it in the same transaction (the outbox delivers it),
   * replacing whatever was queued for that user's membership before.
   */
  private async rescindRemoteInvite(room: RoomTransaction, target: UserId, event: RoomEvent): Promise<boolean> {
    const server = domainOf(target);
    // Reads the room's joined members: rescinding a remote invite is rare; none of a server joined is the usual case.
    const joined = await room.tx.memberships.members(room.room.roomId, ['join']);
    if (joined.some((m) => domainOf(m.userId) === server)) return false;
    const payload: SendPdusPayload = { pdus: [event] };
    await room.tx.outbox.enqueue({
      kind: SEND_PDUS,
      supersedeKey: membershipOutboxKey(room.room.roomId, target),
      destinations: [server],
      payload: payload as unknown as JsonObject,
      createdTs: this.deps.clock.now(),
    });
    return true;
  }
}
