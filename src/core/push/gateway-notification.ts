/**
 * The body of a Push Gateway API `POST /_matrix/push/v1/notify` (push_notifier.yaml) for one
 * event and one pusher, and the reading of its answer.
 */
import type { RoomEvent } from '../events/types.js';
import { isJsonObject, type JsonObject, type JsonValue } from '../json.js';

export interface GatewayDevice {
  appId: string;
  pushkey: string;
  pushkeyTs: number;
  /** The pusher's data: forwarded without `url` (spec: "excluding url"). */
  data: JsonObject;
}

export interface GatewayNotificationInput {
  event: RoomEvent;
  /** The recipient: `user_is_target` says whether a membership event is about them. */
  userId: string;
  device: GatewayDevice;
  tweaks: Readonly<Record<string, JsonValue>>;
  unread: number;
  senderDisplayName?: string | undefined;
  roomName?: string | undefined;
}

export function gatewayNotification(input: GatewayNotificationInput): JsonObject {
  const { event, device, tweaks } = input;
  const { url: _url, ...data } = device.data;
  const devices = [{ app_id: device.appId, pushkey: device.pushkey, pushkey_ts: Math.floor(device.pushkeyTs / 1000), data, tweaks: { ...tweaks } }];
  // High priority wakes the device: for what the user's rules ask to be heard or highlighted, and
  // for encrypted events, whose importance the gateway cannot see.
  const prio = event.type === 'm.room.encrypted' || tweaks.highlight === true || tweaks.sound !== undefined ? 'high' : 'low';
  const counts = { unread: input.unread };
  if (data.format === 'event_id_only') {
    return { notification: { event_id: event.event_id, room_id: event.room_id, counts, devices, prio } };
  }
  const notification: JsonObject = {
    event_id: event.event_id, room_id: event.room_id, type: event.type, sender: event.sender,
    content: event.content, counts, devices, prio,
  };
  if (input.senderDisplayName !== undefined) notification.sender_display_name = input.senderDisplayName;
  if (input.roomName !== undefined) notification.room_name = input.roomName;
  if (event.type === 'm.room.member' && event.state_key !== undefined) {
    notification.user_is_target = event.state_key === input.userId;
    if (typeof event.content.membership === 'string') notification.membership = event.content.membership;
  }
  return { notification };
}

/** The pushkeys a gateway's 200 answer rejects (`{"rejected": [...]}`); anything else rejects none. */
export function rejectedPushkeys(body: unknown): string[] {
  if (!isJsonObject(body) || !Array.isArray(body.rejected)) return [];
  return body.rejected.filter((k): k is string => typeof k === 'string');
}
