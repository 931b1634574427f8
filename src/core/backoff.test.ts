import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { retryDelayMs } from './backoff.js';

describe('retryDelayMs', () => {
  const policy = { initialMs: 1000, maxMs: 60_000 };
  it('doubles from the initial delay and stops at the maximum', () => {
    assert.deepEqual([1, 2, 3, 4, 7, 8, 100, 10_000].map((n) => retryDelayMs(policy, n, 1)), [1000, 2000, 4000, 8000, 60_000, 60_000, 60_000, 60_000]);
  });
  it('jitter takes off at most a quarter; no failure means no wait', () => {
    assert.equal(retryDelayMs(policy, 3, 0), 3000);
    assert.equal(retryDelayMs(policy, 3, 0.5), 3500);
    assert.equal(retryDelayMs(policy, 3, 7), 4000);
    assert.equal(retryDelayMs(policy, 3, -1), 3000);
    assert.equal(retryDelayMs(policy, 0, 1), 0);
  });
});
