/** Request schemas of typing, receipts, read markers and presence, named after the spec's operations. */
import { NO_NUL } from './common.js';

const eventId = { type: 'string', maxLength: 255 } as const;

export const SetTypingBody = {
  type: 'object',
  required: ['typing'],
  properties: { typing: { type: 'boolean' }, timeout: { type: 'integer', minimum: 0 } },
} as const;

/** postReceipt: the body is optional in practice (older clients send none); `thread_id` is checked by the service. */
export const PostReceiptBody = { type: ['object', 'null'] } as const;

export const SetReadMarkerBody = {
  type: 'object',
  properties: { 'm.fully_read': eventId, 'm.read': eventId, 'm.read.private': eventId },
} as const;

export const SetPresenceBody = {
  type: 'object',
  required: ['presence'],
  properties: {
    presence: { type: 'string', enum: ['online', 'offline', 'unavailable'] },
    status_msg: { type: ['string', 'null'], maxLength: 2048, pattern: NO_NUL },
  },
} as const;
