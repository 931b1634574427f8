/** Request schemas of the rooms part of the Client-Server API, named after the spec's operations. */
import { NO_NUL } from './common.js';

const reason = { type: 'string', maxLength: 16384 } as const;
const stateEvent = {
  type: 'object',
  required: ['type', 'content'],
  properties: { type: { type: 'string', maxLength: 255, pattern: NO_NUL }, state_key: { type: 'string', maxLength: 255, pattern: NO_NUL }, content: { type: 'object' } },
} as const;

export const CreateRoomBody = {
  type: ['object', 'null'],
  properties: {
    visibility: { type: 'string', enum: ['public', 'private'] },
    room_alias_name: { type: 'string', maxLength: 255, pattern: NO_NUL },
    name: { type: 'string', maxLength: 1024 },
    topic: { type: 'string', maxLength: 16384 },
    invite: { type: 'array', maxItems: 1000, items: { type: 'string', maxLength: 255 } },
    invite_3pid: { type: 'array', maxItems: 0 },
    room_version: { type: 'string', maxLength: 64 },
    creation_content: { type: 'object' },
    initial_state: { type: 'array', maxItems: 1000, items: stateEvent },
    preset: { type: 'string', enum: ['private_chat', 'public_chat', 'trusted_private_chat'] },
    is_direct: { type: 'boolean' },
    power_level_content_override: { type: 'object' },
  },
} as const;

export const ReasonBody = { type: ['object', 'null'], properties: { reason } } as const;

export const TargetBody = {
  type: 'object',
  required: ['user_id'],
  properties: { user_id: { type: 'string', maxLength: 255 }, reason },
} as const;

export const EventContentBody = { type: 'object' } as const;

export const AliasBody = {
  type: 'object',
  required: ['room_id'],
  properties: { room_id: { type: 'string', maxLength: 255 } },
} as const;

export const VisibilityBody = {
  type: 'object',
  required: ['visibility'],
  properties: { visibility: { type: 'string', enum: ['public', 'private'] } },
} as const;

export const MembersQuery = {
  type: 'object',
  properties: {
    at: { type: 'string', maxLength: 256 },
    membership: { type: 'string', enum: ['join', 'invite', 'knock', 'leave', 'ban'] },
    not_membership: { type: 'string', enum: ['join', 'invite', 'knock', 'leave', 'ban'] },
  },
} as const;

export const MessagesQuery = {
  type: 'object',
  properties: {
    from: { type: 'string', maxLength: 256 },
    to: { type: 'string', maxLength: 256 },
    dir: { type: 'string', enum: ['b', 'f'], default: 'b' },
    limit: { type: 'integer', minimum: 0, default: 10 },
    filter: { type: 'string', maxLength: 8192 },
  },
} as const;

export const ContextQuery = {
  type: 'object',
  properties: {
    limit: { type: 'integer', minimum: 0, default: 10 },
    filter: { type: 'string', maxLength: 8192 },
  },
} as const;

export const PublicRoomsQuery = {
  type: 'object',
  properties: {
    limit: { type: 'integer', minimum: 0, maximum: 10000 },
    since: { type: 'string', maxLength: 64 },
    server: { type: 'string', maxLength: 255 },
  },
} as const;

export const PublicRoomsBody = {
  type: ['object', 'null'],
  properties: {
    limit: { type: 'integer', minimum: 0, maximum: 10000 },
    since: { type: 'string', maxLength: 64 },
    filter: { type: 'object', properties: { generic_search_term: { type: 'string', maxLength: 1024 } } },
  },
} as const;
