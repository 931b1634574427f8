import { forbidden, notFound } from '../../core/errors.js';
import type { RoomId, UserId } from '../../core/ids.js';
import type { JsonObject } from '../../core/json.js';
import type { Store } from '../../storage/store.js';
import type { Requester } from '../requester.js';

/** The room views of Synapse's admin API, so existing admin tools work with Hearth. */
export class AdminRooms {
  constructor(private readonly deps: { store: Store }) {}

  async room(requester: Requester, roomId: RoomId): Promise<JsonObject> {
    const { store } = this.deps;
    const room = await this.roomOr404(requester, roomId);
    const memberships = await store.memberships.members(roomId);
    const joined = memberships.filter((m) => m.membership === 'join');
    const state = await store.state.current(roomId);
    const content = (type: string, key: string) => state.find((s) => s.event.type === type && s.event.state_key === '')?.event.content[key] ?? null;
    return {
      room_id: roomId,
      name: content('m.room.name', 'name'),
      topic: content('m.room.topic', 'topic'),
      avatar: content('m.room.avatar', 'url'),
      canonical_alias: content('m.room.canonical_alias', 'alias'),
      joined_members: joined.length,
      joined_local_members: joined.length,
      local_members: joined.length,
      version: room.version,
      creator: room.creator,
      encryption: content('m.room.encryption', 'algorithm'),
      federatable: content('m.room.create', 'm.federate') !== false,
      public: room.isPublic,
      join_rules: content('m.room.join_rules', 'join_rule'),
      guest_access: content('m.room.guest_access', 'guest_access'),
      history_visibility: content('m.room.history_visibility', 'history_visibility'),
      state_events: state.length,
      room_type: content('m.room.create', 'type'),
      // Every local user with a membership has forgotten the room (it is waiting for the purge).
      forgotten: await store.purge.isEligible(roomId),
    };
  }

  async members(requester: Requester, roomId: RoomId): Promise<{ members: UserId[]; total: number }> {
    await this.roomOr404(requester, roomId);
    const joined = await this.deps.store.memberships.members(roomId, ['join']);
    return { members: joined.map((m) => m.userId), total: joined.length };
  }

  private async roomOr404(requester: Requester, roomId: RoomId) {
    if (!requester.isAdmin) throw forbidden('You are not a server admin');
    const room = await this.deps.store.rooms.get(roomId);
    if (!room) throw notFound('Room not found');
    return room;
  }
}
