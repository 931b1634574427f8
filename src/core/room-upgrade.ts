import { powerLevelsContent, requiredPowerLevelForEvent } from './auth-rules/levels.js';
import type { RoomEvent } from './events/types.js';
import { stateLookupOf } from './auth-rules/auth-events.js';
import type { JsonObject } from './json.js';

/**
 * The state `POST /rooms/{roomId}/upgrade` copies to the new room (the spec's recommended list,
 * and the pinned events, which are not sender-sensitive). Power levels are copied separately
 * (`upgradePowerLevels`); the canonical alias moves with the aliases. `m.space.child` events are
 * copied when the room is a space (its children would otherwise be lost).
 */
export const COPIED_STATE_TYPES: readonly string[] = [
  'm.room.server_acl', 'm.room.encryption', 'm.room.name', 'm.room.avatar', 'm.room.topic',
  'm.room.guest_access', 'm.room.history_visibility', 'm.room.join_rules', 'm.room.pinned_events',
];
export const SPACE_CHILD = 'm.space.child';

/**
 * The old room's power levels for the new room: `restored` (every level an integer, as rooms from
 * version 10 on require) and `elevated`, the same with the upgrading user raised, while the state
 * is copied, to the highest level the copied state types and bans need.
 */
export function upgradePowerLevels(old: RoomEvent, user: string, copiedTypes: Iterable<string>): { restored: JsonObject; elevated: JsonObject } {
  const lookup = stateLookupOf([old]);
  const levels = powerLevelsContent(lookup);
  const restored = { ...old.content, ...levels } as unknown as JsonObject;
  let needed = Math.max(levels.users[user] ?? levels.users_default, levels.ban, levels.state_default);
  for (const type of [...copiedTypes, 'm.room.power_levels']) needed = Math.max(needed, requiredPowerLevelForEvent(type, true, lookup));
  const elevated = { ...restored, users: { ...levels.users, [user]: needed } } as unknown as JsonObject;
  return { restored, elevated };
}

/**
 * The old room's power levels once it is tombstoned (spec, room upgrades, step 6): sending events
 * and inviting need the greater of 50 and `users_default + 1`. Undefined when they already do.
 */
export function restrictedPowerLevels(old: RoomEvent): JsonObject | undefined {
  const levels = powerLevelsContent(stateLookupOf([old]));
  const restricted = Math.max(50, levels.users_default + 1);
  if (levels.events_default >= restricted && levels.invite >= restricted) return undefined;
  return {
    ...old.content,
    events_default: Math.max(levels.events_default, restricted),
    invite: Math.max(levels.invite, restricted),
  };
}
