import { AuthRejected, forbidden, notFound } from '../../core/errors.js';
import type { EventId, RoomId } from '../../core/ids.js';
import { CorruptEventError } from '../../storage/room-store.js';
import type { InboundInvites } from '../federation/inbound-invites.js';
import type { RoomTransaction } from '../events/room-writer.js';
import type { Requester } from '../requester.js';
import type { MembershipDeps } from './context.js';
import { memberContent, type MemberChange } from './member-content.js';

/**
 * `POST /rooms/{roomId}/leave`: leave, reject an invite, rescind a knock (LEAVING.md). Already
 * out: 200 without a new event. Banned: 403. No membership or unknown room: 404. Returns the leave
 * event in force (the earlier one when already out).
 */
export class Leave {
  /** `remoteRooms`: rejects invites to rooms of other servers, which Hearth holds only out of band. */
  constructor(private readonly deps: MembershipDeps, private readonly remoteRooms: Pick<InboundInvites, 'reject' | 'rejectionQueued'>) {}

  async leave(requester: Pick<Requester, 'userId'>, roomId: RoomId, change: MemberChange = {}): Promise<EventId> {
    const userId = requester.userId;
    const reason = change.reason ?? (typeof change.content?.reason === 'string' ? change.content.reason : undefined);
    let queued = false;
    const rejectInvite = async (room: RoomTransaction) => {
      const rejection = await this.remoteRooms.reject(room, userId, reason);
      queued = rejection.queued;
      return rejection.eventId;
    };
    const eventId = await this.deps.writer.write(roomId, async (room) => {
      const current = await room.member(userId);
      if (current === undefined) throw notFound('You are not a member of this room');
      if (current.membership === 'leave') return current.eventId;
      if (current.membership === 'ban') throw forbidden('You are banned from this room');
      const draft = { type: 'm.room.member', stateKey: userId, sender: userId, content: await memberContent(room.tx, userId, 'leave', change) };
      let stored;
      try {
        stored = await room.append(draft);
      } catch (err) {
        // A self-leave from join/invite/knock is always allowed by the auth rules; if they refuse it,
        // or its state cannot be read, the room is damaged, and the user must still get out of it.
        const damaged = err instanceof AuthRejected || err instanceof CorruptEventError;
        if (!damaged) throw err;
        stored = await room.appendUnchecked(draft);
      }
      if (this.deps.forgetRoomsOnLeave) await room.tx.memberships.setForgotten(roomId, userId, this.deps.clock.now());
      return stored.event.event_id;
    }, rejectInvite);
    if (queued) this.remoteRooms.rejectionQueued();
    this.deps.stopTyping(roomId, userId);
    return eventId;
  }
}
