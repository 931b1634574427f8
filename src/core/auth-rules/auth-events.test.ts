import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EventId, RoomId } from '../ids.js';
import type { RoomEvent } from '../events/types.js';
import { getRoomVersion, type RoomVersion } from '../room-versions.js';
import { authEventTypesFor, checkAuthEvents, stateLookupOf } from './auth-events.js';
import { checkEventAuth } from './check-event.js';
import {
  ALICE, BOB, CAROL, DAVE, V10, V11, VERSIONS, assertAllowed, assertRejected, createEvent, event, joinRules, member, powerLevels,
} from './test-support.js';

function withAuth(ev: RoomEvent, authEvents: RoomEvent[]): RoomEvent {
  return { ...ev, auth_events: authEvents.map((e) => e.event_id) };
}

function setup() {
  const create = createEvent(VERSIONS[0]!);
  const levels = powerLevels({ users: { [ALICE]: 100 } });
  const alice = member(ALICE, 'join');
  const bob = member(BOB, 'join');
  return { create, levels, alice, bob };
}

test('authEventTypesFor: a create event has no auth events', () => {
  assert.deepEqual(authEventTypesFor(createEvent(VERSIONS[1]!), V11), []);
});

test('authEventTypesFor: create, power levels and the sender member event for any other event', () => {
  assert.deepEqual(authEventTypesFor({ type: 'm.room.message', sender: BOB, content: { body: 'hi' } }, V10), [
    ['m.room.create', ''],
    ['m.room.power_levels', ''],
    ['m.room.member', BOB],
  ]);
});

test('authEventTypesFor: a member event adds the target, and join rules for join, invite and knock', () => {
  assert.deepEqual(authEventTypesFor({ type: 'm.room.member', sender: ALICE, state_key: CAROL, content: { membership: 'invite' } }, V10), [
    ['m.room.create', ''],
    ['m.room.power_levels', ''],
    ['m.room.member', ALICE],
    ['m.room.member', CAROL],
    ['m.room.join_rules', ''],
  ]);
  for (const membership of ['join', 'knock']) {
    assert.deepEqual(authEventTypesFor({ type: 'm.room.member', sender: CAROL, state_key: CAROL, content: { membership } }, V10).slice(3), [
      ['m.room.join_rules', ''],
    ]);
  }
  assert.deepEqual(authEventTypesFor({ type: 'm.room.member', sender: ALICE, state_key: CAROL, content: { membership: 'ban' } }, V10).slice(3), [
    ['m.room.member', CAROL],
  ]);
});

test('authEventTypesFor: a third-party invite adds the m.room.third_party_invite of its token', () => {
  const content = { membership: 'invite', third_party_invite: { display_name: 'c', signed: { mxid: CAROL, token: 'tok', signatures: {} } } };
  const pairs = authEventTypesFor({ type: 'm.room.member', sender: ALICE, state_key: CAROL, content }, V10);
  assert.deepEqual(pairs.at(-1), ['m.room.third_party_invite', 'tok']);
});

test('authEventTypesFor: a restricted join adds the authorising user member event', () => {
  const pairs = authEventTypesFor({
    type: 'm.room.member', sender: DAVE, state_key: DAVE, content: { membership: 'join', join_authorised_via_users_server: BOB },
  }, V10);
  assert.deepEqual(pairs, [
    ['m.room.create', ''],
    ['m.room.power_levels', ''],
    ['m.room.member', DAVE],
    ['m.room.join_rules', ''],
    ['m.room.member', BOB],
  ]);
});

test('authEventTypesFor: before v8 (no restricted joins) the authorising user is not selected', () => {
  const join = { type: 'm.room.member', sender: DAVE, state_key: DAVE, content: { membership: 'join', join_authorised_via_users_server: BOB } };
  for (const id of ['3', '7']) {
    assert.deepEqual(authEventTypesFor(join, getRoomVersion(id) as RoomVersion).at(-1), ['m.room.join_rules', ''], id);
  }
  assert.deepEqual(authEventTypesFor(join, getRoomVersion('8') as RoomVersion).at(-1), ['m.room.member', BOB]);
});

test('2.1 auth events: allowed without duplicate (type, state_key) entries', () => {
  const { create, levels, alice } = setup();
  const message = withAuth(event({ type: 'm.room.message', sender: ALICE }), [create, levels, alice]);
  assertAllowed(checkAuthEvents(message, [create, levels, alice], V10));
});

test('2.1 auth events: rejected if there are duplicate entries for a (type, state_key) pair', () => {
  const { create, levels, alice } = setup();
  const olderLevels = powerLevels({ users: { [ALICE]: 100, [BOB]: 100 } });
  const message = withAuth(event({ type: 'm.room.message', sender: ALICE }), [create, levels, olderLevels, alice]);
  assertRejected(checkAuthEvents(message, [create, levels, olderLevels, alice], V10), '2.1');
  const listedTwice = withAuth(event({ type: 'm.room.message', sender: ALICE }), [create, alice, alice]);
  assertRejected(checkAuthEvents(listedTwice, [create, alice], V10), '2.1');
});

test('2.2 auth events: allowed when every entry is in the auth events selection', () => {
  const { create, levels, alice, bob } = setup();
  const kick = withAuth(member(BOB, 'leave', {}, ALICE), [create, levels, alice, bob]);
  assertAllowed(checkAuthEvents(kick, [create, levels, alice, bob], V10));
});

test('2.2 auth events: rejected if an entry does not match the auth events selection', () => {
  const { create, levels, alice, bob } = setup();
  // Bob's membership has nothing to do with a message that Alice sends.
  const message = withAuth(event({ type: 'm.room.message', sender: ALICE }), [create, levels, alice, bob]);
  assertRejected(checkAuthEvents(message, [create, levels, alice, bob], V10), '2.2');
  // Join rules are selected for joins, not for messages.
  const rules = joinRules('public');
  const message2 = withAuth(event({ type: 'm.room.message', sender: ALICE }), [create, alice, rules]);
  assertRejected(checkAuthEvents(message2, [create, alice, rules], V10), '2.2');
});

test('2.3 auth events: allowed when no entry was itself rejected', () => {
  const { create, levels, alice } = setup();
  const message = withAuth(event({ type: 'm.room.message', sender: ALICE }), [create, levels, alice]);
  assertAllowed(checkAuthEvents(message, [create, levels, alice], V10, () => false));
});

test('2.3 auth events: rejected if an entry was itself rejected', () => {
  const { create, levels, alice } = setup();
  const message = withAuth(event({ type: 'm.room.message', sender: ALICE }), [create, levels, alice]);
  assertRejected(checkAuthEvents(message, [create, levels, alice], V10, (e) => e.event_id === levels.event_id), '2.3');
});

test('2.4 auth events: allowed when the m.room.create event is among the entries', () => {
  const { create, alice } = setup();
  const message = withAuth(event({ type: 'm.room.message', sender: ALICE }), [create, alice]);
  assertAllowed(checkAuthEvents(message, [create, alice], V10));
  for (const rv of VERSIONS) assertAllowed(checkEventAuth(message, stateLookupOf([createEvent(rv), alice]), rv));
});

test('2.4 auth events: rejected if there is no m.room.create event among the entries', () => {
  const { levels, alice } = setup();
  const message = withAuth(event({ type: 'm.room.message', sender: ALICE }), [levels, alice]);
  assertRejected(checkAuthEvents(message, [levels, alice], V10), '2.4');
  for (const rv of VERSIONS) assertRejected(checkEventAuth(message, stateLookupOf([levels, alice]), rv), '2.4');
});

test('2.5 auth events: allowed when every entry has the room_id of the event', () => {
  const { create, levels, alice } = setup();
  const message = withAuth(event({ type: 'm.room.message', sender: ALICE }), [create, levels, alice]);
  assertAllowed(checkAuthEvents(message, [create, levels, alice], V10));
});

test('2.5 auth events: rejected if an entry has another room_id than the event', () => {
  const { create, levels } = setup();
  // Alice is an admin elsewhere; that must not count here.
  const aliceElsewhere = { ...member(ALICE, 'join'), room_id: '!other:hs1' as RoomId };
  const message = withAuth(event({ type: 'm.room.message', sender: ALICE }), [create, levels, aliceElsewhere]);
  assertRejected(checkAuthEvents(message, [create, levels, aliceElsewhere], V10), '2.5');
  for (const rv of VERSIONS) {
    assertRejected(checkEventAuth(message, stateLookupOf([createEvent(rv), levels, aliceElsewhere]), rv), '2.5');
  }
});

test('2 auth events: an auth event that was not supplied is reported, not guessed', () => {
  const { create, alice } = setup();
  const message = { ...event({ type: 'm.room.message', sender: ALICE }), auth_events: [create.event_id, '$missing' as EventId] };
  assertRejected(checkAuthEvents(message, [create, alice], V10), '2');
});

test('checkEventAuth consults only the auth events selection of the event', () => {
  // A join rules event in the state does not make a message need anything more.
  for (const rv of VERSIONS) {
    const state = stateLookupOf([createEvent(rv), member(ALICE, 'join'), joinRules('public'), member(DAVE, 'ban')]);
    assertAllowed(checkEventAuth(event({ type: 'm.room.message', sender: ALICE }), state, rv));
  }
});
