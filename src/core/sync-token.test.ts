import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatSyncToken, parseSyncToken, ZERO_TOKEN } from './sync-token.js';
import { eventPosOfToken } from './tokens.js';

describe('sync tokens', () => {
  it('round-trip, and their event part is a /messages token', () => {
    const t = { events: 42, accountData: 3, receipts: 9, presence: 1, typing: 7, toDevice: 11, deviceLists: 5 };
    const s = formatSyncToken(t);
    assert.equal(s, 's42_3_9_1_7_11_5');
    assert.deepEqual(parseSyncToken(s), t);
    assert.equal(eventPosOfToken(s), 42);
  });
  it('accept a bare event token and reject garbage', () => {
    assert.deepEqual(parseSyncToken('t5'), { ...ZERO_TOKEN, events: 5 });
    for (const bad of ['', 's', 'x1', 's1_2', 's-1', 's1_2_3_4_5_6', 's1_2_3_4_5_6_7_8', 's1_2_3_4_5_6_', 's99999999999999999']) {
      assert.equal(parseSyncToken(bad), undefined, bad);
    }
  });
  it('still accept five-part tokens issued before the to-device and device-list streams, with those at 0', () => {
    assert.deepEqual(parseSyncToken('s42_3_9_1_7'), { events: 42, accountData: 3, receipts: 9, presence: 1, typing: 7, toDevice: 0, deviceLists: 0 });
    assert.equal(eventPosOfToken('s42_3_9_1_7'), 42);
  });
});
