/**
 * The aliases an `m.room.canonical_alias` event adds (client-server API, `PUT /state`: "the server
 * should ensure that any new aliases being listed in the event are valid per their grammar/syntax
 * and that they point to the room ID where the state event is to be sent. Servers do not validate
 * aliases which are being removed or are already present in the state event.").
 */
import { invalidParam } from '../errors.js';
import { parseRoomAlias, type RoomAlias } from '../ids.js';
import type { JsonObject, JsonValue } from '../json.js';

/**
 * The aliases `content` lists (`alias` and `alt_aliases`) that `previous` did not, each checked
 * against the grammar: 400 `M_INVALID_PARAM` for one that is not an alias. Whether they point
 * to the room needs the directory, so that is the caller's check.
 */
export function newCanonicalAliases(content: JsonObject, previous: JsonObject | undefined): RoomAlias[] {
  const alt = content['alt_aliases'];
  if (alt !== undefined && !Array.isArray(alt)) throw invalidParam('alt_aliases must be a list of room aliases');
  const present = new Set(previous === undefined ? [] : listed(previous));
  const added: RoomAlias[] = [];
  for (const value of listed(content)) {
    if (typeof value === 'string' && present.has(value)) continue;
    const alias = typeof value === 'string' ? parseRoomAlias(value) : undefined;
    if (alias === undefined) throw invalidParam('m.room.canonical_alias lists something that is not a room alias');
    if (!added.includes(alias)) added.push(alias);
  }
  return added;
}

/** `alias` (absent or null: none) and the entries of `alt_aliases` (when it is a list). */
function listed(content: JsonObject): JsonValue[] {
  const alias = content['alias'];
  const alt = content['alt_aliases'];
  return [...(alias === undefined || alias === null ? [] : [alias]), ...(Array.isArray(alt) ? alt : [])];
}
