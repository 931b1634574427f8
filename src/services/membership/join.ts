import { powerLevelOf, namedLevelOf } from '../../core/auth-rules/levels.js';
import type { RoomId, UserId } from '../../core/ids.js';
import { isJsonObject } from '../../core/json.js';
import type { RoomTransaction } from '../events/room-writer.js';
import type { Requester } from '../requester.js';
import { powerLevelState } from '../events/effective-state.js';
import { resolveRoom, type MembershipDeps } from './context.js';
import { memberContent } from './member-content.js';

/** Joining a room: `POST /rooms/{roomId}/join` and `POST /join/{roomIdOrAlias}`. */
export class Join {
  constructor(private readonly deps: MembershipDeps) {}

  async join(requester: Requester, idOrAlias: string, reason?: string): Promise<{ room_id: RoomId }> {
    const roomId = await resolveRoom(this.deps.store, idOrAlias);
    const userId = requester.userId;
    await this.deps.writer.write(roomId, async (room) => {
      const current = await room.membershipOf(userId);
      if (current === 'join' && reason === undefined) return;
      const content = await memberContent(room.tx, userId, 'join', reason);
      if (current !== 'invite' && current !== 'join') {
        const authoriser = await this.restrictedAuthoriser(room, userId);
        if (authoriser) content.join_authorised_via_users_server = authoriser;
      }
      await room.append({ type: 'm.room.member', stateKey: userId, sender: userId, content });
    });
    return { room_id: roomId };
  }

  /**
   * For `restricted` / `knock_restricted` rooms: a local member with the power to invite who
   * vouches for the join, when the user is joined to one of the rooms the join rule allows.
   */
  private async restrictedAuthoriser(room: RoomTransaction, userId: UserId): Promise<UserId | undefined> {
    const rules = await room.state('m.room.join_rules', '');
    const rule = rules?.content.join_rule;
    if (rule !== 'restricted' && rule !== 'knock_restricted') return undefined;
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
