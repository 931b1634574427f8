import type { RoomEvent } from './events/types.js';

/** The event fields server-side search indexes (spec: `room_events.keys`), by the event type that carries each. */
export const SEARCH_KEYS = { 'content.body': 'm.room.message', 'content.name': 'm.room.name', 'content.topic': 'm.room.topic' } as const;
export type SearchKey = keyof typeof SEARCH_KEYS;
export const ALL_SEARCH_KEYS = Object.keys(SEARCH_KEYS) as SearchKey[];

/** Words of a search term used at most: a longer term is cut here (each word is one index look-up). */
export const MAX_SEARCH_WORDS = 16;

/**
 * The text of an event that search indexes, and under which key; undefined for events it does not.
 * U+0000 becomes a space: PostgreSQL cannot store it in text, and no one searches for it.
 */
export function searchableText(event: RoomEvent | undefined): { key: SearchKey; body: string } | undefined {
  const key = ALL_SEARCH_KEYS.find((k) => SEARCH_KEYS[k] === event?.type);
  if (!event || key === undefined) return undefined;
  // A message is not state; a room name or topic is state with the empty state key.
  const isState = typeof event.state_key === 'string';
  if (key === 'content.body' ? isState : event.state_key !== '') return undefined;
  const value = event.content[key.slice('content.'.length)];
  return typeof value === 'string' && value.length > 0 ? { key, body: value.replaceAll('\u0000', ' ') } : undefined;
}

/**
 * The words of a search term: runs of letters and digits, lower-cased, each kept once, at most
 * MAX_SEARCH_WORDS. Both text indexes split text the same way (FTS5's unicode61, PostgreSQL's
 * `simple` configuration), and only these characters reach either query syntax. The same words
 * are the response's `highlights`.
 */
export function searchWords(term: string): string[] {
  const words = term.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  return [...new Set(words)].slice(0, MAX_SEARCH_WORDS);
}

/** Where a page of search results ends: an offset into the ranked results, or (by recency) the position of the last one. */
export type SearchCursor = { order: 'rank'; offset: number } | { order: 'recent'; beforePos: number };

/** `next_batch` of a search: opaque to clients. */
export function formatSearchToken(cursor: SearchCursor): string {
  return cursor.order === 'rank' ? `r${cursor.offset}` : `p${cursor.beforePos}`;
}

/** The cursor a `next_batch` stands for, or undefined when it is not one of ours. */
export function parseSearchToken(token: string): SearchCursor | undefined {
  const m = /^([rp])(\d{1,15})$/.exec(token);
  if (!m) return undefined;
  const n = Number(m[2]);
  return m[1] === 'r' ? { order: 'rank', offset: n } : { order: 'recent', beforePos: n };
}
