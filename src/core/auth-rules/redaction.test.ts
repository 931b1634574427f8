import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RoomEvent } from '../events/types.js';
import { checkEventAuth } from './check-event.js';
import { redactedEventIdOf, redactionApplies } from './redaction.js';
import { ALICE, BOB, CAROL, V10, V11, VERSIONS, assertAllowed, assertRejected, event, room } from './test-support.js';

const TARGET = '$target';

/** A redaction as each version writes it: v11 moved `redacts` into content. */
function redaction(sender: string, rv: typeof V10): RoomEvent {
  return rv.redactsInContent
    ? event({ type: 'm.room.redaction', sender, content: { redacts: TARGET } })
    : event({ type: 'm.room.redaction', sender, content: {}, redacts: TARGET });
}

test('redactedEventIdOf (v10): the top-level redacts', () => {
  assert.equal(redactedEventIdOf(redaction(BOB, V10), V10), TARGET);
  assert.equal(redactedEventIdOf(event({ type: 'm.room.redaction', sender: BOB, content: { redacts: TARGET } }), V10), undefined);
});

test('redactedEventIdOf (v11): content.redacts, not the top-level key', () => {
  assert.equal(redactedEventIdOf(redaction(BOB, V11), V11), TARGET);
  assert.equal(redactedEventIdOf(event({ type: 'm.room.redaction', sender: BOB, content: {}, redacts: TARGET }), V11), undefined);
  assert.equal(redactedEventIdOf(event({ type: 'm.room.message', sender: BOB, content: { redacts: TARGET } }), V11), undefined);
});

test('redactions pass the auth rules like any event (rules 5 and 7), whatever the redact level', () => {
  for (const rv of VERSIONS) {
    // Carol (0) is below `redact` (50) but may send the redaction; applying it is decided later.
    assertAllowed(checkEventAuth(redaction(CAROL, rv), room(rv), rv));
    assertRejected(checkEventAuth(redaction('@outsider:hs9', rv), room(rv), rv), '5');
  }
});

test('redactionApplies: with the redact level, or for an event from the same server', () => {
  for (const rv of VERSIONS) {
    const state = room(rv);
    const fromCarol = event({ type: 'm.room.message', sender: CAROL, content: {}, event_id: TARGET });
    const fromAlice = event({ type: 'm.room.message', sender: ALICE, content: {}, event_id: TARGET });
    assert.equal(redactionApplies({ redaction: redaction(BOB, rv), original: fromCarol, authState: state, roomVersion: rv }), true);
    assert.equal(redactionApplies({ redaction: redaction(CAROL, rv), original: fromCarol, authState: state, roomVersion: rv }), true);
    // Carol (hs2, power 0) cannot redact Alice's (hs1) event.
    assert.equal(redactionApplies({ redaction: redaction(CAROL, rv), original: fromAlice, authState: state, roomVersion: rv }), false);
    // A redaction naming another event never applies.
    const other = event({ type: 'm.room.message', sender: CAROL, content: {}, event_id: '$other' });
    assert.equal(redactionApplies({ redaction: redaction(BOB, rv), original: other, authState: state, roomVersion: rv }), false);
  }
});
