import type { RoomEvent } from './events/types.js';

/** The event fields server-side search indexes (spec: `room_events.keys`), by the event type that carries each. */
export const SEARCH_KEYS = { 'content.body': 'm.room.message', 'content.name': 'm.room.name', 'content.topic': 'm.room.topic' } as const;
export type SearchKey = keyof typeof SEARCH_KEYS;
export const ALL_SEARCH_KEYS = Object.keys(SEARCH_KEYS) as SearchKey[];

/** Words of a search term used at most: a longer term is cut here (each word is one index look-up). */
export const MAX_SEARCH_WORDS = 16;

/**
 * The text of an event that search indexes, and under which key; undefined for events it does not.
 * What is stored is the text's words (`wordsOf`) joined by spaces, not the text itself: both text
 * indexes then see the same words as the query, whatever their own parsers would make of
 * punctuation (PostgreSQL's splits "x-394-8abc" otherwise than FTS5's, and then a word of the text
 * could not be found on one of them).
 */
export function searchableText(event: RoomEvent | undefined): { key: SearchKey; words: string } | undefined {
  const key = ALL_SEARCH_KEYS.find((k) => SEARCH_KEYS[k] === event?.type);
  if (!event || key === undefined) return undefined;
  // A message is not state; a room name or topic is state with the empty state key.
  const isState = typeof event.state_key === 'string';
  if (key === 'content.body' ? isState : event.state_key !== '') return undefined;
  const value = event.content[key.slice('content.'.length)];
  if (typeof value !== 'string') return undefined;
  const words = wordsOf(value);
  return words.length > 0 ? { key, words: words.join(' ') } : undefined;
}

/** Runs of letters and digits, lower-cased: the words both indexes and every query are made of. */
function wordsOf(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

/**
 * The words of a search term, each kept once, at most MAX_SEARCH_WORDS. Only letters and digits
 * reach either query syntax. The same words are the response's `highlights`.
 */
export function searchWords(term: string): string[] {
  return [...new Set(wordsOf(term))].slice(0, MAX_SEARCH_WORDS);
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
