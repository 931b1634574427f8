/**
 * How long a `.well-known/matrix/server` answer is kept (server-server API, "Resolving server
 * names", step 3): the response's Cache-Control or Expires, else 24 hours, at most 48 hours;
 * errors up to an hour, backing off exponentially for repeated failures. The clock is the
 * caller's: `now` is milliseconds since the epoch.
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
export const WELL_KNOWN_DEFAULT_TTL_MS = 24 * HOUR;
export const WELL_KNOWN_MAX_TTL_MS = 48 * HOUR;
/** A floor, so that `max-age=0` or `no-store` cannot make every request fetch it again. */
export const WELL_KNOWN_MIN_TTL_MS = 5 * MINUTE;
export const WELL_KNOWN_FIRST_ERROR_TTL_MS = 5 * MINUTE;
export const WELL_KNOWN_MAX_ERROR_TTL_MS = HOUR;

export interface CacheHeaders {
  cacheControl?: string;
  expires?: string;
  /** The response's Date header, against which Expires is measured when present. */
  date?: string;
}

/** When a valid answer received at `now` expires. */
export function wellKnownExpiry(now: number, headers: CacheHeaders): number {
  return now + clamp(freshFor(now, headers), WELL_KNOWN_MIN_TTL_MS, WELL_KNOWN_MAX_TTL_MS);
}

/** When the `failures`-th failure in a row (1 for the first) received at `now` expires. */
export function wellKnownErrorExpiry(now: number, failures: number): number {
  const doublings = Math.min(Math.max(failures, 1) - 1, 10);
  return now + Math.min(WELL_KNOWN_FIRST_ERROR_TTL_MS * 2 ** doublings, WELL_KNOWN_MAX_ERROR_TTL_MS);
}

/** RFC 9111: max-age wins over Expires; no-store and no-cache mean not fresh; else the default. */
function freshFor(now: number, headers: CacheHeaders): number {
  if (headers.cacheControl !== undefined) {
    const directives = headers.cacheControl.split(',').map((d) => d.trim().toLowerCase());
    if (directives.some((d) => d === 'no-store' || d === 'no-cache')) return 0;
    for (const directive of directives) {
      const maxAge = /^max-age\s*=\s*"?(\d+)"?$/.exec(directive);
      if (maxAge) return Number(maxAge[1]) * 1000;
    }
  }
  if (headers.expires !== undefined) {
    // An invalid Expires means already expired (RFC 9111 section 5.3).
    const expires = Date.parse(headers.expires);
    if (Number.isNaN(expires)) return 0;
    const date = headers.date === undefined ? Number.NaN : Date.parse(headers.date);
    return expires - (Number.isNaN(date) ? now : date);
  }
  return WELL_KNOWN_DEFAULT_TTL_MS;
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(Math.max(value, min), max);
}
