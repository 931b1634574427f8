import type { Pdu, RoomEvent } from '../events/types.js';

/** An event as it travels between servers: without its ID (the reference hash) or `unsigned`. */
export function federationPdu(event: RoomEvent): Pdu {
  const { event_id: _id, unsigned: _unsigned, ...pdu } = event;
  return pdu;
}
