export const SyncQuery = {
  type: 'object',
  properties: {
    since: { type: 'string', maxLength: 256 },
    timeout: { type: 'integer', minimum: 0, default: 0 },
    full_state: { type: 'boolean', default: false },
    set_presence: { type: 'string', enum: ['online', 'offline', 'unavailable'] },
    filter: { type: 'string', maxLength: 65536 },
  },
} as const;
