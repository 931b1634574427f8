import { badJson, forbidden } from '../../core/errors.js';
import { MEMBERSHIPS } from '../../core/events/types.js';
import type { EventId, RoomId, UserId } from '../../core/ids.js';
import type { JsonObject } from '../../core/json.js';
import type { Requester } from '../requester.js';
import type { Invite } from './invite.js';
import type { Join } from './join.js';
import type { KickBan } from './kick-ban.js';
import type { Knock } from './knock.js';
import type { Leave } from './leave.js';

/**
 * `PUT /rooms/{roomId}/state/m.room.member/{userId}`: the spec's state endpoint for membership. The
 * content names a membership; the change is made by the verb the membership endpoints use, so the
 * same checks, auth rules and LEAVING.md semantics (forget rules, forget_rooms_on_leave, /sync) hold.
 * The client's content is kept as sent (per-room display names and avatars, extra fields).
 */
export class MemberState {
  constructor(private readonly verbs: { join: Join; leave: Leave; invite: Invite; kickBan: KickBan; knock: Knock }) {}

  async put(requester: Requester, roomId: RoomId, target: UserId, content: JsonObject): Promise<{ event_id: EventId }> {
    const membership = MEMBERSHIPS.find((m) => m === content.membership);
    if (!membership) throw badJson(`content.membership must be one of ${MEMBERSHIPS.join(', ')}`);
    const self = target === requester.userId;
    const change = { content };
    const { join, leave, invite, kickBan, knock } = this.verbs;
    switch (membership) {
      case 'join':
      case 'knock':
        // The auth rules allow a join or a knock only by the user themselves.
        if (!self) throw forbidden(`Only ${target} can ${membership} for themselves`);
        return { event_id: membership === 'join' ? await join.joinRoom(requester, roomId, change) : await knock.knockRoom(requester, roomId, change) };
      case 'leave':
        return { event_id: self ? await leave.leave(requester, roomId, change) : await kickBan.remove(requester, roomId, target, change) };
      case 'invite':
        return { event_id: await invite.invite(requester, roomId, target, change) };
      case 'ban':
        return { event_id: await kickBan.ban(requester, roomId, target, change) };
    }
  }
}
