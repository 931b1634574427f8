import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CURRENTLY_ACTIVE_MS, isPresenceState, presenceContent, presenceEvent } from './presence.js';

describe('presenceContent', () => {
  it('reports time since activity; online users are currently active for a while', () => {
    const p = { presence: 'online' as const, statusMsg: 'hi', lastActiveTs: 1000 };
    assert.deepEqual(presenceContent(p, 1500), { presence: 'online', last_active_ago: 500, status_msg: 'hi', currently_active: true });
    assert.equal(presenceContent(p, 1000 + CURRENTLY_ACTIVE_MS).currently_active, false);
    // A clock that went backwards never gives a negative age.
    assert.equal(presenceContent(p, 0).last_active_ago, 0);
  });

  it('leaves status_msg out when there is none; only online users are currently active', () => {
    const p = { presence: 'unavailable' as const, statusMsg: null, lastActiveTs: 1000 };
    assert.deepEqual(presenceContent(p, 1000), { presence: 'unavailable', last_active_ago: 0, currently_active: false });
    assert.deepEqual(presenceEvent('@a:hs', p, 1000), { type: 'm.presence', sender: '@a:hs', content: presenceContent(p, 1000) });
  });

  it('knows the three states', () => {
    assert.ok(['online', 'offline', 'unavailable'].every(isPresenceState));
    assert.ok(![undefined, 'busy', 1].some(isPresenceState));
  });
});
