import type { RoomVersion } from '../room-versions.js';
import type { JsonObject } from '../json.js';
import { redactEvent } from './redaction.js';
import type { RoomEvent } from './types.js';

/** The event format clients see (spec: "ClientEvent"). */
export interface ClientEvent {
  type: string;
  content: JsonObject;
  event_id: string;
  sender: string;
  origin_server_ts: number;
  room_id: string;
  state_key?: string;
  redacts?: string;
  unsigned: JsonObject;
}

export interface ClientFormatContext {
  now: number;
  roomVersion: RoomVersion;
  prevState?: { replaces_state: string; prev_content: JsonObject; prev_sender: string } | null;
  /** The redaction event, when this event was redacted. */
  redactedBecause?: ClientEvent | undefined;
  /** Set when the requesting device sent the event. */
  transactionId?: string | undefined;
}

/** Turns a stored PDU into the client format: redacted when it was, with the `unsigned` data clients use. */
export function toClientEvent(event: RoomEvent, ctx: ClientFormatContext): ClientEvent {
  const source = ctx.redactedBecause ? redactEvent(event, ctx.roomVersion) : event;
  const unsigned: JsonObject = { age: Math.max(0, ctx.now - event.origin_server_ts) };
  if (ctx.prevState) {
    unsigned.replaces_state = ctx.prevState.replaces_state;
    unsigned.prev_content = ctx.prevState.prev_content;
    unsigned.prev_sender = ctx.prevState.prev_sender;
  }
  if (ctx.redactedBecause) unsigned.redacted_because = ctx.redactedBecause as unknown as JsonObject;
  if (ctx.transactionId !== undefined) unsigned.transaction_id = ctx.transactionId;
  const out: ClientEvent = {
    type: source.type,
    content: source.content,
    event_id: event.event_id,
    sender: source.sender,
    origin_server_ts: source.origin_server_ts,
    room_id: source.room_id,
    unsigned,
  };
  if (typeof source.state_key === 'string') out.state_key = source.state_key;
  // v11 moved `redacts` into content; clients of every version still read the top-level key.
  const redacts = source.redacts ?? (source.type === 'm.room.redaction' ? source.content.redacts : undefined);
  if (typeof redacts === 'string') out.redacts = redacts;
  return out;
}

/**
 * The state shown to invited and knocking users (spec: "stripped state"), as (type, state key):
 * in `/sync`'s `invite_state` and in the `invite_room_state` sent with an invite to another server.
 */
export const STRIPPED_STATE_KEYS = ['m.room.create', 'm.room.join_rules', 'm.room.name', 'm.room.avatar', 'm.room.topic', 'm.room.canonical_alias', 'm.room.encryption']
  .map((type) => [type, ''] as const);

/** Stripped state (invites, knocks): type, state key, sender and content only. */
export function toStrippedState(event: Pick<ClientEvent, 'type' | 'state_key' | 'sender' | 'content'>): { type: string; state_key: string; sender: string; content: JsonObject } {
  return { type: event.type, state_key: event.state_key ?? '', sender: event.sender, content: event.content };
}
