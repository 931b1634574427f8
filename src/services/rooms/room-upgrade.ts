import type { Clock } from '../../core/clock.js';
import { AuthRejected, unsupportedRoomVersion } from '../../core/errors.js';
import type { RoomEvent } from '../../core/events/types.js';
import type { EventId, RoomAlias, RoomId } from '../../core/ids.js';
import type { JsonObject } from '../../core/json.js';
import { getRoomVersion } from '../../core/room-versions.js';
import { COPIED_STATE_TYPES, restrictedPowerLevels, SPACE_CHILD, upgradePowerLevels } from '../../core/room-upgrade.js';
import type { Store } from '../../storage/store.js';
import { effectiveEvents } from '../events/effective-state.js';
import type { EventDraft, RoomTransaction, RoomWriter } from '../events/room-writer.js';
import type { Requester } from '../requester.js';
import type { RoomCreation } from './create-room.js';

const TOMBSTONE = 'm.room.tombstone';
const TOMBSTONE_BODY = 'This room has been replaced';

/** What the upgrade takes from the old room, read once before anything is written. */
interface OldRoom {
  lastEventId: EventId;
  isPublic: boolean;
  roomType: unknown;
  copied: RoomEvent[];
  powerLevels: RoomEvent | undefined;
  canonicalAlias: RoomEvent | undefined;
  bans: RoomEvent[];
}

/**
 * `POST /rooms/{roomId}/upgrade` (spec: room upgrades, server behaviour): a new room made by
 * createRoom's `RoomCreation` with the old room's transferable state, bans and aliases, then the
 * old room tombstoned and closed to messages and invites. Members stay in the old room.
 */
export class RoomUpgrade {
  constructor(private readonly deps: { store: Store; clock: Clock; writer: RoomWriter; rooms: RoomCreation }) {}

  async upgrade(requester: Requester, roomId: RoomId, newVersion: string): Promise<{ replacement_room: RoomId }> {
    if (!getRoomVersion(newVersion)) throw unsupportedRoomVersion(newVersion);
    const user = requester.userId;
    const old = await this.readOldRoom(roomId, this.tombstone(user, roomId));
    const copiedTypes = old.copied.map((e) => e.type);
    const levels = old.powerLevels ? upgradePowerLevels(old.powerLevels, user, copiedTypes) : undefined;
    const creationContent: JsonObject = { predecessor: { room_id: roomId, event_id: old.lastEventId } };
    if (old.roomType !== undefined) creationContent.type = old.roomType as string;
    const { room_id: newRoom } = await this.deps.rooms.create(requester, {
      room_version: newVersion,
      visibility: old.isPublic ? 'public' : 'private',
      creation_content: creationContent,
      initial_state: old.copied.map((e) => ({ type: e.type, state_key: e.state_key ?? '', content: e.content })),
      ...(levels ? { power_level_content_override: levels.elevated } : {}),
    });

    await this.deps.writer.write(newRoom, async (room) => {
      const moved = await this.moveAliases(room, roomId, newRoom);
      const canonical = canonicalAliasContent(old.canonicalAlias, moved);
      if (canonical) await room.append({ type: 'm.room.canonical_alias', stateKey: '', sender: user, content: canonical });
      for (const ban of old.bans) {
        const content: JsonObject = { membership: 'ban' };
        if (typeof ban.content.reason === 'string') content.reason = ban.content.reason;
        await room.append({ type: 'm.room.member', stateKey: ban.state_key ?? '', sender: user, content });
      }
      if (levels) await room.append({ type: 'm.room.power_levels', stateKey: '', sender: user, content: levels.restored });
    });

    await this.deps.writer.write(roomId, async (room) => {
      await room.append(this.tombstone(user, newRoom));
      // Best effort, as the spec's "if possible": the upgrader may lack the level for these.
      if (old.canonicalAlias && Object.keys(old.canonicalAlias.content).length > 0) {
        await appendIfAllowed(room, { type: 'm.room.canonical_alias', stateKey: '', sender: user, content: {} });
      }
      const restricted = old.powerLevels ? restrictedPowerLevels(old.powerLevels) : undefined;
      if (restricted) await appendIfAllowed(room, { type: 'm.room.power_levels', stateKey: '', sender: user, content: restricted });
    });
    if (old.isPublic) await this.deps.store.rooms.setPublic(roomId, false);
    return { replacement_room: newRoom };
  }

  private tombstone(sender: Requester['userId'], replacement: RoomId): EventDraft {
    return { type: TOMBSTONE, stateKey: '', sender, content: { body: TOMBSTONE_BODY, replacement_room: replacement } };
  }

  /**
   * Spec step 1 first: a tombstone built on the room's head must pass the auth rules (403 for a
   * user without the level, or not in the room; 404 for an unknown room, as sending there). The
   * head it is built on is the event the new room's `predecessor` names.
   */
  private async readOldRoom(roomId: RoomId, probe: EventDraft): Promise<OldRoom> {
    return this.deps.writer.outside(roomId, async (room) => {
      const head = (await room.prepare(probe)).prev_events[0] as EventId;
      const state = effectiveEvents(await room.tx.state.current(roomId), room.version);
      const find = (type: string) => state.find((e) => e.type === type && e.state_key === '');
      const isSpace = find('m.room.create')?.content.type === 'm.space';
      return {
        lastEventId: head,
        isPublic: room.room.isPublic,
        roomType: find('m.room.create')?.content.type,
        copied: state.filter((e) => (e.state_key === '' && COPIED_STATE_TYPES.includes(e.type))
          || (isSpace && e.type === SPACE_CHILD && Object.keys(e.content).length > 0)),
        powerLevels: find('m.room.power_levels'),
        canonicalAlias: find('m.room.canonical_alias'),
        bans: state.filter((e) => e.type === 'm.room.member' && e.content.membership === 'ban'),
      };
    });
  }

  /** Spec step 4: every local alias of the old room now resolves to the new one (its creator kept). */
  private async moveAliases(room: RoomTransaction, from: RoomId, to: RoomId): Promise<Set<RoomAlias>> {
    const moved = new Set<RoomAlias>();
    for (const alias of await room.tx.aliases.forRoom(from)) {
      const entry = await room.tx.aliases.get(alias);
      if (!entry) continue;
      await room.tx.aliases.delete(alias);
      await room.tx.aliases.create(alias, to, entry.creator, this.deps.clock.now());
      moved.add(alias);
    }
    return moved;
  }
}

/** The old canonical alias event's content, keeping only aliases that now point to the new room. */
function canonicalAliasContent(event: RoomEvent | undefined, moved: ReadonlySet<RoomAlias>): JsonObject | undefined {
  if (!event) return undefined;
  const content: JsonObject = {};
  const alias = event.content.alias;
  if (typeof alias === 'string' && moved.has(alias as RoomAlias)) content.alias = alias;
  const alt = Array.isArray(event.content.alt_aliases) ? event.content.alt_aliases.filter((a) => typeof a === 'string' && moved.has(a as RoomAlias)) : [];
  if (alt.length > 0) content.alt_aliases = alt;
  return Object.keys(content).length > 0 ? content : undefined;
}

async function appendIfAllowed(room: RoomTransaction, draft: EventDraft): Promise<void> {
  try {
    await room.append(draft);
  } catch (err) {
    if (!(err instanceof AuthRejected)) throw err;
  }
}
