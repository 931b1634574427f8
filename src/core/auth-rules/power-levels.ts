import { parseUserId } from '../ids.js';
import { isJsonObject, type JsonObject } from '../json.js';
import type { StateLookup } from '../events/types.js';
import type { RoomVersion } from '../room-versions.js';
import { ALLOW, reject, type AuthEvent, type AuthResult } from './auth-result.js';
import { NAMED_LEVELS, isPowerLevelValue, parsePowerLevel, powerLevelOf } from './levels.js';
import { EventType, ownValue } from './state-access.js';

/** The level maps whose entries rules 9.6 and 9.7 guard (9.8 and 9.9 guard `users`). */
const LEVEL_MAPS = ['events', 'notifications'] as const;

/**
 * Rule 9: an `m.room.power_levels` event, after rules 5, 7 and 8 have passed. First its shape
 * (9.1 to 9.3), then what the sender may change relative to the current power levels (9.5 to
 * 9.9), always measured against the sender's *current* level.
 */
export function checkPowerLevelsEvent(event: AuthEvent, authState: StateLookup, roomVersion: RoomVersion): AuthResult {
  const content = event.content;
  const shape = checkShape(content, roomVersion);
  if (!shape.allowed) return shape;

  const current = authState.get(EventType.powerLevels, '');
  if (!current) return ALLOW; // 9.4

  const senderLevel = powerLevelOf(event.sender, authState, roomVersion);
  const old = current.content;

  for (const key of NAMED_LEVELS) {
    const before = levelAt(old, key);
    const after = levelAt(content, key);
    if (before === after) continue;
    if (before !== undefined && before > senderLevel) {
      return reject('9.5.1', `cannot change ${key} from ${before}: it is above the sender's level ${senderLevel}`);
    }
    if (after !== undefined && after > senderLevel) {
      return reject('9.5.2', `cannot set ${key} to ${after}: it is above the sender's level ${senderLevel}`);
    }
  }

  // Before v6 the auth rules guard `events` only: anyone who may send power levels sets `notifications`.
  const guardedMaps = roomVersion.notificationsPowerLevels ? LEVEL_MAPS : (['events'] as const);
  for (const map of guardedMaps) {
    for (const { key, before } of alterations(old, content, map)) {
      if (before !== undefined && before > senderLevel) {
        return reject('9.6.1', `cannot change ${map}[${JSON.stringify(key)}] from ${before}: it is above the sender's level ${senderLevel}`);
      }
    }
  }
  for (const map of guardedMaps) {
    for (const { key, after } of alterations(old, content, map)) {
      if (after !== undefined && after > senderLevel) {
        return reject('9.7.1', `cannot set ${map}[${JSON.stringify(key)}] to ${after}: it is above the sender's level ${senderLevel}`);
      }
    }
  }

  const userChanges = alterations(old, content, 'users');
  for (const { key, before } of userChanges) {
    // A sender may always lower (or drop) their own entry: 9.8 exempts it.
    if (key === event.sender) continue;
    if (before !== undefined && before >= senderLevel) {
      return reject('9.8.1', `cannot change the level of ${key} (${before}): it is not below the sender's level ${senderLevel}`);
    }
  }
  for (const { key, after } of userChanges) {
    if (after !== undefined && after > senderLevel) {
      return reject('9.9.1', `cannot give ${key} level ${after}: it is above the sender's level ${senderLevel}`);
    }
  }

  return ALLOW; // 9.10
}

/**
 * Rules 9.1 to 9.3: the content is well formed. `users` may be absent (it then means {}).
 * Before v10 a level may be a string holding an integer, and the spec's list checks only
 * `users` (its rule 9.1); like Ruma we hold the other levels to the same shape in every
 * version, since a level no reader can interpret would decide nothing predictably.
 */
function checkShape(content: JsonObject, roomVersion: RoomVersion): AuthResult {
  const level = roomVersion.integerPowerLevels ? 'an integer' : 'an integer or a string holding one';
  for (const key of NAMED_LEVELS) {
    if (Object.hasOwn(content, key) && !isPowerLevelValue(content[key], roomVersion)) {
      return reject('9.1', `${key} must be ${level}, not ${describe(content[key])}`);
    }
  }
  for (const map of LEVEL_MAPS) {
    if (!Object.hasOwn(content, map)) continue;
    const value = content[map];
    if (!isJsonObject(value)) return reject('9.2', `${map} must be an object, not ${describe(value)}`);
    for (const [key, entry] of Object.entries(value)) {
      if (!isPowerLevelValue(entry, roomVersion)) return reject('9.2', `${map}[${JSON.stringify(key)}] must be ${level}, not ${describe(entry)}`);
    }
  }
  if (Object.hasOwn(content, 'users')) {
    const users = content['users'];
    if (!isJsonObject(users)) return reject('9.3', `users must be an object, not ${describe(users)}`);
    for (const [userId, value] of Object.entries(users)) {
      if (!parseUserId(userId)) return reject('9.3', `users key ${JSON.stringify(userId)} is not a valid user ID`);
      if (!isPowerLevelValue(value, roomVersion)) return reject('9.3', `users[${JSON.stringify(userId)}] must be ${level}, not ${describe(value)}`);
    }
  }
  return ALLOW;
}

interface Alteration {
  key: string;
  /** Undefined when the entry is being added. */
  before: number | undefined;
  /** Undefined when the entry is being removed. */
  after: number | undefined;
}

/** Entries of one level map that are added, changed or removed, in a stable order. */
function alterations(old: JsonObject, next: JsonObject, map: string): Alteration[] {
  const before = objectAt(old, map);
  const after = objectAt(next, map);
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  const result: Alteration[] = [];
  for (const key of keys) {
    const a = levelAt(before, key);
    const b = levelAt(after, key);
    if (a !== b) result.push({ key, before: a, after: b });
  }
  return result;
}

function objectAt(content: JsonObject, key: string): JsonObject {
  const value = ownValue(content, key);
  return isJsonObject(value) ? value : {};
}

/**
 * A level as stored. "Added, changed or removed" compares what is written, not defaults: a
 * removed `ban` is an alteration even though the default is also 50. A string level is
 * compared by its value (`"50"` to 50 is no change); values that are no level cannot be in the
 * state (9.1 to 9.3), and count as absent.
 */
function levelAt(content: JsonObject, key: string): number | undefined {
  return parsePowerLevel(ownValue(content, key));
}

function describe(value: unknown): string {
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === 'number') return Number.isInteger(value) ? `${value} (outside the safe integer range)` : `the fraction ${value}`;
  if (Array.isArray(value)) return 'an array';
  return value === null ? 'null' : typeof value;
}
