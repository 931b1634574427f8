import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatSyncToken, parseSyncToken } from './sync-token.js';
import { eventPosOfToken } from './tokens.js';

describe('sync tokens', () => {
  it('round-trip, and their event part is a /messages token', () => {
    const t = { events: 42, accountData: 3, receipts: 9, presence: 1, typing: 7 };
    const s = formatSyncToken(t);
    assert.deepEqual(parseSyncToken(s), t);
    assert.equal(eventPosOfToken(s), 42);
  });
  it('accept a bare event token and reject garbage', () => {
    assert.deepEqual(parseSyncToken('t5'), { events: 5, accountData: 0, receipts: 0, presence: 0, typing: 0 });
    for (const bad of ['', 's', 'x1', 's1_2', 's-1', 's1_2_3_4_5_6', 's99999999999999999']) assert.equal(parseSyncToken(bad), undefined, bad);
  });
});
