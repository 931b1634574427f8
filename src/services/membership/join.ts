import { powerLevelOf, namedLevelOf } from '../../core/auth-rules/levels.js';
import { isRestrictedJoinRule } from '../../core/auth-rules/state-access.js';
import { AuthRejected, forbidden, MatrixError } from '../../core/errors.js';
import type { EventId, RoomId, UserId } from '../../core/ids.js';
import { isJsonObject } from '../../core/json.js';
import type { RoomTransaction } from '../events/room-writer.js';
import type { Requester } from '../requester.js';
import { powerLevelState } from '../events/effective-state.js';
import { refuseIfBlocked, resolveRoom, type MembershipDeps } from './context.js';
import { memberContent, type MemberChange } from './member-content.js';

/** The one answer to a refused join of a user who is not in the room, and to an unknown room ID. */
const JOIN_REFUSED = 'You are not allowed to join this room';

/** Joining a room: `POST /rooms/{roomId}/join` and `POST /join/{roomIdOrAlias}`. */
export class Join {
  constructor(private readonly deps: MembershipDeps) {}

  async join(requester: Requester, idOrAlias: string, change: MemberChange = {}): Promise<{ room_id: RoomId }> {
    const roomId = await resolveRoom(this.deps.store, idOrAlias);
    await this.joinRoom(requester, roomId, change);
    return { room_id: roomId };
  }

  /**
   * Joins a known room, or changes the content of a join (a per-room profile); returns the join in
   * force. Joining again with nothing to change sends nothing.
   */
  async joinRoom(requester: Requester, roomId: RoomId, change: MemberChange): Promise<EventId> {
    let reached: { joined: boolean } | undefined;
    try {
      return await this.write(requester, roomId, change, (joined) => (reached = { joined }));
    } catch (err) {
      // The spec allows only 403 here. A user outside the room learns no more than "not allowed":
      // not whether the room exists (the writer's 404) nor its join rule or their membership (the
      // auth rules' reason), which a room ID guessed or leaked would otherwise reveal.
      const unknownRoom = reached === undefined && err instanceof MatrixError && err.status === 404;
      if (unknownRoom || (err instanceof AuthRejected && reached?.joined === false)) throw forbidden(JOIN_REFUSED);
      throw err;
    }
  }

  private async write(requester: Requester, roomId: RoomId, change: MemberChange, reached: (joined: boolean) => void): Promise<EventId> {
    const userId = requester.userId;
    return this.deps.writer.write(roomId, async (room) => {
      const current = await room.member(userId);
      reached(current?.membership === 'join');
      if (current?.membership !== 'join') await refuseIfBlocked(room.tx, roomId);
      if (current?.membership === 'join' && change.reason === undefined && change.content === undefined) return current.eventId;
      const content = await memberContent(room.tx, userId, 'join', change);
      if (current?.membership !== 'invite' && current?.membership !== 'join') {
        const authoriser = await this.restrictedAuthoriser(room, userId);
        if (authoriser) content.join_authorised_via_users_server = authoriser;
      }
      const draft = { type: 'm.room.member', stateKey: userId, sender: userId, content };
      const same = current?.membership === 'join' ? await room.unchanged(draft) : undefined;
      return same ?? (await room.append(draft)).event.event_id;
    });
  }

  /**
   * For `restricted` / `knock_restricted` rooms (where the room version has them): a local member with the power to invite who
   * vouches for the join, when the user is joined to one of the rooms the join rule allows.
   */
  private async restrictedAuthoriser(room: RoomTransaction, userId: UserId): Promise<UserId | undefined> {
    const rules = await room.state('m.room.join_rules', '');
    if (!isRestrictedJoinRule(rules?.content.join_rule, room.version)) return undefined;
    const allow = Array.isArray(rules?.content.allow) ? rules.content.allow : [];
    const allowedRooms = allow.filter(isJsonObject).filter((a) => a.type === 'm.room_membership' && typeof a.room_id === 'string');
    let eligible = false;
    for (const a of allowedRooms) {
      if ((await room.tx.memberships.get(a.room_id as RoomId, userId))?.membership === 'join') eligible = true;
    }
    if (!eligible) return undefined;
    const lookup = await powerLevelState(room.tx, room.room.roomId, room.version);
    const inviteLevel = namedLevelOf('invite', lookup);
    const joined = await room.tx.memberships.members(room.room.roomId, ['join']);
    return joined.map((m) => m.userId).find((u) => powerLevelOf(u, lookup, room.version) >= inviteLevel);
  }
}
