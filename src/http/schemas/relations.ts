import { NO_NUL, paramsOf } from './common.js';
import { MessagesQuery } from './rooms.js';

/** Query schemas of `/relations` and `/threads` (relations.yaml, threads_list.yaml). */
export const RelationsQuery = {
  type: 'object',
  properties: {
    // Tokens and direction as /messages takes them (its tokens are accepted here too).
    from: MessagesQuery.properties.from,
    to: MessagesQuery.properties.to,
    dir: MessagesQuery.properties.dir,
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

/** The path of `/relations`, with `relType` and `eventType` when given: compared with stored text, so never with U+0000. */
export function relationsParams(...names: Array<'relType' | 'eventType'>) {
  const base = paramsOf('roomId', 'eventId', ...names);
  const text = { type: 'string', maxLength: 2048, pattern: NO_NUL } as const;
  return { ...base, properties: { ...base.properties, ...Object.fromEntries(names.map((n) => [n, text])) } };
}
