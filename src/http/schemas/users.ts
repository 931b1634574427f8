/** Request schemas of the user directory, mutual rooms and the small client endpoints. */

export const UserDirectorySearchBody = {
  type: 'object',
  required: ['search_term'],
  properties: {
    search_term: { type: 'string', maxLength: 1024 },
    // Above 50 the answer is cut to 50 (limited: true), not refused.
    limit: { type: 'integer', minimum: 0, maximum: 10000 },
  },
} as const;

export const MutualRoomsQuery = {
  type: 'object',
  required: ['user_id'],
  properties: {
    user_id: { type: 'string', maxLength: 255 },
    from: { type: 'string', maxLength: 255 },
  },
} as const;

export const TimestampToEventQuery = {
  type: 'object',
  required: ['ts', 'dir'],
  properties: {
    ts: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
    dir: { type: 'string', enum: ['f', 'b'] },
  },
} as const;

export const HierarchyQuery = {
  type: 'object',
  properties: {
    suggested_only: { type: 'boolean' },
    // Above the server's maximum (SECURITY.md) they are cut down, not refused.
    max_depth: { type: 'integer', minimum: 0, maximum: 1_000_000 },
    limit: { type: 'integer', minimum: 1, maximum: 1_000_000 },
    from: { type: 'string', maxLength: 64 },
  },
} as const;
