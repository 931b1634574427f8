import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { wellKnownErrorExpiry, wellKnownExpiry } from './well-known-cache.js';

const NOW = Date.UTC(2026, 11, 5, 12, 0, 0);
const MIN = 60_000;
const HOUR = 60 * MIN;

describe('well-known cache lifetime', () => {
  const cases: [string, Parameters<typeof wellKnownExpiry>[1], number][] = [
    ['no headers: 24 hours', {}, 24 * HOUR],
    ['max-age', { cacheControl: 'public, max-age=7200' }, 2 * HOUR],
    ['quoted max-age, any case', { cacheControl: 'Max-Age="3600"' }, HOUR],
    ['max-age over 48 hours is capped', { cacheControl: 'max-age=604800' }, 48 * HOUR],
    ['max-age=0 keeps it the 5-minute floor', { cacheControl: 'max-age=0' }, 5 * MIN],
    ['no-store', { cacheControl: 'no-store' }, 5 * MIN],
    ['no-cache beats max-age', { cacheControl: 'max-age=7200, no-cache' }, 5 * MIN],
    ['max-age beats Expires', { cacheControl: 'max-age=7200', expires: 'Sat, 05 Dec 2026 13:00:00 GMT' }, 2 * HOUR],
    ['Expires against our clock', { expires: 'Sat, 05 Dec 2026 15:00:00 GMT' }, 3 * HOUR],
    ['Expires against the Date header', { expires: 'Sat, 05 Dec 2026 15:00:00 GMT', date: 'Sat, 05 Dec 2026 14:00:00 GMT' }, HOUR],
    ['Expires in the past', { expires: 'Sat, 05 Dec 2026 11:00:00 GMT' }, 5 * MIN],
    ['invalid Expires is expired', { expires: 'tomorrow' }, 5 * MIN],
    ['Cache-Control without a lifetime: 24 hours', { cacheControl: 'public' }, 24 * HOUR],
  ];
  for (const [title, headers, ttl] of cases) {
    it(title, () => assert.equal(wellKnownExpiry(NOW, headers) - NOW, ttl));
  }

  it('errors: 5 minutes, doubling with each failure in a row, at most an hour', () => {
    const ttls = [1, 2, 3, 4, 5, 6, 50].map((n) => (wellKnownErrorExpiry(NOW, n) - NOW) / MIN);
    assert.deepEqual(ttls, [5, 10, 20, 40, 60, 60, 60]);
  });
});
