import type { Clock } from '../../core/clock.js';
import { forbidden, invalidParam, notFound } from '../../core/errors.js';
import { domainOf, parseRoomAlias, parseRoomId, type RoomId, type UserId } from '../../core/ids.js';
import type { Store } from '../../storage/store.js';
import type { RoomWriter } from '../events/room-writer.js';

/** What every membership verb needs. */
export interface MembershipDeps {
  store: Store;
  clock: Clock;
  writer: RoomWriter;
  serverName: string;
  forgetRoomsOnLeave: boolean;
  /** Called once a user's leave, kick or ban is committed: whoever is out of the room is typing no more. */
  stopTyping: (roomId: RoomId, userId: UserId) => void;
}

/** Resolves `!room:hs` or `#alias:hs` to a known room ID: 404 when unknown, 400 when neither (as `/rooms/{roomId}/...`). */
export async function resolveRoom(store: Store, idOrAlias: string): Promise<RoomId> {
  const roomId = parseRoomId(idOrAlias);
  if (roomId) return roomId;
  const alias = parseRoomAlias(idOrAlias);
  if (!alias) throw invalidParam('Not a room ID or room alias');
  const found = await store.aliases.get(alias);
  if (!found) throw notFound('Room alias not found');
  return found.roomId;
}

/** A membership target of this server must be an existing user. */
export async function checkLocalUser(deps: MembershipDeps, userId: UserId): Promise<void> {
  if (domainOf(userId) !== deps.serverName) throw forbidden('Only users of this server can be targeted here');
  if (!(await deps.store.accounts.exists(userId))) throw notFound(`Unknown user ${userId}`);
}

/** A room a server admin blocked takes no one new: joins and invites are refused (the admin API's block). */
export async function refuseIfBlocked(store: Store, roomId: RoomId): Promise<void> {
  if (await store.roomBlocks.get(roomId)) throw forbidden('This room has been blocked on this server');
}
