import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { historyVisibilityOf, mayUserSeeEvent, type EventVisibilityFacts } from './history-visibility.js';

const base: EventVisibilityFacts = { visibility: 'shared', membershipAtEvent: undefined, joinedLater: false, isOwnMembership: false };

describe('history visibility', () => {
  it('world_readable: anyone sees the event', () => {
    assert.equal(mayUserSeeEvent({ ...base, visibility: 'world_readable' }), true);
  });
  it('joined at the event: visible under every setting', () => {
    for (const visibility of ['joined', 'invited', 'shared'] as const) {
      assert.equal(mayUserSeeEvent({ ...base, visibility, membershipAtEvent: 'join' }), true, visibility);
    }
  });
  it('shared: events before the first join are visible once the user joined later', () => {
    assert.equal(mayUserSeeEvent({ ...base, joinedLater: true }), true);
    assert.equal(mayUserSeeEvent({ ...base, joinedLater: false }), false);
  });
  it('shared: after the user left (and never rejoined), nothing new is visible', () => {
    assert.equal(mayUserSeeEvent({ ...base, membershipAtEvent: 'leave', joinedLater: false }), false);
  });
  it('invited: visible from the invite; joined: not', () => {
    assert.equal(mayUserSeeEvent({ ...base, visibility: 'invited', membershipAtEvent: 'invite' }), true);
    assert.equal(mayUserSeeEvent({ ...base, visibility: 'joined', membershipAtEvent: 'invite' }), false);
    assert.equal(mayUserSeeEvent({ ...base, visibility: 'joined', joinedLater: true }), false);
  });
  it("the user's own membership events are always visible", () => {
    assert.equal(mayUserSeeEvent({ ...base, visibility: 'joined', membershipAtEvent: 'leave', isOwnMembership: true }), true);
  });
  it('defaults', () => {
    assert.equal(historyVisibilityOf(undefined), 'shared');
    assert.equal(historyVisibilityOf({ history_visibility: 'nonsense' }), 'shared');
    assert.equal(historyVisibilityOf({ history_visibility: 'joined' }), 'joined');
  });
});
