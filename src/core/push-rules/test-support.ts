/** Builders for the push rule tests. */
import type { JsonObject } from '../json.js';
import type { PushContext } from './conditions.js';
import type { PushEvent } from './types.js';

export const ME = '@me:hs1';
export const OTHER = '@other:hs1';
export const ROOM = '!room:hs1';

export function message(content: JsonObject = { msgtype: 'm.text', body: 'hello' }, fields: Partial<PushEvent> = {}): PushEvent {
  return { type: 'm.room.message', sender: OTHER, room_id: ROOM, content, ...fields };
}

export function context(fields: Partial<PushContext> = {}): PushContext {
  return { userId: ME, displayName: 'Me Myself', roomMemberCount: 5, powerLevels: {}, ...fields };
}
