/**
 * The redaction algorithm of room versions 3 to 11 (spec: the v1 algorithm that v3 to v5 keep,
 * rooms/v6, v8, v9 and v11 "Redactions"; the flags of RoomVersion name the changes). It decides what a redacted event keeps, and it
 * is part of the reference hash (so of event IDs) and of what event signatures cover: a single
 * key kept or dropped wrongly changes event IDs, so this follows the spec lists exactly.
 */
import type { JsonObject } from '../json.js';
import { isJsonObject } from '../json.js';
import type { RoomVersion } from '../room-versions.js';
import type { Pdu, RoomEvent, UnsignedPdu } from './types.js';

/** Top-level keys every version keeps. `redacts` is not among them, even in v10. */
const KEPT_TOP_LEVEL_KEYS: readonly string[] = [
  'event_id',
  'type',
  'room_id',
  'sender',
  'state_key',
  'content',
  'hashes',
  'signatures',
  'depth',
  'prev_events',
  'auth_events',
  'origin_server_ts',
];

/** Kept up to v10, no longer protected from v11 (MSC2176). */
const LEGACY_TOP_LEVEL_KEYS: readonly string[] = ['prev_state', 'origin', 'membership'];

const POWER_LEVELS_KEYS: readonly string[] = [
  'ban',
  'events',
  'events_default',
  'kick',
  'redact',
  'state_default',
  'users',
  'users_default',
];

/**
 * Returns the redacted form of `event`: a new top-level object and a new `content`; nested
 * values that are kept are shared with the input, which is never modified (events are treated
 * as immutable). `unsigned` is dropped: a server serving a redacted event adds its own.
 */
export function redactEvent(event: RoomEvent, roomVersion: RoomVersion): RoomEvent;
export function redactEvent(event: Pdu, roomVersion: RoomVersion): Pdu;
export function redactEvent(event: UnsignedPdu, roomVersion: RoomVersion): UnsignedPdu;
export function redactEvent(event: JsonObject, roomVersion: RoomVersion): JsonObject;
export function redactEvent(event: object, roomVersion: RoomVersion): object {
  return redactObject(event, roomVersion);
}

/** `redactEvent` for events of any shape (federation input, spec test vectors). */
export function redactObject(event: object, roomVersion: RoomVersion): Record<string, unknown> {
  const source = event as Readonly<Record<string, unknown>>;
  const keep = roomVersion.redactionKeepsLegacyTopLevelKeys
    ? [...KEPT_TOP_LEVEL_KEYS, ...LEGACY_TOP_LEVEL_KEYS]
    : KEPT_TOP_LEVEL_KEYS;
  const redacted: Record<string, unknown> = {};
  for (const key of keep) {
    if (Object.prototype.hasOwnProperty.call(source, key) && source[key] !== undefined) {
      redacted[key] = source[key];
    }
  }
  const content = isJsonObject(source.content) ? source.content : {};
  // A redacted event always has an object `content`, whatever the input had.
  redacted.content = redactContent(String(source.type), content, roomVersion);
  return redacted;
}

function redactContent(type: string, content: JsonObject, roomVersion: RoomVersion): JsonObject {
  switch (type) {
    case 'm.room.member': {
      const kept = pick(content, roomVersion.redactionKeepsJoinAuthorisedVia ? ['membership', 'join_authorised_via_users_server'] : ['membership']);
      // v11 (MSC3821): `third_party_invite` survives but holds only `signed`, which the auth
      // rules need. MSC3821 shipped in v11 together with MSC2176, so it shares that flag.
      const invite = content.third_party_invite;
      if (!roomVersion.redactionKeepsLegacyTopLevelKeys && isJsonObject(invite)) {
        kept.third_party_invite = pick(invite, ['signed']);
      }
      return kept;
    }
    case 'm.room.create':
      return roomVersion.redactionKeepsWholeCreate ? { ...content } : pick(content, ['creator']);
    case 'm.room.join_rules':
      return pick(content, roomVersion.redactionKeepsJoinRulesAllow ? ['join_rule', 'allow'] : ['join_rule']);
    case 'm.room.aliases':
      return roomVersion.redactionKeepsAliases ? pick(content, ['aliases']) : {};
    case 'm.room.power_levels':
      return pick(
        content,
        roomVersion.redactionKeepsPowerLevelsInvite ? [...POWER_LEVELS_KEYS, 'invite'] : POWER_LEVELS_KEYS,
      );
    case 'm.room.history_visibility':
      return pick(content, ['history_visibility']);
    case 'm.room.redaction':
      // v11 moved `redacts` into content (MSC2174) and protects it there (MSC2176).
      return roomVersion.redactsInContent ? pick(content, ['redacts']) : {};
    default:
      return {};
  }
}

function pick(source: JsonObject, keys: readonly string[]): JsonObject {
  const out: JsonObject = {};
  for (const key of keys) {
    const value = source[key];
    if (Object.prototype.hasOwnProperty.call(source, key) && value !== undefined) out[key] = value;
  }
  return out;
}
