import type { RoomVersion } from '../room-versions.js';
import type { StateLookup } from '../events/types.js';
import { isJsonObject } from '../json.js';
import { EventType, ownValue, roomCreatorOf } from './state-access.js';

/**
 * Effective power levels of a room: the `m.room.power_levels` content with every default of the
 * client-server spec filled in. Maps have no prototype, so any event type or user ID can be
 * looked up by indexing without meeting `Object.prototype`.
 */
export interface PowerLevels {
  readonly users: Readonly<Record<string, number>>;
  readonly users_default: number;
  readonly events: Readonly<Record<string, number>>;
  readonly events_default: number;
  readonly state_default: number;
  readonly ban: number;
  readonly kick: number;
  readonly redact: number;
  readonly invite: number;
  readonly notifications: Readonly<Record<string, number>>;
}

/** The named levels with their defaults (the same with or without a power levels event). */
export const LEVEL_DEFAULTS = {
  users_default: 0,
  events_default: 0,
  state_default: 50,
  ban: 50,
  kick: 50,
  redact: 50,
  invite: 0,
} as const;

export type NamedLevel = keyof typeof LEVEL_DEFAULTS;
export const NAMED_LEVELS = Object.keys(LEVEL_DEFAULTS) as NamedLevel[];

/** Level needed for an `@room` notification when `notifications.room` is not given. */
export const ROOM_NOTIFICATION_DEFAULT = 50;

/** Level reached by the creator of a room without a power levels event (v1 to v11). */
export const CREATOR_DEFAULT_LEVEL = 100;

/**
 * A power level as room versions 10+ accept it: a JSON integer (never a string or a fraction)
 * within canonical JSON's range [-(2**53)+1, (2**53)-1].
 */
function isIntegerLevel(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value);
}

/**
 * Before v10 a level may also be a string holding a base-10 integer, with an optional sign and
 * leading zeros, and whitespace around it (rooms/v9, "m.room.power_levels events accept values as
 * strings"): `"50"`, `" +0100 "`, `"-1"`.
 */
const STRING_LEVEL = /^\s*[+-]?[0-9]+\s*$/;

/** The value of a level as written in content, or undefined when it is no level at all. */
export function parsePowerLevel(value: unknown): number | undefined {
  if (isIntegerLevel(value)) return value;
  if (typeof value !== 'string' || !STRING_LEVEL.test(value)) return undefined;
  const parsed = Number(value.trim());
  // `-0` reads as 0, like the integer it stands for.
  return Number.isSafeInteger(parsed) ? parsed + 0 : undefined;
}

/** Whether `value` is a valid level in a room of this version (rule 9's shape checks). */
export function isPowerLevelValue(value: unknown, roomVersion: RoomVersion): boolean {
  return roomVersion.integerPowerLevels ? isIntegerLevel(value) : parsePowerLevel(value) !== undefined;
}

/*
 * Levels are read with `parsePowerLevel` whatever the room version: in a v10+ room, rule 9 keeps
 * strings out of the state, so accepting them on read changes nothing there, and readers (which
 * are not all given the room version) stay one function.
 */

/**
 * An integer-valued map from content, dropping entries that are not valid levels. Such entries
 * cannot be in a room's state (rule 9 rejects them); dropping them keeps readers total.
 */
function levelMap(value: unknown): Record<string, number> {
  const map = Object.create(null) as Record<string, number>;
  if (!isJsonObject(value)) return map;
  for (const [key, raw] of Object.entries(value)) {
    const level = parsePowerLevel(raw);
    if (level !== undefined) map[key] = level;
  }
  return map;
}

export function powerLevelsContent(authState: StateLookup, roomVersion?: RoomVersion): PowerLevels {
  const event = authState.get(EventType.powerLevels, '');
  const content = event?.content ?? {};
  const named = (key: NamedLevel): number => namedLevelOf(key, authState);
  const users = levelMap(ownValue(content, 'users'));
  if (!event) {
    const creator = roomCreatorOf(authState, roomVersion);
    if (creator !== undefined) users[creator] = CREATOR_DEFAULT_LEVEL;
  }
  const notifications = levelMap(ownValue(content, 'notifications'));
  if (!Object.hasOwn(notifications, 'room')) notifications['room'] = ROOM_NOTIFICATION_DEFAULT;
  return {
    users,
    users_default: named('users_default'),
    events: levelMap(ownValue(content, 'events')),
    events_default: named('events_default'),
    state_default: named('state_default'),
    ban: named('ban'),
    kick: named('kick'),
    redact: named('redact'),
    invite: named('invite'),
    notifications,
  };
}

/**
 * One named level (`invite`, `kick`, `ban`, `redact`, the defaults), read without building the
 * whole view: the auth rules call this for every event, and `users` may be large.
 */
export function namedLevelOf(name: NamedLevel, authState: StateLookup): number {
  const event = authState.get(EventType.powerLevels, '');
  return parsePowerLevel(event ? ownValue(event.content, name) : undefined) ?? LEVEL_DEFAULTS[name];
}

export function powerLevelOf(userId: string, authState: StateLookup, roomVersion?: RoomVersion): number {
  const event = authState.get(EventType.powerLevels, '');
  if (!event) return userId === roomCreatorOf(authState, roomVersion) ? CREATOR_DEFAULT_LEVEL : LEVEL_DEFAULTS.users_default;
  const users = ownValue(event.content, 'users');
  return parsePowerLevel(isJsonObject(users) ? ownValue(users, userId) : undefined) ?? namedLevelOf('users_default', authState);
}

/**
 * The spec's "required power level" of an event type (server-server API, Definitions): listed
 * in `events`, else `state_default` for state events and `events_default` for the others.
 * Membership events do not use it (rule 4 decides them with invite/kick/ban).
 */
export function requiredPowerLevelForEvent(type: string, isState: boolean, authState: StateLookup): number {
  const event = authState.get(EventType.powerLevels, '');
  const events = event ? ownValue(event.content, 'events') : undefined;
  const listed = parsePowerLevel(isJsonObject(events) ? ownValue(events, type) : undefined);
  if (listed !== undefined) return listed;
  return namedLevelOf(isState ? 'state_default' : 'events_default', authState);
}
