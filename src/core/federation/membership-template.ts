/**
 * The membership event template another server answers to `make_leave` (server-server API,
 * "Leaving rooms (rejecting invites)"), checked before Hearth signs anything in a user's name: the
 * spec makes the caller verify room, sender, state key, type and membership and discard a template
 * that fails; Hearth also insists on the room version it expected and a well-formed DAG position.
 * The signed event is then built from the checked fields only, so nothing else a peer put in the
 * template (other content, other keys) is ever signed.
 */
import { parseEventId, type EventId, type RoomId, type UserId } from '../ids.js';
import { isJsonObject, type JsonObject } from '../json.js';
import { getRoomVersion, type RoomVersion } from '../room-versions.js';
import type { UnsignedPdu } from '../events/types.js';

export interface ExpectedTemplate {
  roomId: RoomId;
  userId: UserId;
  membership: 'leave';
  /** The version Hearth knows the room by (from the invite): the template must be for it. */
  roomVersion: string;
}

/** What Hearth takes from a template: where in the room's graph the new event goes. */
export interface CheckedTemplate {
  version: RoomVersion;
  depth: number;
  prevEvents: EventId[];
  authEvents: EventId[];
}

export type TemplateCheck = { ok: true; template: CheckedTemplate } | { ok: false; reason: string };

/** Checks a `make_*` answer (`{ room_version, event }`); the reason is short and names no internals. */
export function checkMembershipTemplate(answer: unknown, expected: ExpectedTemplate): TemplateCheck {
  if (!isJsonObject(answer) || !isJsonObject(answer['event'])) return refused('no event template');
  const roomVersion = answer['room_version'];
  const version = typeof roomVersion === 'string' ? getRoomVersion(roomVersion) : undefined;
  if (!version || roomVersion !== expected.roomVersion) return refused('unexpected room version');
  const event = answer['event'];
  if (event['type'] !== 'm.room.member') return refused('not a membership event');
  if (event['room_id'] !== expected.roomId) return refused('another room');
  if (event['sender'] !== expected.userId || event['state_key'] !== expected.userId) return refused('another user');
  const content = event['content'];
  if (!isJsonObject(content) || content['membership'] !== expected.membership) return refused(`not a ${expected.membership}`);
  const depth = event['depth'];
  if (typeof depth !== 'number' || !Number.isSafeInteger(depth) || depth < 0) return refused('no valid depth');
  const prevEvents = eventIds(event['prev_events']);
  const authEvents = eventIds(event['auth_events']);
  if (!prevEvents || !authEvents) return refused('no valid prev_events or auth_events');
  return { ok: true, template: { version, depth, prevEvents, authEvents } };
}

/**
 * The leave event to sign from a checked template: `origin` and `origin_server_ts` are the leaving
 * server's (send_leave's request body), the content is the membership and the optional reason.
 */
export function leaveEventFromTemplate(
  template: CheckedTemplate,
  o: { roomId: RoomId; userId: UserId; reason?: string; origin: string; originServerTs: number },
): UnsignedPdu & { origin: string } {
  const content: JsonObject = { membership: 'leave' };
  if (o.reason !== undefined) content['reason'] = o.reason;
  return {
    type: 'm.room.member',
    room_id: o.roomId,
    sender: o.userId,
    state_key: o.userId,
    content,
    depth: template.depth,
    prev_events: template.prevEvents,
    auth_events: template.authEvents,
    origin: o.origin,
    origin_server_ts: o.originServerTs,
  };
}

function eventIds(value: unknown): EventId[] | undefined {
  return Array.isArray(value) && value.every((id) => typeof id === 'string' && parseEventId(id) !== undefined) ? (value as EventId[]) : undefined;
}

function refused(reason: string): TemplateCheck {
  return { ok: false, reason };
}
