import { NO_NUL, paramsOf } from './common.js';

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

/** The path of `/relations`, with `relType` and `eventType` when given: compared with stored text, so never with U+0000. */
export function relationsParams(...names: Array<'relType' | 'eventType'>) {
  const base = paramsOf('roomId', 'eventId', ...names);
  const text = { type: 'string', maxLength: 2048, pattern: NO_NUL } as const;
  return { ...base, properties: { ...base.properties, ...Object.fromEntries(names.map((n) => [n, text])) } };
}
