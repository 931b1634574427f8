import { forbidden, invalidParam, notFound } from '../../core/errors.js';
import type { Membership } from '../../core/events/types.js';
import { parseRoomId, type RoomAlias, type RoomId, type UserId } from '../../core/ids.js';
import { getRoomVersion } from '../../core/room-versions.js';
import type { Store, StoredEvent } from '../../storage/store.js';
import type { RoomDirectory, DirectoryEntry } from './directory.js';

/** Rooms one hierarchy page lists at most, and by default. */
export const MAX_HIERARCHY_LIMIT = 50;
const DEFAULT_HIERARCHY_LIMIT = 20;
/** How deep a hierarchy goes at most, and by default. */
export const MAX_HIERARCHY_DEPTH = 10;
/** Rooms one hierarchy request walks at most (the pages before the one asked for included). */
export const MAX_HIERARCHY_ROOMS = 1000;

export interface HierarchyOptions { suggestedOnly: boolean; maxDepth?: number; limit?: number; from?: string }
type ChildState = { type: string; state_key: string; content: Record<string, unknown>; sender: string; origin_server_ts: number };
type Summary = DirectoryEntry & { room_version: string; encryption?: string; allowed_room_ids?: RoomId[] };

/**
 * Room summaries (`GET /v1/room_summary/{roomIdOrAlias}`, MSC3266) and space hierarchies
 * (`GET /v1/rooms/{roomId}/hierarchy`) of this server's rooms. A room is shown to a user who is
 * joined or invited, or when it is public, knockable, world-readable, or restricted to a room the
 * user is joined to (the spec's list); otherwise it is as if it did not exist. Rooms of other servers
 * are not asked for over federation yet: they are unknown (404, or left out of a hierarchy).
 */
export class Spaces {
  constructor(private readonly deps: { store: Store; directory: RoomDirectory }) {}

  /** An alias of another server is not resolved (that needs federation): 404, as an unknown room. */
  async summary(userId: UserId | undefined, target: RoomId | RoomAlias): Promise<Summary & { membership?: Membership }> {
    const roomId = target.startsWith('#') ? (await this.deps.store.aliases.get(target as RoomAlias))?.roomId : target as RoomId;
    const seen = roomId === undefined ? undefined : await this.visible(userId, roomId);
    if (!seen) throw notFound('Room not found');
    return { ...seen.summary, ...(seen.membership !== undefined ? { membership: seen.membership } : {}) };
  }

  async hierarchy(userId: UserId, root: RoomId, o: HierarchyOptions): Promise<{ rooms: (Summary & { children_state: ChildState[] })[]; next_batch?: string }> {
    const maxDepth = Math.min(o.maxDepth ?? MAX_HIERARCHY_DEPTH, MAX_HIERARCHY_DEPTH);
    const limit = Math.min(o.limit ?? DEFAULT_HIERARCHY_LIMIT, MAX_HIERARCHY_LIMIT);
    // The token is the number of rooms already listed and the options they were listed with: the
    // walk is the same for the same rooms, so a page is found again by walking to it.
    const options = `${o.suggestedOnly ? 1 : 0}.${maxDepth}`;
    let skip = 0;
    if (o.from !== undefined) {
      const m = /^(\d{1,4})_(\d\.\d{1,2})$/.exec(o.from);
      if (!m || m[2] !== options) throw invalidParam('Unknown from token, or suggested_only or max_depth changed during pagination');
      skip = Number(m[1]);
    }
    if (!(await this.visible(userId, root))) throw forbidden('You may not see this room');
    const rooms: (Summary & { children_state: ChildState[] })[] = [];
    const queue: { roomId: RoomId; depth: number }[] = [{ roomId: root, depth: 0 }];
    const walked = new Set<RoomId>();
    let listed = 0;
    while (queue.length > 0 && walked.size < MAX_HIERARCHY_ROOMS) {
      const { roomId, depth } = queue.shift()!;
      if (walked.has(roomId)) continue;
      walked.add(roomId);
      const seen = await this.visible(userId, roomId);
      if (!seen) continue;
      if (listed++ >= skip + limit) return { rooms, next_batch: `${skip + limit}_${options}` };
      const children = await this.children(roomId, o.suggestedOnly);
      if (listed > skip) rooms.push({ ...seen.summary, children_state: children.map(strippedChild) });
      if (depth < maxDepth) for (const child of children) queue.push({ roomId: child.event.state_key as RoomId, depth: depth + 1 });
    }
    return { rooms };
  }

  /** The room's summary and the user's membership when the user may see it; undefined otherwise. */
  private async visible(userId: UserId | undefined, roomId: RoomId): Promise<{ summary: Summary; membership: Membership | undefined } | undefined> {
    const room = await this.deps.store.rooms.get(roomId);
    if (!room || room.outOfBand) return undefined;
    const version = getRoomVersion(room.version);
    const m = userId === undefined ? undefined : await this.deps.store.memberships.get(roomId, userId);
    const membership = m && !m.forgotten ? m.membership : undefined;
    const [entry, encryption, joinRules] = await Promise.all([
      this.deps.directory.entry(roomId),
      this.deps.store.state.currentEvent(roomId, 'm.room.encryption', ''),
      this.deps.store.state.currentEvent(roomId, 'm.room.join_rules', ''),
    ]);
    const rule = entry['join_rule'];
    const restricted = (rule === 'restricted' && version?.restrictedJoinRule) || (rule === 'knock_restricted' && version?.knockRestrictedJoinRule);
    const allowed = restricted ? allowedRooms(joinRules?.event.content) : [];
    const algorithm = encryption?.event.content['algorithm'];
    const summary: Summary = {
      ...entry, room_version: room.version,
      ...(algorithm === 'm.megolm.v1.aes-sha2' ? { encryption: algorithm } : {}),
      ...(allowed.length > 0 ? { allowed_room_ids: allowed } : {}),
    };
    const knockable = (rule === 'knock' && version?.knocking) || (rule === 'knock_restricted' && version?.knockRestrictedJoinRule);
    let ok = membership === 'join' || membership === 'invite' || rule === 'public' || knockable === true || entry.world_readable;
    if (!ok && restricted && userId !== undefined) {
      for (const allow of allowed) if ((await this.deps.store.memberships.get(allow, userId))?.membership === 'join') ok = true;
    }
    return ok ? { summary, membership } : undefined;
  }

  /** The room's `m.space.child` events with a valid `via`, in the spec's order: `order`, then time, then room ID. */
  private async children(roomId: RoomId, suggestedOnly: boolean): Promise<StoredEvent[]> {
    const events = (await this.deps.store.state.currentOfType(roomId, 'm.space.child')).filter((e) => {
      const via = e.event.content['via'];
      return parseRoomId(e.event.state_key ?? '') !== undefined && Array.isArray(via) && via.length > 0 && via.every((v) => typeof v === 'string')
        && (!suggestedOnly || e.event.content['suggested'] === true);
    });
    return events.sort((a, b) => {
      const oa = validOrder(a.event.content['order']);
      const ob = validOrder(b.event.content['order']);
      if (oa !== ob) return oa === undefined ? 1 : ob === undefined ? -1 : oa < ob ? -1 : 1;
      return a.event.origin_server_ts - b.event.origin_server_ts || (a.event.state_key! < b.event.state_key! ? -1 : 1);
    });
  }
}

/** The spec's `order`: at most 50 printable ASCII characters (0x20 to 0x7E); anything else counts as absent. */
function validOrder(v: unknown): string | undefined {
  return typeof v === 'string' && v.length <= 50 && /^[\x20-\x7E]*$/.test(v) ? v : undefined;
}

function allowedRooms(content: Record<string, unknown> | undefined): RoomId[] {
  const allow = content?.['allow'];
  if (!Array.isArray(allow)) return [];
  return allow.flatMap((a: unknown) => {
    const entry = a as { type?: unknown; room_id?: unknown };
    const id = entry.type === 'm.room_membership' && typeof entry.room_id === 'string' ? parseRoomId(entry.room_id) : undefined;
    return id ? [id] : [];
  });
}

function strippedChild(e: StoredEvent): ChildState {
  return { type: e.event.type, state_key: e.event.state_key ?? '', content: e.event.content, sender: e.event.sender, origin_server_ts: e.event.origin_server_ts };
}
