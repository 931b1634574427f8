import { test } from 'node:test';
import type { JsonObject } from '../json.js';
import assert from 'node:assert/strict';
import { MEMBERSHIPS, type Membership, type RoomEvent } from '../events/types.js';
import { checkEventAuth } from './check-event.js';
import { ALICE, BOB, CAROL, DAVE, VERSIONS, assertAllowed, assertRejected, event, member, room } from './test-support.js';

/** `sender` sets `target`'s membership. */
function change(sender: string, target: string, membership: Membership, content: JsonObject = {}): RoomEvent {
  return member(target, membership, content, sender);
}

const thirdPartyInvite: JsonObject = {
  display_name: 'dave@example.org',
  signed: { mxid: DAVE, token: 'abc', signatures: { 'id.example.org': { 'ed25519:0': 'sig' } } },
};

test('4.4.1 invite: an invite without third_party_invite is not subject to it', () => {
  for (const rv of VERSIONS) assertAllowed(checkEventAuth(change(CAROL, DAVE, 'invite'), room(rv), rv));
});

test('4.4.1 invite: rejected if content has third_party_invite (third-party invites are not supported)', () => {
  for (const rv of VERSIONS) {
    const tpi = event({ type: 'm.room.third_party_invite', sender: ALICE, state_key: 'abc', content: { public_key: 'k' } });
    assertRejected(checkEventAuth(change(ALICE, DAVE, 'invite', { third_party_invite: thirdPartyInvite }), room(rv, { extra: [tpi] }), rv), '4.4.1');
  }
});

test('4.4.2 invite: allowed when the sender is joined', () => {
  for (const rv of VERSIONS) assertAllowed(checkEventAuth(change(BOB, DAVE, 'invite'), room(rv), rv));
});

test('4.4.2 invite: rejected if the sender is not joined', () => {
  for (const rv of VERSIONS) {
    for (const m of ['invite', 'leave', 'knock'] as const) {
      assertRejected(checkEventAuth(change(BOB, DAVE, 'invite'), room(rv, { members: { [BOB]: m } }), rv), '4.4.2');
    }
    assertRejected(checkEventAuth(change('@nobody:hs1', DAVE, 'invite'), room(rv), rv), '4.4.2');
  }
});

test('4.4.3 invite: allowed when the target has left, knocked, or is already invited', () => {
  for (const rv of VERSIONS) {
    for (const m of ['leave', 'knock', 'invite'] as const) {
      assertAllowed(checkEventAuth(change(BOB, DAVE, 'invite'), room(rv, { members: { [DAVE]: m } }), rv));
    }
  }
});

test('4.4.3 invite: rejected if the target is joined or banned', () => {
  for (const rv of VERSIONS) {
    for (const m of ['join', 'ban'] as const) {
      assertRejected(checkEventAuth(change(BOB, DAVE, 'invite'), room(rv, { members: { [DAVE]: m } }), rv), '4.4.3');
    }
  }
});

test('4.4.4 invite: allowed if the sender power level is at least the invite level', () => {
  const levels = { users: { [ALICE]: 100, [BOB]: 50 }, invite: 50 };
  for (const rv of VERSIONS) assertAllowed(checkEventAuth(change(BOB, DAVE, 'invite'), room(rv, { levels }), rv));
});

test('4.4.5 invite: otherwise reject: the sender power level is below the invite level', () => {
  const levels = { users: { [ALICE]: 100, [BOB]: 50 }, invite: 50 };
  for (const rv of VERSIONS) assertRejected(checkEventAuth(change(CAROL, DAVE, 'invite'), room(rv, { levels }), rv), '4.4.5');
});

test('4.5.1 leave: a user may leave from invite, join or knock', () => {
  for (const rv of VERSIONS) {
    for (const m of ['invite', 'join', 'knock'] as const) {
      assertAllowed(checkEventAuth(change(DAVE, DAVE, 'leave'), room(rv, { members: { [DAVE]: m } }), rv));
    }
  }
});

test('4.5.1 leave: rejected for a self-leave from leave, ban, or no membership', () => {
  for (const rv of VERSIONS) {
    for (const m of ['leave', 'ban'] as const) {
      assertRejected(checkEventAuth(change(DAVE, DAVE, 'leave'), room(rv, { members: { [DAVE]: m } }), rv), '4.5.1');
    }
    assertRejected(checkEventAuth(change(DAVE, DAVE, 'leave'), room(rv), rv), '4.5.1');
  }
});

test('4.5.2 leave: another user may be kicked by a joined sender', () => {
  for (const rv of VERSIONS) assertAllowed(checkEventAuth(change(BOB, CAROL, 'leave'), room(rv), rv));
});

test('4.5.2 leave: rejected if the sender of a kick is not joined', () => {
  for (const rv of VERSIONS) {
    assertRejected(checkEventAuth(change(BOB, CAROL, 'leave'), room(rv, { members: { [BOB]: 'invite' } }), rv), '4.5.2');
    assertRejected(checkEventAuth(change(BOB, CAROL, 'leave'), room(rv, { members: { [BOB]: 'leave' } }), rv), '4.5.2');
  }
});

test('4.5.3 leave: an unban is allowed with the ban level', () => {
  for (const rv of VERSIONS) assertAllowed(checkEventAuth(change(BOB, DAVE, 'leave'), room(rv, { members: { [DAVE]: 'ban' } }), rv));
});

test('4.5.3 leave: rejected if the target is banned and the sender is below the ban level', () => {
  // Bob may kick (kick 50) but not ban (ban 75), so he may not unban.
  const levels = { users: { [ALICE]: 100, [BOB]: 50 }, ban: 75 };
  for (const rv of VERSIONS) assertRejected(checkEventAuth(change(BOB, DAVE, 'leave'), room(rv, { levels, members: { [DAVE]: 'ban' } }), rv), '4.5.3');
});

test('4.5.4 leave: a kick is allowed with the kick level over a lower target', () => {
  const levels = { users: { [ALICE]: 100, [BOB]: 10, [CAROL]: 5 }, kick: 10 };
  for (const rv of VERSIONS) assertAllowed(checkEventAuth(change(BOB, CAROL, 'leave'), room(rv, { levels }), rv));
});

test('4.5.5 leave: otherwise reject: below the kick level, or the target is not lower', () => {
  for (const rv of VERSIONS) {
    assertRejected(checkEventAuth(change(CAROL, BOB, 'leave'), room(rv), rv), '4.5.5');
    const levels = { users: { [ALICE]: 100, [BOB]: 50, [CAROL]: 50 } };
    assertRejected(checkEventAuth(change(BOB, CAROL, 'leave'), room(rv, { levels }), rv), '4.5.5');
    // Unbanning needs both the ban and the kick level.
    const banOnly = { users: { [ALICE]: 100, [BOB]: 50 }, kick: 60 };
    assertRejected(checkEventAuth(change(BOB, DAVE, 'leave'), room(rv, { levels: banOnly, members: { [DAVE]: 'ban' } }), rv), '4.5.5');
  }
});

test('4.6.1 ban: allowed from a joined sender', () => {
  for (const rv of VERSIONS) assertAllowed(checkEventAuth(change(BOB, DAVE, 'ban'), room(rv), rv));
});

test('4.6.1 ban: rejected if the sender is not joined', () => {
  for (const rv of VERSIONS) assertRejected(checkEventAuth(change(BOB, DAVE, 'ban'), room(rv, { members: { [BOB]: 'leave' } }), rv), '4.6.1');
});

test('4.6.2 ban: allowed with the ban level over a lower target, whatever the target membership', () => {
  for (const rv of VERSIONS) {
    assertAllowed(checkEventAuth(change(BOB, CAROL, 'ban'), room(rv), rv));
    assertAllowed(checkEventAuth(change(BOB, DAVE, 'ban'), room(rv, { members: { [DAVE]: 'ban' } }), rv));
  }
});

test('4.6.3 ban: otherwise reject: below the ban level, or the target is not lower', () => {
  for (const rv of VERSIONS) {
    assertRejected(checkEventAuth(change(CAROL, DAVE, 'ban'), room(rv), rv), '4.6.3');
    assertRejected(checkEventAuth(change(BOB, ALICE, 'ban'), room(rv), rv), '4.6.3');
    // Nobody can ban themselves: their level is never below their own.
    assertRejected(checkEventAuth(change(BOB, BOB, 'ban'), room(rv), rv), '4.6.3');
  }
});

test('4.7.1 knock: allowed when the join rule is knock or knock_restricted', () => {
  for (const rv of VERSIONS) {
    for (const joinRule of ['knock', 'knock_restricted']) assertAllowed(checkEventAuth(change(DAVE, DAVE, 'knock'), room(rv, { joinRule }), rv));
  }
});

test('4.7.1 knock: rejected if the join rule is anything other than knock or knock_restricted', () => {
  for (const rv of VERSIONS) {
    for (const joinRule of ['public', 'invite', 'restricted', 'private', null]) {
      assertRejected(checkEventAuth(change(DAVE, DAVE, 'knock'), room(rv, { joinRule }), rv), '4.7.1');
    }
  }
});

test('4.7.2 knock: allowed when the sender matches the state_key', () => {
  for (const rv of VERSIONS) assertAllowed(checkEventAuth(change(DAVE, DAVE, 'knock'), room(rv, { joinRule: 'knock' }), rv));
});

test('4.7.2 knock: rejected if the sender does not match the state_key', () => {
  for (const rv of VERSIONS) assertRejected(checkEventAuth(change(CAROL, DAVE, 'knock'), room(rv, { joinRule: 'knock' }), rv), '4.7.2');
});

test('4.7.3 knock: allowed if the sender membership is not ban, invite or join', () => {
  for (const rv of VERSIONS) {
    for (const m of ['leave', 'knock'] as const) {
      assertAllowed(checkEventAuth(change(DAVE, DAVE, 'knock'), room(rv, { joinRule: 'knock', members: { [DAVE]: m } }), rv));
    }
  }
});

test('4.7.4 knock: otherwise reject: the sender is banned, invited or joined', () => {
  for (const rv of VERSIONS) {
    for (const m of ['ban', 'invite', 'join'] as const) {
      assertRejected(checkEventAuth(change(DAVE, DAVE, 'knock'), room(rv, { joinRule: 'knock', members: { [DAVE]: m } }), rv), '4.7.4');
    }
  }
});

test('4.8 member: every known membership is decided by its own rule, never 4.8', () => {
  for (const rv of VERSIONS) {
    for (const m of MEMBERSHIPS) {
      const result = checkEventAuth(change(DAVE, DAVE, m), room(rv, { joinRule: 'knock' }), rv);
      assert.ok(result.allowed || result.rule !== '4.8', `${m} fell through to 4.8`);
    }
    assertAllowed(checkEventAuth(change(ALICE, DAVE, 'invite'), room(rv), rv));
  }
});

test('4.8 member: otherwise the membership is unknown: reject', () => {
  for (const rv of VERSIONS) {
    for (const membership of ['private', 'JOIN', 1, null]) {
      const odd = event({ type: 'm.room.member', sender: DAVE, state_key: DAVE, content: { membership } });
      assertRejected(checkEventAuth(odd, room(rv, { joinRule: 'public' }), rv), '4.8');
    }
  }
});

test('4 member: membership events are not subject to rules 5, 7 and 8', () => {
  // Dave is not joined (5), members need state_default 50 (7), the state_key is another user (8).
  for (const rv of VERSIONS) assertAllowed(checkEventAuth(change(BOB, DAVE, 'invite'), room(rv, { levels: { users: { [BOB]: 50 }, state_default: 100 } }), rv));
});
