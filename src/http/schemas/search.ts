import { ALL_SEARCH_KEYS } from '../../core/search.js';

/** `POST /search` (search.yaml). The `filter` is checked by `parseRoomEventFilter`. */
export const SearchBody = {
  type: 'object',
  required: ['search_categories'],
  properties: {
    search_categories: {
      type: 'object',
      properties: {
        room_events: {
          type: 'object',
          required: ['search_term'],
          properties: {
            search_term: { type: 'string', maxLength: 1000 },
            keys: { type: 'array', maxItems: ALL_SEARCH_KEYS.length, items: { type: 'string', enum: ALL_SEARCH_KEYS } },
            filter: { type: 'object' },
            order_by: { type: 'string', enum: ['recent', 'rank'] },
            event_context: {
              type: 'object',
              properties: {
                before_limit: { type: 'integer', minimum: 0 },
                after_limit: { type: 'integer', minimum: 0 },
                include_profile: { type: 'boolean' },
              },
            },
            include_state: { type: 'boolean' },
            groupings: {
              type: 'object',
              properties: {
                group_by: { type: 'array', maxItems: 2, items: { type: 'object', properties: { key: { type: 'string', enum: ['room_id', 'sender'] } } } },
              },
            },
          },
        },
      },
    },
  },
} as const;

export const SearchQuery = { type: 'object', properties: { next_batch: { type: 'string', maxLength: 64 } } } as const;
