import { roomEntry, roomListPage, type AdminRoomEntry, type RoomListPage, type RoomListQuery } from '../../core/admin/room-list.js';
import type { ClientEvent } from '../../core/events/client-format.js';
import { notFound } from '../../core/errors.js';
import type { RoomId, UserId } from '../../core/ids.js';
import type { Store } from '../../storage/store.js';
import type { ClientEvents } from '../rooms/client-events.js';
import type { Requester } from '../requester.js';
import { requireAdmin } from './admin-access.js';

/** The room views of Synapse's admin API, so existing admin tools work with Hearth. */
export class AdminRooms {
  constructor(private readonly deps: { store: Store; serverName: string; events: ClientEvents }) {}

  /** `GET /v1/rooms`: every room of this server's, filtered, ordered and paged as Synapse does. */
  async list(requester: Requester, query: RoomListQuery): Promise<RoomListPage> {
    requireAdmin(requester);
    return roomListPage(await this.deps.store.roomSummaries.summaries(this.deps.serverName), query);
  }

  async room(requester: Requester, roomId: RoomId): Promise<AdminRoomEntry & { topic: string | null; avatar: string | null; local_members: number; forgotten: boolean }> {
    requireAdmin(requester);
    const [facts] = await this.deps.store.roomSummaries.summaries(this.deps.serverName, roomId);
    if (!facts) throw notFound('Room not found');
    const text = (type: string, key: string) => {
      const value = facts.state[type]?.[key];
      return typeof value === 'string' ? value : null;
    };
    return {
      ...roomEntry(facts),
      topic: text('m.room.topic', 'topic'),
      avatar: text('m.room.avatar', 'url'),
      local_members: facts.joinedLocalMembers,
      // Every local user with a membership has forgotten the room (it is waiting for the purge).
      forgotten: await this.deps.store.purge.isEligible(roomId),
    };
  }

  async members(requester: Requester, roomId: RoomId): Promise<{ members: UserId[]; total: number }> {
    await this.roomOr404(requester, roomId);
    const joined = await this.deps.store.memberships.members(roomId, ['join']);
    return { members: joined.map((m) => m.userId), total: joined.length };
  }

  /** `GET /v1/rooms/{roomId}/state`: the current state, in the client format. */
  async state(requester: Requester, roomId: RoomId): Promise<{ state: ClientEvent[] }> {
    const room = await this.roomOr404(requester, roomId);
    return { state: await this.deps.events.format(await this.deps.store.state.current(roomId), room.version) };
  }

  private async roomOr404(requester: Requester, roomId: RoomId) {
    requireAdmin(requester);
    const room = await this.deps.store.rooms.get(roomId);
    if (!room) throw notFound('Room not found');
    return room;
  }
}
