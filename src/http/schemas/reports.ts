import { NO_NUL } from './common.js';

/** Reasons of reports at most, in characters: enough for a paragraph, not a dump. */
export const MAX_REPORT_REASON = 1000;

const reason = { type: 'string', maxLength: MAX_REPORT_REASON, pattern: NO_NUL } as const;

/** `POST /rooms/{roomId}/report/{eventId}`: `score` is deprecated in the spec (-100 to 0), kept when given. */
export const ReportEventBody = {
  type: ['object', 'null'],
  properties: { reason, score: { type: 'integer', minimum: -100, maximum: 0 } },
} as const;

/** `POST /rooms/{roomId}/report` and `POST /users/{userId}/report`: `reason` is required by the spec. */
export const ReportBody = { type: 'object', required: ['reason'], properties: { reason } } as const;
