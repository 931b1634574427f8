import { redactEvent } from '../../core/events/redaction.js';
import type { RoomEvent } from '../../core/events/types.js';
import type { RoomVersion } from '../../core/room-versions.js';
import { stateLookupOf } from '../../core/auth-rules/auth-events.js';
import type { StateLookup } from '../../core/events/types.js';
import type { RoomId } from '../../core/ids.js';
import type { Store, StoredEvent } from '../../storage/store.js';

/**
 * State events as the auth rules and permission checks must see them: a redacted event counts
 * only with what redaction keeps (e.g. v10 power levels lose `invite`).
 */
export function effectiveEvents(state: readonly StoredEvent[], version: RoomVersion): RoomEvent[] {
  return state.map((s) => (s.redactedBy ? redactEvent(s.event, version) : s.event));
}

/** The state that decides power levels in a room (power levels and create events), as a lookup. */
export async function powerLevelState(store: Store, roomId: RoomId, version: RoomVersion): Promise<StateLookup> {
  const state = await store.state.current(roomId, [['m.room.power_levels', ''], ['m.room.create', '']]);
  return stateLookupOf(effectiveEvents(state, version));
}
