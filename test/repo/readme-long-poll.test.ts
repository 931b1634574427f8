// The README's load-balancer example must outlast the longest /sync long-poll Hearth allows: a proxy
// that gives up first turns every idle long-poll into a 504 at the client.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { MAX_SYNC_TIMEOUT_MS } from '../../src/services/sync/sync.js';

const readme = readFileSync(path.resolve(import.meta.dirname, '../../README.md'), 'utf8');

describe('README: the proxy example and the /sync long-poll cap agree', () => {
  it('proxy_read_timeout exceeds the long-poll cap with at least 10 s of margin, and the README states the cap', () => {
    const timeouts = [...readme.matchAll(/proxy_read_timeout\s+(\d+)s;/g)].map((m) => Number(m[1]) * 1000);
    assert.ok(timeouts.length > 0, 'the README has a proxy_read_timeout');
    for (const t of timeouts) assert.ok(t >= MAX_SYNC_TIMEOUT_MS + 10_000, `proxy_read_timeout ${t / 1000}s against a cap of ${MAX_SYNC_TIMEOUT_MS / 1000} s`);
    assert.match(readme, new RegExp(`/sync\\?timeout=\`[\\s\\S]{0,80}?at most ${MAX_SYNC_TIMEOUT_MS / 1000} s\\b`), 'the README names the cap where the example is');
  });
});
