import { badJson, invalidParam } from '../errors.js';
import { domainOf, parseUserId, type UserId } from '../ids.js';
import { isJsonObject, type JsonObject } from '../json.js';

/** The body of Synapse's `DELETE /_synapse/admin/v{1,2}/rooms/{roomId}`, with its defaults applied. */
export interface DeleteRoomParams {
  newRoomUserId: UserId | null;
  roomName: string;
  message: string;
  block: boolean;
  purge: boolean;
  forcePurge: boolean;
}

/** What the deletion did to the room's members and aliases (`shutdown_room` in Synapse's answers). */
export interface ShutdownResult {
  kicked_users: UserId[];
  failed_to_kick_users: UserId[];
  local_aliases: string[];
  new_room_id: string | null;
}

export const DEFAULT_ROOM_NAME = 'Content Violation Notification';
export const DEFAULT_MESSAGE = 'Sharing illegal content on this server is not permitted and rooms in violation will be blocked.';

/** Reads the request body (or a stored job's parameters, written by `deleteRoomParamsJson`). */
export function parseDeleteRoomParams(body: unknown, serverName: string): DeleteRoomParams {
  if (!isJsonObject(body)) throw badJson('The body must be a JSON object');
  const str = (key: string, fallback: string) => {
    const value = body[key];
    if (value === undefined || value === null) return fallback;
    if (typeof value !== 'string') throw badJson(`${key} must be a string`);
    return value;
  };
  const bool = (key: string, fallback: boolean) => {
    const value = body[key];
    if (value === undefined || value === null) return fallback;
    if (typeof value !== 'boolean') throw badJson(`${key} must be a boolean`);
    return value;
  };
  let newRoomUserId: UserId | null = null;
  const rawUser = body.new_room_user_id;
  if (rawUser !== undefined && rawUser !== null) {
    newRoomUserId = typeof rawUser === 'string' ? parseUserId(rawUser) ?? null : null;
    if (!newRoomUserId) throw invalidParam('new_room_user_id must be a user ID');
    if (domainOf(newRoomUserId) !== serverName) throw invalidParam('new_room_user_id must be a user of this server');
  }
  return {
    newRoomUserId,
    roomName: str('room_name', DEFAULT_ROOM_NAME),
    message: str('message', DEFAULT_MESSAGE),
    block: bool('block', false),
    purge: bool('purge', true),
    forcePurge: bool('force_purge', false),
  };
}

/** The parameters as a stored job keeps them (read back with `parseDeleteRoomParams`). */
export function deleteRoomParamsJson(p: DeleteRoomParams): JsonObject {
  return {
    new_room_user_id: p.newRoomUserId, room_name: p.roomName, message: p.message,
    block: p.block, purge: p.purge, force_purge: p.forcePurge,
  };
}
