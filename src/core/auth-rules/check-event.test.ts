import { test } from 'node:test';
import type { RoomEvent } from '../events/types.js';
import { checkEventAuth } from './check-event.js';
import { ALICE, BOB, CAROL, DAVE, VERSIONS, assertAllowed, assertRejected, event, member, room } from './test-support.js';

function message(sender: string, type = 'm.room.message'): RoomEvent {
  return event({ type, sender, content: { msgtype: 'm.text', body: 'hello' } });
}

test('3 m.federate: allowed from another server when m.federate is absent or true', () => {
  for (const rv of VERSIONS) {
    assertAllowed(checkEventAuth(message(CAROL), room(rv), rv));
    assertAllowed(checkEventAuth(message(CAROL), room(rv, { createContent: { 'm.federate': true } }), rv));
  }
});

test('3 m.federate: rejected if m.federate is false and the sender is not on the creator server', () => {
  for (const rv of VERSIONS) {
    const state = room(rv, { createContent: { 'm.federate': false } });
    assertRejected(checkEventAuth(message(CAROL), state, rv), '3');
    // It comes before the membership rules: a remote user cannot even join.
    assertRejected(checkEventAuth(member(DAVE, 'join'), room(rv, { joinRule: 'public', createContent: { 'm.federate': false } }), rv), '3');
    // The creator's server is still welcome.
    assertAllowed(checkEventAuth(message(BOB), state, rv));
  }
});

test('5 sender: allowed when the sender is joined', () => {
  for (const rv of VERSIONS) assertAllowed(checkEventAuth(message(CAROL), room(rv), rv));
});

test('5 sender: rejected if the sender membership is not join', () => {
  for (const rv of VERSIONS) {
    for (const m of ['invite', 'leave', 'ban', 'knock'] as const) {
      assertRejected(checkEventAuth(message(DAVE), room(rv, { joinRule: 'knock', members: { [DAVE]: m } }), rv), '5');
    }
    assertRejected(checkEventAuth(message(DAVE), room(rv), rv), '5');
  }
});

test('6.1 third_party_invite: allowed if the sender power level is at least the invite level', () => {
  for (const rv of VERSIONS) {
    const tpi = event({ type: 'm.room.third_party_invite', sender: CAROL, state_key: 'token', content: { public_key: 'k', display_name: 'd' } });
    // state_default (50) does not apply: the invite level (0) does.
    assertAllowed(checkEventAuth(tpi, room(rv), rv));
  }
});

test('6.1 third_party_invite: rejected if the sender power level is below the invite level', () => {
  for (const rv of VERSIONS) {
    const tpi = event({ type: 'm.room.third_party_invite', sender: CAROL, state_key: 'token', content: { public_key: 'k', display_name: 'd' } });
    assertRejected(checkEventAuth(tpi, room(rv, { levels: { users: { [ALICE]: 100 }, invite: 10 } }), rv), '6.1');
  }
});

test('7 power: allowed when the sender has the required power level of the event type', () => {
  for (const rv of VERSIONS) {
    assertAllowed(checkEventAuth(message(CAROL), room(rv), rv));
    assertAllowed(checkEventAuth(event({ type: 'm.room.name', sender: BOB, state_key: '', content: { name: 'n' } }), room(rv), rv));
    assertAllowed(checkEventAuth(message(CAROL, 'm.reaction'), room(rv, { levels: { events_default: 10, events: { 'm.reaction': 0 } } }), rv));
  }
});

test('7 power: rejected if the required power level of the event type is greater than the sender level', () => {
  for (const rv of VERSIONS) {
    // state_default is 50.
    assertRejected(checkEventAuth(event({ type: 'm.room.name', sender: CAROL, state_key: '', content: { name: 'n' } }), room(rv), rv), '7');
    assertRejected(checkEventAuth(message(CAROL), room(rv, { levels: { users: { [ALICE]: 100 }, events_default: 1 } }), rv), '7');
    assertRejected(checkEventAuth(message(BOB, 'm.room.encrypted'), room(rv, { levels: { users: { [BOB]: 50 }, events: { 'm.room.encrypted': 51 } } }), rv), '7');
    // Redactions are ordinary events here: events["m.room.redaction"] decides, not `redact`.
    const redaction = event({ type: 'm.room.redaction', sender: CAROL, content: { redacts: '$x' }, redacts: '$x' });
    assertRejected(checkEventAuth(redaction, room(rv, { levels: { events: { 'm.room.redaction': 10 } } }), rv), '7');
  }
});

test('7 power: without a power levels event, state needs 50 and the creator has 100', () => {
  for (const rv of VERSIONS) {
    const state = room(rv, { levels: null });
    assertAllowed(checkEventAuth(event({ type: 'm.room.topic', sender: ALICE, state_key: '', content: { topic: 't' } }), state, rv));
    assertRejected(checkEventAuth(event({ type: 'm.room.topic', sender: BOB, state_key: '', content: { topic: 't' } }), state, rv), '7');
    assertAllowed(checkEventAuth(message(BOB), state, rv));
  }
});

test('8 state_key: allowed when a state_key starting with @ is the sender', () => {
  for (const rv of VERSIONS) {
    assertAllowed(checkEventAuth(event({ type: 'org.example.profile', sender: BOB, state_key: BOB, content: {} }), room(rv), rv));
    assertAllowed(checkEventAuth(event({ type: 'org.example.note', sender: BOB, state_key: 'not-a-user', content: {} }), room(rv), rv));
  }
});

test('8 state_key: rejected if the state_key starts with @ and does not match the sender', () => {
  for (const rv of VERSIONS) {
    assertRejected(checkEventAuth(event({ type: 'org.example.profile', sender: ALICE, state_key: CAROL, content: {} }), room(rv), rv), '8');
    assertRejected(checkEventAuth(event({ type: 'org.example.profile', sender: ALICE, state_key: '@', content: {} }), room(rv), rv), '8');
  }
});

test('10 otherwise allow: any other event from a joined user with enough power', () => {
  for (const rv of VERSIONS) {
    assertAllowed(checkEventAuth(event({ type: 'constructor', sender: CAROL, content: {} }), room(rv), rv));
    assertAllowed(checkEventAuth(event({ type: 'm.room.join_rules', sender: BOB, state_key: '', content: { join_rule: 'public' } }), room(rv), rv));
  }
});

test('10 otherwise allow: not reached when an earlier rule rejects', () => {
  for (const rv of VERSIONS) {
    // An event type named like an Object.prototype key gets no level from the prototype.
    const levels = { users: { [ALICE]: 100 }, events_default: 5 };
    assertRejected(checkEventAuth(event({ type: 'constructor', sender: CAROL, content: {} }), room(rv, { levels }), rv), '7');
  }
});

test('format: a malformed event is rejected instead of throwing', () => {
  for (const rv of VERSIONS) {
    const broken = { ...message(CAROL), content: null } as unknown as RoomEvent;
    assertRejected(checkEventAuth(broken, room(rv), rv), 'format');
  }
});
