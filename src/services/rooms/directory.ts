import { powerLevelOf, requiredPowerLevelForEvent } from '../../core/auth-rules/levels.js';
import type { Clock } from '../../core/clock.js';
import { forbidden, invalidParam, notFound, unknownError } from '../../core/errors.js';
import { redactEvent } from '../../core/events/redaction.js';
import { domainOf, type RoomAlias, type RoomId } from '../../core/ids.js';
import type { JsonObject } from '../../core/json.js';
import { DEFAULT_ROOM_VERSION, getRoomVersion } from '../../core/room-versions.js';
import { ConflictError } from '../../storage/errors.js';
import type { Store, StoredEvent } from '../../storage/store.js';
import type { Requester } from '../requester.js';
import { powerLevelState } from '../events/effective-state.js';
import type { RoomReadAccess } from './room-access.js';
import type { RemoteAliases } from '../federation/remote-aliases.js';

export interface PublicRoomsQuery {
  limit?: number;
  since?: string;
  searchTerm?: string;
}

/** One room in `/publicRooms`. */
export type DirectoryEntry = { room_id: RoomId; num_joined_members: number; world_readable: boolean; guest_can_join: boolean; [k: string]: unknown };

/** Room aliases and the public room directory. */

export class RoomDirectory {
  /** The directory as last built, and what it was built from (see `directory`). */
  private built: { key: string; entries: DirectoryEntry[] } | undefined;

  constructor(private readonly deps: { store: Store; clock: Clock; serverName: string; access: RoomReadAccess; remote?: RemoteAliases }) {}

  /** A local alias from the store; another server's from that server, when `remote` is given (the client API). */
  async resolveAlias(alias: RoomAlias): Promise<{ room_id: RoomId; servers: string[] }> {
    if (domainOf(alias) !== this.deps.serverName && this.deps.remote) return this.deps.remote.resolve(alias);
    const found = await this.deps.store.aliases.get(alias);
    if (!found) throw notFound('Room alias not found');
    return { room_id: found.roomId, servers: [this.deps.serverName] };
  }

  async createAlias(requester: Requester, alias: RoomAlias, roomId: RoomId): Promise<void> {
    if (domainOf(alias) !== this.deps.serverName) throw invalidParam('Room aliases must be on this server');
    if (!(await this.deps.store.rooms.get(roomId))) throw notFound('Unknown room');
    const m = await this.deps.store.memberships.get(roomId, requester.userId);
    if (m?.membership !== 'join' && !requester.isAdmin) throw forbidden('You must be in the room to give it an alias');
    try {
      await this.deps.store.aliases.create(alias, roomId, requester.userId, this.deps.clock.now());
    } catch (err) {
      if (err instanceof ConflictError) throw unknownError(409, 'Room alias already exists');
      throw err;
    }
  }

  /** Aliases may be deleted by their creator, a server admin, or a room moderator. */
  async deleteAlias(requester: Requester, alias: RoomAlias): Promise<void> {
    const found = await this.deps.store.aliases.get(alias);
    if (!found) throw notFound('Room alias not found');
    const allowed = found.creator === requester.userId || requester.isAdmin || (await this.maySetState(requester, found.roomId, 'm.room.canonical_alias'));
    if (!allowed) throw forbidden('You may not delete this alias');
    await this.deps.store.aliases.delete(alias);
  }

  async roomAliases(requester: Requester, roomId: RoomId): Promise<{ aliases: RoomAlias[] }> {
    await this.deps.access.checkState(requester.userId, roomId);
    return { aliases: await this.deps.store.aliases.forRoom(roomId) };
  }

  async visibility(roomId: RoomId): Promise<{ visibility: 'public' | 'private' }> {
    const room = await this.deps.store.rooms.get(roomId);
    if (!room) throw notFound('Unknown room');
    return { visibility: room.isPublic ? 'public' : 'private' };
  }

  async setVisibility(requester: Requester, roomId: RoomId, visibility: 'public' | 'private'): Promise<void> {
    if (!(await this.deps.store.rooms.get(roomId))) throw notFound('Unknown room');
    if (!requester.isAdmin && !(await this.maySetState(requester, roomId, 'm.room.canonical_alias'))) {
      throw forbidden('You may not change the directory visibility of this room');
    }
    await this.deps.store.rooms.setPublic(roomId, visibility === 'public');
  }

  async publicRooms(q: PublicRoomsQuery) {
    const term = q.searchTerm?.toLowerCase();
    const entries = (await this.directory()).filter((entry) =>
      !term || [entry.name, entry.topic, entry.canonical_alias].some((v) => typeof v === 'string' && v.toLowerCase().includes(term)));
    const start = q.since === undefined ? 0 : Number(/^p(\d+)$/.exec(q.since)?.[1] ?? NaN);
    if (!Number.isInteger(start)) throw invalidParam('Invalid since token');
    // 0 means no limit (as other servers read it): a page of nothing with a `next_batch` equal to `since` would never end.
    const limit = q.limit || entries.length;
    const chunk = entries.slice(start, start + limit);
    const body: JsonObject = { chunk: chunk as unknown as JsonObject[], total_room_count_estimate: entries.length };
    if (start + limit < entries.length) body.next_batch = `p${start + limit}`;
    if (start > 0) body.prev_batch = `p${Math.max(0, start - limit)}`;
    return body;
  }

  /**
   * Every published room's entry, largest first. Building it reads each room (state, member
   * counts), so it is kept for as long as it is right: until an event is written anywhere (names,
   * topics, members only change by events) or the list of published rooms changes. Two cheap reads
   * decide that, so a page of an unchanged directory costs no per-room work, in every process.
   */
  private async directory(): Promise<DirectoryEntry[]> {
    const [published, pos] = await Promise.all([this.deps.store.rooms.listPublic(), this.deps.store.events.maxPos()]);
    const key = `${pos} ${published.join(' ')}`;
    if (this.built?.key === key) return this.built.entries;
    const entries = [];
    for (const roomId of published) entries.push(await this.entry(roomId));
    entries.sort((a, b) => b.num_joined_members - a.num_joined_members || String(a.room_id).localeCompare(String(b.room_id)));
    this.built = { key, entries };
    return entries;
  }

  /** A room's public directory entry (also the base of room summaries and space hierarchies). */
  async entry(roomId: RoomId): Promise<DirectoryEntry> {
    const state = await this.deps.store.state.current(roomId, [
      ['m.room.name', ''], ['m.room.topic', ''], ['m.room.canonical_alias', ''], ['m.room.avatar', ''],
      ['m.room.join_rules', ''], ['m.room.history_visibility', ''], ['m.room.guest_access', ''], ['m.room.create', ''],
    ]);
    // A redacted name or topic (say) is gone from the room: read what redaction left of each event.
    const version = getRoomVersion((await this.deps.store.rooms.get(roomId))?.version ?? DEFAULT_ROOM_VERSION);
    const contentOf = (s: StoredEvent) => (s.redactedBy && version ? redactEvent(s.event, version).content : s.event.content);
    const get = (type: string, key: string) => {
      const found = state.find((s) => s.event.type === type);
      return found ? contentOf(found)[key] : undefined;
    };
    const counts = await this.deps.store.memberships.counts(roomId);
    const entry: DirectoryEntry = {
      room_id: roomId,
      num_joined_members: counts.join ?? 0,
      world_readable: get('m.room.history_visibility', 'history_visibility') === 'world_readable',
      guest_can_join: get('m.room.guest_access', 'guest_access') === 'can_join',
      join_rule: (get('m.room.join_rules', 'join_rule') as string | undefined) ?? 'invite',
    };
    for (const [field, type, key] of [['name', 'm.room.name', 'name'], ['topic', 'm.room.topic', 'topic'], ['canonical_alias', 'm.room.canonical_alias', 'alias'], ['avatar_url', 'm.room.avatar', 'url']] as const) {
      const v = get(type, key);
      if (typeof v === 'string') entry[field] = v;
    }
    const roomType = get('m.room.create', 'type');
    if (typeof roomType === 'string') entry.room_type = roomType;
    return entry;
  }

  private async maySetState(requester: Requester, roomId: RoomId, type: string): Promise<boolean> {
    const m = await this.deps.store.memberships.get(roomId, requester.userId);
    if (m?.membership !== 'join') return false;
    const room = await this.deps.store.rooms.get(roomId);
    const version = room ? getRoomVersion(room.version) : undefined;
    if (!version) return false;
    const lookup = await powerLevelState(this.deps.store, roomId, version);
    return powerLevelOf(requester.userId, lookup, version) >= requiredPowerLevelForEvent(type, true, lookup);
  }
}
