import { invalidParam } from '../core/errors.js';
import { parseDeviceId, parseEventId, parseRoomId, parseUserId, type DeviceId, type EventId, type RoomId, type UserId } from '../core/ids.js';

/** Parses identifiers from paths and bodies once, at the edge. */
export function userIdParam(raw: string): UserId {
  const id = parseUserId(raw);
  if (!id) throw invalidParam('Invalid user ID');
  return id;
}

export function roomIdParam(raw: string): RoomId {
  const id = parseRoomId(raw);
  if (!id) throw invalidParam('Invalid room ID');
  return id;
}

export function deviceIdParam(raw: string): DeviceId {
  const id = parseDeviceId(raw);
  if (!id) throw invalidParam('Invalid device ID');
  return id;
}

export function eventIdParam(raw: string): EventId {
  const id = parseEventId(raw);
  if (!id) throw invalidParam('Invalid event ID');
  return id;
}
