/** Query schemas of `/relations` and `/threads` (relations.yaml, threads_list.yaml). */
export const RelationsQuery = {
  type: 'object',
  properties: {
    from: { type: 'string', maxLength: 256 },
    to: { type: 'string', maxLength: 256 },
    dir: { type: 'string', enum: ['b', 'f'], default: 'b' },
    limit: { type: 'integer', minimum: 0, default: 50 },
    recurse: { type: 'boolean' },
  },
} as const;

export const ThreadsQuery = {
  type: 'object',
  properties: {
    include: { type: 'string', enum: ['all', 'participated'], default: 'all' },
    from: { type: 'string', maxLength: 256 },
    limit: { type: 'integer', minimum: 1, default: 50 },
  },
} as const;
