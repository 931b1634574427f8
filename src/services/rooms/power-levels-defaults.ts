import type { UserId } from '../../core/ids.js';
import type { JsonObject } from '../../core/json.js';

export type Preset = 'private_chat' | 'public_chat' | 'trusted_private_chat';

/** The power levels a new room starts with (those of other homeservers, so clients behave the same). */
export function initialPowerLevels(creator: UserId, preset: Preset, trustedInvitees: readonly UserId[]): JsonObject {
  const users: JsonObject = { [creator]: 100 };
  if (preset === 'trusted_private_chat') for (const u of trustedInvitees) users[u] = 100;
  return {
    users,
    users_default: 0,
    events: {
      'm.room.name': 50,
      'm.room.power_levels': 100,
      'm.room.history_visibility': 100,
      'm.room.canonical_alias': 50,
      'm.room.avatar': 50,
      'm.room.tombstone': 100,
      'm.room.server_acl': 100,
      'm.room.encryption': 100,
    },
    events_default: 0,
    state_default: 50,
    ban: 50,
    kick: 50,
    redact: 50,
    // In private rooms anyone in the room may invite; in public ones moderators.
    invite: preset === 'public_chat' ? 50 : 0,
    historical: 100,
    notifications: { room: 50 },
  };
}
