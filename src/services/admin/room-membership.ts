import { powerLevelOf, requiredPowerLevelForEvent } from '../../core/auth-rules/levels.js';
import { forbidden, invalidParam, notFound } from '../../core/errors.js';
import { domainOf, parseUserId, type RoomId, type UserId } from '../../core/ids.js';
import { isJsonObject, type JsonObject } from '../../core/json.js';
import type { Store } from '../../storage/store.js';
import { powerLevelState } from '../events/effective-state.js';
import type { RoomWriter } from '../events/room-writer.js';
import { resolveRoom } from '../membership/context.js';
import type { Invite } from '../membership/invite.js';
import type { Join } from '../membership/join.js';
import type { Requester } from '../requester.js';
import { actingAs } from './room-deletion.js';
import { requireAdmin } from './admin-access.js';

/** `POST /v1/rooms/{roomIdOrAlias}/make_room_admin` and `POST /v1/join/{roomIdOrAlias}`: membership an admin arranges. */
export class AdminRoomMembership {
  constructor(private readonly deps: { store: Store; serverName: string; writer: RoomWriter; join: Join; invite: Invite }) {}

  /**
   * Gives a local user (by default the caller) the power level of the room's most powerful local
   * member who may change the power levels, sent by that member, as Synapse does; invites the user
   * (by that member) when they are not in the room and it is not public. 400 when no such member.
   */
  async makeRoomAdmin(requester: Requester, idOrAlias: string, body: unknown): Promise<Record<string, never>> {
    requireAdmin(requester);
    const target = this.localUser(isJsonObject(body) && body.user_id !== undefined ? body.user_id : requester.userId);
    const roomId = await this.knownRoom(idOrAlias);
    const { grantor, isPublic, targetMembership } = await this.deps.writer.write(roomId, async (room) => {
      const levels = await powerLevelState(room.tx, roomId, room.version);
      const required = requiredPowerLevelForEvent('m.room.power_levels', true, levels);
      const locals = (await room.tx.memberships.members(roomId, ['join'])).map((m) => m.userId).filter((u) => domainOf(u) === this.deps.serverName);
      const ranked = locals.map((userId) => ({ userId, level: powerLevelOf(userId, levels, room.version) }))
        .filter((m) => m.level >= required).sort((a, b) => b.level - a.level);
      const best = ranked[0];
      if (!best) throw invalidParam('No local member of the room may change its power levels');
      const current = levels.get('m.room.power_levels', '');
      const content: JsonObject = structuredClone(current?.content ?? {});
      content.users = { ...(isJsonObject(content.users) ? content.users : {}), [target]: best.level };
      await room.append({ type: 'm.room.power_levels', stateKey: '', sender: best.userId, content });
      const rules = await room.state('m.room.join_rules', '');
      return { grantor: best.userId, isPublic: rules?.content.join_rule === 'public', targetMembership: await room.membershipOf(target) };
    });
    if (targetMembership !== 'join' && targetMembership !== 'invite' && !isPublic) {
      await this.deps.invite.invite(actingAs(grantor), roomId, target);
    }
    return {};
  }

  /**
   * Joins a local user to a room. A public room is joined as the user would; any other needs the
   * calling admin joined with the power to invite: the admin invites the user, who then joins (Synapse's documented behaviour).
   */
  async join(requester: Requester, idOrAlias: string, body: unknown): Promise<{ room_id: RoomId }> {
    requireAdmin(requester);
    if (!isJsonObject(body) || body.user_id === undefined) throw invalidParam('user_id is required');
    const target = this.localUser(body.user_id);
    if (!(await this.deps.store.accounts.exists(target))) throw notFound('User not found');
    const roomId = await this.knownRoom(idOrAlias);
    const [rules, membership] = await Promise.all([
      this.deps.store.state.currentEvent(roomId, 'm.room.join_rules', ''),
      this.deps.store.memberships.get(roomId, target),
    ]);
    if (rules?.event.content.join_rule !== 'public' && membership?.membership !== 'invite' && membership?.membership !== 'join') {
      if ((await this.deps.store.memberships.get(roomId, requester.userId))?.membership !== 'join') {
        throw forbidden('The room is not public: you must be in it to invite the user');
      }
      await this.deps.invite.invite(requester, roomId, target);
    }
    await this.deps.join.joinRoom(actingAs(target), roomId, {});
    return { room_id: roomId };
  }

  private localUser(raw: unknown): UserId {
    const userId = typeof raw === 'string' ? parseUserId(raw) : undefined;
    if (!userId) throw invalidParam('user_id must be a user ID');
    if (domainOf(userId) !== this.deps.serverName) throw invalidParam('Only users of this server can be given rooms here');
    return userId;
  }

  private async knownRoom(idOrAlias: string): Promise<RoomId> {
    const roomId = await resolveRoom(this.deps.store, idOrAlias);
    if (!(await this.deps.store.rooms.get(roomId))) throw notFound('Room not found');
    return roomId;
  }
}
