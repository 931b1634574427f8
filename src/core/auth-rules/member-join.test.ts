import { test } from 'node:test';
import type { EventId } from '../ids.js';
import type { JsonObject } from '../json.js';
import type { RoomEvent } from '../events/types.js';
import { checkEventAuth } from './check-event.js';
import { stateLookupOf } from './auth-events.js';
import {
  ALICE, BOB, CAROL, DAVE, V10, V11, VERSIONS, assertAllowed, assertRejected, createEvent, event, member, room,
} from './test-support.js';

/** DAVE joins himself; extra content and signatures as given. */
function daveJoins(content: JsonObject = {}, signatures?: Record<string, Record<string, string>>): RoomEvent {
  return event({ type: 'm.room.member', sender: DAVE, state_key: DAVE, content: { membership: 'join', ...content }, ...(signatures ? { signatures } : {}) });
}

/** A restricted join vouched for by `authoriser`, signed by Dave's server and the authoriser's. */
function restrictedJoin(authoriser: string): RoomEvent {
  const server = authoriser.slice(authoriser.indexOf(':') + 1);
  return daveJoins({ join_authorised_via_users_server: authoriser }, { hs3: { 'ed25519:a': 'x' }, [server]: { 'ed25519:b': 'y' } });
}

test('4.1 member: allowed with a state_key and content.membership', () => {
  for (const rv of VERSIONS) assertAllowed(checkEventAuth(member(BOB, 'leave'), room(rv), rv));
});

test('4.1 member: rejected if there is no state_key or no membership in content', () => {
  for (const rv of VERSIONS) {
    const noStateKey = event({ type: 'm.room.member', sender: BOB, content: { membership: 'leave' } });
    assertRejected(checkEventAuth(noStateKey, room(rv), rv), '4.1');
    const noMembership = event({ type: 'm.room.member', sender: BOB, state_key: BOB, content: { displayname: 'Bob' } });
    assertRejected(checkEventAuth(noMembership, room(rv), rv), '4.1');
  }
});

test('4.2.1 member: allowed when signed by the server of join_authorised_via_users_server', () => {
  for (const rv of VERSIONS) assertAllowed(checkEventAuth(restrictedJoin(BOB), room(rv, { joinRule: 'restricted' }), rv));
});

test('4.2.1 member: rejected if not signed by the server of join_authorised_via_users_server', () => {
  for (const rv of VERSIONS) {
    const state = room(rv, { joinRule: 'restricted' });
    const unsigned = daveJoins({ join_authorised_via_users_server: BOB }, { hs3: { 'ed25519:a': 'x' } });
    assertRejected(checkEventAuth(unsigned, state, rv), '4.2.1');
    // Whatever the membership: a leave carrying the key is checked too.
    const leave = event({ type: 'm.room.member', sender: BOB, state_key: BOB, content: { membership: 'leave', join_authorised_via_users_server: CAROL } });
    assertRejected(checkEventAuth(leave, state, rv), '4.2.1');
    assertRejected(checkEventAuth(daveJoins({ join_authorised_via_users_server: 'not a user' }), state, rv), '4.2.1');
  }
});

test('4.3.1 (v10) join: allowed if the only previous event is the create event and state_key is content.creator', () => {
  const state = stateLookupOf([createEvent(V10)]);
  const join = event({ type: 'm.room.member', sender: ALICE, state_key: ALICE, content: { membership: 'join' }, prev_events: ['$create'] });
  assertAllowed(checkEventAuth(join, state, V10));
});

test('4.3.1 (v10) join: not allowed by it when state_key is the create sender but not content.creator', () => {
  // v10 trusts content.creator, even when it differs from the create event's sender.
  const state = stateLookupOf([createEvent(V10, { creator: BOB })]);
  const join = event({ type: 'm.room.member', sender: ALICE, state_key: ALICE, content: { membership: 'join' }, prev_events: ['$create'] });
  assertRejected(checkEventAuth(join, state, V10), '4.3.7');
});

test('4.3.1 (v11) join: allowed if the only previous event is the create event and state_key is its sender', () => {
  // A leftover content.creator is ignored in v11.
  const state = stateLookupOf([createEvent(V11, { creator: BOB })]);
  const join = event({ type: 'm.room.member', sender: ALICE, state_key: ALICE, content: { membership: 'join' }, prev_events: ['$create'] });
  assertAllowed(checkEventAuth(join, state, V11));
});

test('4.3.1 (v11) join: not allowed by it when there is another previous event or another user', () => {
  const state = stateLookupOf([createEvent(V11)]);
  const twoParents = event({ type: 'm.room.member', sender: ALICE, state_key: ALICE, content: { membership: 'join' }, prev_events: ['$create', '$other'] });
  assertRejected(checkEventAuth(twoParents, state, V11), '4.3.7');
  const notCreator = event({ type: 'm.room.member', sender: BOB, state_key: BOB, content: { membership: 'join' }, prev_events: ['$create'] });
  assertRejected(checkEventAuth(notCreator, state, V11), '4.3.7');
});

test('4.3.2 join: allowed when the sender matches the state_key', () => {
  for (const rv of VERSIONS) assertAllowed(checkEventAuth(daveJoins(), room(rv, { joinRule: 'public' }), rv));
});

test('4.3.2 join: rejected if the sender does not match the state_key', () => {
  for (const rv of VERSIONS) {
    const forced = event({ type: 'm.room.member', sender: ALICE, state_key: DAVE, content: { membership: 'join' } });
    assertRejected(checkEventAuth(forced, room(rv, { joinRule: 'public' }), rv), '4.3.2');
  }
});

test('4.3.3 join: allowed when the sender is not banned', () => {
  for (const rv of VERSIONS) assertAllowed(checkEventAuth(daveJoins(), room(rv, { joinRule: 'public', members: { [DAVE]: 'leave' } }), rv));
});

test('4.3.3 join: rejected if the sender is banned', () => {
  for (const rv of VERSIONS) assertRejected(checkEventAuth(daveJoins(), room(rv, { joinRule: 'public', members: { [DAVE]: 'ban' } }), rv), '4.3.3');
});

test('4.3.4 join: allowed if the join rule is invite or knock and the membership is invite or join', () => {
  for (const rv of VERSIONS) {
    for (const joinRule of ['invite', 'knock']) {
      assertAllowed(checkEventAuth(daveJoins(), room(rv, { joinRule, members: { [DAVE]: 'invite' } }), rv));
      assertAllowed(checkEventAuth(daveJoins(), room(rv, { joinRule, members: { [DAVE]: 'join' } }), rv));
    }
    // No join rules event means invite.
    assertAllowed(checkEventAuth(daveJoins(), room(rv, { joinRule: null, members: { [DAVE]: 'invite' } }), rv));
  }
});

test('4.3.4 join: with join rule invite or knock, rejected (by 4.3.7) when not invited', () => {
  for (const rv of VERSIONS) {
    for (const joinRule of ['invite', 'knock', null]) {
      assertRejected(checkEventAuth(daveJoins(), room(rv, { joinRule }), rv), '4.3.7');
      // A pending knock is not an invitation.
      assertRejected(checkEventAuth(daveJoins(), room(rv, { joinRule, members: { [DAVE]: 'knock' } }), rv), '4.3.7');
    }
  }
});

test('4.3.5.1 join: allowed if the join rule is restricted or knock_restricted and the membership is join or invite', () => {
  for (const rv of VERSIONS) {
    for (const joinRule of ['restricted', 'knock_restricted']) {
      assertAllowed(checkEventAuth(daveJoins(), room(rv, { joinRule, members: { [DAVE]: 'invite' } }), rv));
      assertAllowed(checkEventAuth(daveJoins(), room(rv, { joinRule, members: { [DAVE]: 'join' } }), rv));
    }
  }
});

test('4.3.5.1 join: with a restricted join rule, neither invited nor joined and no authorising user, rejected by 4.3.5.2', () => {
  for (const rv of VERSIONS) {
    for (const joinRule of ['restricted', 'knock_restricted']) {
      assertRejected(checkEventAuth(daveJoins(), room(rv, { joinRule, members: { [DAVE]: 'knock' } }), rv), '4.3.5.2');
    }
  }
});

test('4.3.5.2 join: rejected if join_authorised_via_users_server is not joined or cannot invite', () => {
  for (const rv of VERSIONS) {
    for (const joinRule of ['restricted', 'knock_restricted']) {
      const invitePower = { users: { [ALICE]: 100, [BOB]: 50 }, invite: 50 };
      assertRejected(checkEventAuth(restrictedJoin(CAROL), room(rv, { joinRule, levels: invitePower }), rv), '4.3.5.2');
      assertRejected(checkEventAuth(restrictedJoin(BOB), room(rv, { joinRule, members: { [BOB]: 'leave' } }), rv), '4.3.5.2');
      assertRejected(checkEventAuth(restrictedJoin('@ghost:hs4'), room(rv, { joinRule }), rv), '4.3.5.2');
    }
  }
});

test('4.3.5.3 join: otherwise allow: a joined authorising user with the invite level vouches', () => {
  for (const rv of VERSIONS) {
    for (const joinRule of ['restricted', 'knock_restricted']) {
      assertAllowed(checkEventAuth(restrictedJoin(CAROL), room(rv, { joinRule }), rv));
      const invitePower = { users: { [ALICE]: 100, [BOB]: 50 }, invite: 50 };
      assertAllowed(checkEventAuth(restrictedJoin(BOB), room(rv, { joinRule, levels: invitePower }), rv));
    }
  }
});

test('4.3.6 join: allowed if the join rule is public', () => {
  for (const rv of VERSIONS) assertAllowed(checkEventAuth(daveJoins(), room(rv, { joinRule: 'public' }), rv));
});

test('4.3.6 join: a public join of someone else is still rejected (by 4.3.2)', () => {
  for (const rv of VERSIONS) {
    const forced = event({ type: 'm.room.member', sender: CAROL, state_key: DAVE, content: { membership: 'join' } });
    assertRejected(checkEventAuth(forced, room(rv, { joinRule: 'public' }), rv), '4.3.2');
  }
});

test('4.3.7 join: otherwise reject: an unknown join rule such as private', () => {
  for (const rv of VERSIONS) {
    assertRejected(checkEventAuth(daveJoins(), room(rv, { joinRule: 'private', members: { [DAVE]: 'invite' } }), rv), '4.3.7');
    assertRejected(checkEventAuth(daveJoins(), room(rv, { joinRule: 'no_such_rule' }), rv), '4.3.7');
  }
});

test('4.3.7 join: not reached when a known join rule allows the join', () => {
  for (const rv of VERSIONS) assertAllowed(checkEventAuth(daveJoins(), room(rv, { joinRule: 'public', members: { [DAVE]: 'knock' } }), rv));
});

test('4.3.1 join: the create event must be the only previous event (ids compared)', () => {
  for (const rv of VERSIONS) {
    const state = stateLookupOf([createEvent(rv)]);
    const join = event({ type: 'm.room.member', sender: ALICE, state_key: ALICE, content: { membership: 'join' }, prev_events: ['$not-create' as EventId] });
    assertRejected(checkEventAuth(join, state, rv), '4.3.7');
  }
});
