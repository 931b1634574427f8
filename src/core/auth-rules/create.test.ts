import { test } from 'node:test';
import type { EventId } from '../ids.js';
import { checkEventAuth } from './check-event.js';
import { stateLookupOf } from './auth-events.js';
import { ALICE, V10, V11, VERSIONS, assertAllowed, assertRejected, createEvent, event } from './test-support.js';

// A create event is checked against no state at all.
const empty = stateLookupOf([]);

test('1.1 create: allowed with no prev_events', () => {
  for (const rv of VERSIONS) assertAllowed(checkEventAuth(createEvent(rv), empty, rv));
});

test('1.1 create: rejected if it has any prev_events', () => {
  for (const rv of VERSIONS) {
    const create = { ...createEvent(rv), prev_events: ['$earlier' as EventId] };
    assertRejected(checkEventAuth(create, empty, rv), '1.1');
  }
});

test('1.2 create: allowed when the room_id domain matches the sender domain', () => {
  for (const rv of VERSIONS) assertAllowed(checkEventAuth(createEvent(rv, {}, '@zed:hs1'), empty, rv));
});

test('1.2 create: rejected if the room_id domain does not match the sender domain', () => {
  for (const rv of VERSIONS) assertRejected(checkEventAuth(createEvent(rv, {}, '@mallory:evil.example'), empty, rv), '1.2');
});

test('1.3 create: allowed when content.room_version is a recognised version, or absent', () => {
  for (const rv of VERSIONS) {
    assertAllowed(checkEventAuth(createEvent(rv, { room_version: rv.id }), empty, rv));
    const withoutVersion = createEvent(rv);
    delete withoutVersion.content['room_version'];
    assertAllowed(checkEventAuth(withoutVersion, empty, rv));
  }
});

test('1.3 create: rejected if content.room_version is present and not a recognised version', () => {
  for (const rv of VERSIONS) {
    assertRejected(checkEventAuth(createEvent(rv, { room_version: 'no-such-version' }), empty, rv), '1.3');
    // A number is not a room version identifier, even if it spells one.
    assertRejected(checkEventAuth(createEvent(rv, { room_version: 10 }), empty, rv), '1.3');
  }
});

test('1.4 (v10) create: allowed when content has a creator property', () => {
  assertAllowed(checkEventAuth(createEvent(V10, { creator: ALICE }), empty, V10));
});

test('1.4 (v10) create: rejected if content has no creator property', () => {
  const create = event({ type: 'm.room.create', sender: ALICE, state_key: '', prev_events: [], content: { room_version: '10' } });
  assertRejected(checkEventAuth(create, empty, V10), '1.4');
});

test('1.4 (v11) create: otherwise allow: no creator property is needed', () => {
  const create = event({ type: 'm.room.create', sender: ALICE, state_key: '', prev_events: [], content: { room_version: '11' } });
  assertAllowed(checkEventAuth(create, empty, V11));
});

test('1.4 (v11) create: rejected only by 1.1 to 1.3: a create with prev_events fails even without creator', () => {
  const create = event({ type: 'm.room.create', sender: ALICE, state_key: '', content: { room_version: '11' } });
  assertRejected(checkEventAuth(create, empty, V11), '1.1');
});

test('1.5 (v10) create: otherwise allow, whatever the room state says', () => {
  const later = stateLookupOf([createEvent(V10, {}, '@someone:hs1')]);
  assertAllowed(checkEventAuth(createEvent(V10), later, V10));
});

test('1.5 (v10) create: a second create event later in the room is rejected by 1.1', () => {
  const second = event({ type: 'm.room.create', sender: ALICE, state_key: '', content: { creator: ALICE, room_version: '10' } });
  assertRejected(checkEventAuth(second, stateLookupOf([createEvent(V10)]), V10), '1.1');
});
