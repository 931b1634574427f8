import { forbidden } from '../../core/errors.js';
import { isInRoom, type Membership } from '../../core/events/types.js';
import type { RoomId, UserId } from '../../core/ids.js';
import type { Requester } from '../requester.js';
import type { MembershipDeps } from './context.js';
import { memberContent } from './member-content.js';

/** Kick, ban and unban: membership changes one user makes to another, judged by the auth rules. */
export class KickBan {
  constructor(private readonly deps: MembershipDeps) {}

  /** Kicking someone who is not joined, invited or knocking is refused (403). */
  kick(requester: Requester, roomId: RoomId, target: UserId, reason?: string): Promise<void> {
    return this.change(requester, roomId, target, 'leave', reason, (current) =>
      isInRoom(current) ? undefined : `${target} is not in the room`);
  }

  /** Banning works whatever the target's membership, even none. */
  ban(requester: Requester, roomId: RoomId, target: UserId, reason?: string): Promise<void> {
    return this.change(requester, roomId, target, 'ban', reason, () => undefined);
  }

  unban(requester: Requester, roomId: RoomId, target: UserId, reason?: string): Promise<void> {
    return this.change(requester, roomId, target, 'leave', reason, (current) => (current === 'ban' ? undefined : `${target} is not banned`));
  }

  private async change(
    requester: Requester,
    roomId: RoomId,
    target: UserId,
    membership: Membership,
    reason: string | undefined,
    refuse: (current: Membership | undefined) => string | undefined,
  ): Promise<void> {
    await this.deps.writer.write(roomId, async (room) => {
      if ((await room.membershipOf(requester.userId)) !== 'join') throw forbidden('You are not in this room');
      const current = await room.membershipOf(target);
      const why = refuse(current);
      if (why) throw forbidden(why);
      await room.append({ type: 'm.room.member', stateKey: target, sender: requester.userId, content: await memberContent(room.tx, target, membership, reason) });
      if (this.deps.forgetRoomsOnLeave) {
        await room.tx.memberships.setForgotten(roomId, target, this.deps.clock.now());
      }
    });
  }
}
