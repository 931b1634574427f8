/**
 * The auth rules that differ between room versions 3 to 11: each difference is checked on both
 * sides of the version that introduced it (rooms/v3 … v10, "Authorisation rules").
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { JsonObject } from '../json.js';
import { getRoomVersion, type RoomVersion } from '../room-versions.js';
import { checkEventAuth } from './check-event.js';
import { parsePowerLevel } from './levels.js';
import { ALICE, BOB, CAROL, DAVE, assertAllowed, assertRejected, event, member, powerLevels, room } from './test-support.js';

function rv(id: string): RoomVersion {
  const version = getRoomVersion(id);
  assert.ok(version, `room version ${id} is served`);
  return version;
}

describe('m.room.aliases (its own rule in v3 to v5, removed in v6)', () => {
  const aliases = (stateKey: string, sender = DAVE) =>
    event({ type: 'm.room.aliases', sender, state_key: stateKey, content: { aliases: ['#a:hs3'] } });

  test('v3 to v5: a server sets its own aliases without being in the room', () => {
    for (const id of ['3', '4', '5']) assertAllowed(checkEventAuth(aliases('hs3'), room(rv(id)), rv(id)));
  });

  test("v3 to v5: rejected when the state_key is not the sender's server, or missing", () => {
    for (const id of ['3', '5']) {
      assertRejected(checkEventAuth(aliases('hs1'), room(rv(id)), rv(id)), 'v3.4.2');
      const noStateKey = event({ type: 'm.room.aliases', sender: DAVE, content: { aliases: [] } });
      assertRejected(checkEventAuth(noStateKey, room(rv(id)), rv(id)), 'v3.4.1');
    }
  });

  test('v6+: an ordinary state event, so a non-member is refused (rule 5) and a member needs state_default (rule 7)', () => {
    for (const id of ['6', '10']) {
      assertRejected(checkEventAuth(aliases('hs3'), room(rv(id)), rv(id)), '5');
      assertRejected(checkEventAuth(aliases('hs2', CAROL), room(rv(id)), rv(id)), '7');
    }
    // In v5 the member with level 0 is allowed: the aliases rule comes before rule 7.
    assertAllowed(checkEventAuth(aliases('hs2', CAROL), room(rv('5')), rv('5')));
  });
});

describe('notifications in m.room.power_levels (guarded from v6)', () => {
  const levels = { users: { [ALICE]: 100, [BOB]: 50 }, notifications: { room: 100 } };

  test('v3 to v5: a sender below a notifications level may change it or add one above their own', () => {
    for (const id of ['3', '5']) {
      assertAllowed(checkEventAuth(powerLevels({ ...levels, notifications: { room: 0 } }, BOB), room(rv(id), { levels }), rv(id)));
      assertAllowed(checkEventAuth(powerLevels({ ...levels, notifications: { room: 100, other: 75 } }, BOB), room(rv(id), { levels }), rv(id)));
    }
  });

  test('v6+: rejected like a change to events (9.6.1 current above, 9.7.1 new above)', () => {
    for (const id of ['6', '9', '11']) {
      assertRejected(checkEventAuth(powerLevels({ ...levels, notifications: { room: 0 } }, BOB), room(rv(id), { levels }), rv(id)), '9.6.1');
      assertRejected(checkEventAuth(powerLevels({ ...levels, notifications: { room: 100, other: 75 } }, BOB), room(rv(id), { levels }), rv(id)), '9.7.1');
    }
  });
});

describe('knocking (v7)', () => {
  const knock = () => member(DAVE, 'knock');

  test('v3 to v6: knock is an unknown membership (4.8), even with join_rule knock', () => {
    for (const id of ['3', '6']) assertRejected(checkEventAuth(knock(), room(rv(id), { joinRule: 'knock' }), rv(id)), '4.8');
  });

  test('v7+: knocking on a knock room is allowed', () => {
    for (const id of ['7', '9', '11']) assertAllowed(checkEventAuth(knock(), room(rv(id), { joinRule: 'knock' }), rv(id)));
  });

  test('v6: the join rule knock is no rule at all, so even an invited user cannot join (4.3.7); v7 lets them', () => {
    const state = (id: string) => room(rv(id), { joinRule: 'knock', members: { [DAVE]: 'invite' } });
    assertRejected(checkEventAuth(member(DAVE, 'join'), state('6'), rv('6')), '4.3.7');
    assertAllowed(checkEventAuth(member(DAVE, 'join'), state('7'), rv('7')));
  });

  test('v7+: a knocking user may withdraw (leave); before v7 a knock membership is no membership to leave', () => {
    const state = (id: string) => room(rv(id), { joinRule: 'knock', members: { [DAVE]: 'knock' } });
    assertAllowed(checkEventAuth(member(DAVE, 'leave'), state('7'), rv('7')));
    assertRejected(checkEventAuth(member(DAVE, 'leave'), state('6'), rv('6')), '4.5.1');
  });
});

describe('restricted joins (v8)', () => {
  const vouched = (signatures: Record<string, Record<string, string>>) =>
    event({ type: 'm.room.member', sender: DAVE, state_key: DAVE, content: { membership: 'join', join_authorised_via_users_server: BOB }, signatures });
  const bothSigned = () => vouched({ hs3: { 'ed25519:a': 'x' }, hs1: { 'ed25519:b': 'y' } });

  test('v7: the join rule restricted is unknown: a vouched join and an invited join are both refused (4.3.7)', () => {
    assertRejected(checkEventAuth(bothSigned(), room(rv('7'), { joinRule: 'restricted' }), rv('7')), '4.3.7');
    assertRejected(checkEventAuth(member(DAVE, 'join'), room(rv('7'), { joinRule: 'restricted', members: { [DAVE]: 'invite' } }), rv('7')), '4.3.7');
  });

  test('v8+: a join vouched for by a member who may invite is allowed', () => {
    for (const id of ['8', '9']) assertAllowed(checkEventAuth(bothSigned(), room(rv(id), { joinRule: 'restricted' }), rv(id)));
  });

  test("rule 4.2.1 (the authoriser's server signed) exists from v8; before, the key is plain content", () => {
    const unsigned = () => vouched({ hs3: { 'ed25519:a': 'x' } });
    assertAllowed(checkEventAuth(unsigned(), room(rv('7'), { joinRule: 'public' }), rv('7')));
    assertRejected(checkEventAuth(unsigned(), room(rv('8'), { joinRule: 'public' }), rv('8')), '4.2.1');
  });
});

describe('knock_restricted (v10)', () => {
  test('v9: knocking on a knock_restricted room is refused (4.7.1); v10 allows it', () => {
    assertRejected(checkEventAuth(member(DAVE, 'knock'), room(rv('9'), { joinRule: 'knock_restricted' }), rv('9')), '4.7.1');
    assertAllowed(checkEventAuth(member(DAVE, 'knock'), room(rv('10'), { joinRule: 'knock_restricted' }), rv('10')));
  });

  test('v9: a vouched join to a knock_restricted room is refused (4.3.7); v10 allows it', () => {
    const join = () => event({
      type: 'm.room.member', sender: DAVE, state_key: DAVE, content: { membership: 'join', join_authorised_via_users_server: BOB },
      signatures: { hs3: { 'ed25519:a': 'x' }, hs1: { 'ed25519:b': 'y' } },
    });
    assertRejected(checkEventAuth(join(), room(rv('9'), { joinRule: 'knock_restricted' }), rv('9')), '4.3.7');
    assertAllowed(checkEventAuth(join(), room(rv('10'), { joinRule: 'knock_restricted' }), rv('10')));
  });
});

describe('string power levels (allowed before v10)', () => {
  const stringy: JsonObject = { ban: '50', kick: ' +050 ', events: { 'm.room.power_levels': '100' }, users: { [ALICE]: '100', [BOB]: '000075' }, users_default: '0' };

  test('v3 to v9: a power levels event with string levels is allowed; v10 and v11 reject it (9.1)', () => {
    for (const id of ['3', '6', '9']) assertAllowed(checkEventAuth(powerLevels(stringy), room(rv(id), { levels: null }), rv(id)));
    for (const id of ['10', '11']) assertRejected(checkEventAuth(powerLevels(stringy), room(rv(id), { levels: null }), rv(id)), '9.1');
  });

  test('v9: string levels in the state are read by their value (BOB at "000075" kicks at " +050 ")', () => {
    const state = room(rv('9'), { levels: stringy });
    assertAllowed(checkEventAuth(member(CAROL, 'leave', {}, BOB), state, rv('9')));
    // ALICE's "100" outranks BOB's 75.
    assertRejected(checkEventAuth(member(ALICE, 'leave', {}, BOB), state, rv('9')), '4.5.5');
  });

  test('v9: a string is compared by its value: rewriting "50" as 50 is no alteration, even by a sender below it', () => {
    const levels = { users: { [ALICE]: 100, [BOB]: 50, [CAROL]: 50 }, events: { 'm.room.power_levels': 50 }, redact: '75' };
    const rewrite = powerLevels({ ...levels, redact: 75 }, BOB);
    assertAllowed(checkEventAuth(rewrite, room(rv('9'), { levels }), rv('9')));
    assertRejected(checkEventAuth(powerLevels({ ...levels, redact: 70 }, BOB), room(rv('9'), { levels }), rv('9')), '9.5.1');
  });

  test('v9: anything else is no level: fractions, words, exponents are rejected (9.1 to 9.3)', () => {
    const state = room(rv('9'), { levels: null });
    assertRejected(checkEventAuth(powerLevels({ ban: '1.5' }), state, rv('9')), '9.1');
    assertRejected(checkEventAuth(powerLevels({ events: { x: 'fifty' } }), state, rv('9')), '9.2');
    assertRejected(checkEventAuth(powerLevels({ users: { [ALICE]: '1e2' } }), state, rv('9')), '9.3');
    assertRejected(checkEventAuth(powerLevels({ users: { [ALICE]: 50.5 } }), state, rv('9')), '9.3');
  });

  test('parsePowerLevel: the spec\'s string forms, and nothing else', () => {
    const valid: Array<[string, number]> = [['100', 100], ['000100', 100], ['+100', 100], ['-100', -100], [' 100 ', 100], [' 00100 ', 100], [' +100 ', 100], [' -100 ', -100], ['-0', 0]];
    for (const [text, value] of valid) assert.equal(parsePowerLevel(text), value, JSON.stringify(text));
    assert.ok(Object.is(parsePowerLevel('-0'), 0));
    for (const text of ['', ' ', '1.0', '1e2', '0x10', '++1', '+-1', '1 0', 'Infinity', '9007199254740992']) {
      assert.equal(parsePowerLevel(text), undefined, JSON.stringify(text));
    }
    assert.equal(parsePowerLevel(9007199254740991), 9007199254740991);
    for (const value of [1.5, 2 ** 53, null, true, [1], { a: 1 }]) assert.equal(parsePowerLevel(value), undefined, JSON.stringify(value));
  });
});
