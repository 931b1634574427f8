/** Request schemas of the key endpoints (server-server API, keys_query.yaml). */

/** A millisecond timestamp, as JSON numbers can carry it exactly. */
const timestamp = { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER } as const;

/** `GET /_matrix/key/v2/query/{serverName}`'s query string. */
export const KeyQueryQuery = {
  type: 'object',
  properties: { minimum_valid_until_ts: timestamp },
} as const;

/**
 * `POST /_matrix/key/v2/query` (QueryKeys): server name -> key ID -> criteria. The number of
 * servers is bounded by the notary (413 past NOTARY_MAX_SERVERS); the key IDs here.
 */
export const KeyQueryBody = {
  type: 'object',
  required: ['server_keys'],
  properties: {
    server_keys: {
      type: 'object',
      propertyNames: { maxLength: 255 },
      additionalProperties: {
        type: 'object',
        maxProperties: 100,
        propertyNames: { maxLength: 255 },
        additionalProperties: {
          type: 'object',
          properties: { minimum_valid_until_ts: timestamp },
        },
      },
    },
  },
} as const;
