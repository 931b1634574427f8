import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stateLookupOf } from './auth-events.js';
import { powerLevelOf, powerLevelsContent, requiredPowerLevelForEvent } from './levels.js';
import { joinRuleOf, membershipOf, roomCreatorOf } from './state-access.js';
import { ALICE, BOB, CAROL, DAVE, V10, V11, createEvent, event, joinRules, member, powerLevels, room } from './test-support.js';

test('powerLevelsContent: the spec defaults when there is no power levels event', () => {
  const levels = powerLevelsContent(room(V11, { levels: null }));
  assert.deepEqual({ ...levels, users: { ...levels.users }, events: { ...levels.events }, notifications: { ...levels.notifications } }, {
    users: { [ALICE]: 100 },
    users_default: 0,
    events: {},
    events_default: 0,
    state_default: 50,
    ban: 50,
    kick: 50,
    redact: 50,
    invite: 0,
    notifications: { room: 50 },
  });
});

test('powerLevelsContent: defaults fill the keys a power levels event leaves out', () => {
  const levels = powerLevelsContent(stateLookupOf([createEvent(V10), powerLevels({ users: { [BOB]: 10 }, kick: 5 })]));
  assert.equal(levels.kick, 5);
  assert.equal(levels.ban, 50);
  assert.equal(levels.state_default, 50);
  // With a power levels event the creator gets no implicit 100.
  assert.equal(levels.users[ALICE], undefined);
});

test('powerLevelOf (v10): without power levels the user named by content.creator has 100', () => {
  const state = stateLookupOf([createEvent(V10, { creator: BOB })]);
  assert.equal(powerLevelOf(BOB, state, V10), 100);
  assert.equal(powerLevelOf(ALICE, state, V10), 0);
  // The create event's room_version picks the rule when no version is passed.
  assert.equal(powerLevelOf(BOB, state), 100);
});

test('powerLevelOf (v11): without power levels the create event sender has 100, content.creator is ignored', () => {
  const state = stateLookupOf([createEvent(V11, { creator: BOB })]);
  assert.equal(powerLevelOf(ALICE, state, V11), 100);
  assert.equal(powerLevelOf(BOB, state, V11), 0);
  assert.equal(powerLevelOf(ALICE, state), 100);
});

test('powerLevelOf: users entry, else users_default', () => {
  const state = stateLookupOf([createEvent(V11), powerLevels({ users: { [BOB]: 42 }, users_default: 3 })]);
  assert.equal(powerLevelOf(BOB, state), 42);
  assert.equal(powerLevelOf(CAROL, state), 3);
  assert.equal(powerLevelOf('__proto__', state), 3);
});

test('requiredPowerLevelForEvent: events entry, else state_default or events_default', () => {
  const state = stateLookupOf([createEvent(V11), powerLevels({ events: { 'm.room.name': 7 }, state_default: 40, events_default: 2 })]);
  assert.equal(requiredPowerLevelForEvent('m.room.name', true, state), 7);
  assert.equal(requiredPowerLevelForEvent('m.room.topic', true, state), 40);
  assert.equal(requiredPowerLevelForEvent('m.room.message', false, state), 2);
  assert.equal(requiredPowerLevelForEvent('toString', false, state), 2);
  const bare = stateLookupOf([createEvent(V11)]);
  assert.equal(requiredPowerLevelForEvent('m.room.topic', true, bare), 50);
  assert.equal(requiredPowerLevelForEvent('m.room.message', false, bare), 0);
});

test('membershipOf: the membership of the member event, or undefined', () => {
  const state = stateLookupOf([member(BOB, 'knock'), event({ type: 'm.room.member', sender: CAROL, state_key: CAROL, content: { membership: 'weird' } })]);
  assert.equal(membershipOf(BOB, state), 'knock');
  assert.equal(membershipOf(CAROL, state), undefined);
  assert.equal(membershipOf(DAVE, state), undefined);
});

test('joinRuleOf: the join rule, invite when absent', () => {
  assert.equal(joinRuleOf(stateLookupOf([joinRules('knock_restricted')])), 'knock_restricted');
  assert.equal(joinRuleOf(stateLookupOf([])), 'invite');
  assert.equal(joinRuleOf(stateLookupOf([joinRules('public', { join_rule: 5 })])), undefined);
});

test('roomCreatorOf: content.creator in v10, the sender in v11', () => {
  assert.equal(roomCreatorOf(stateLookupOf([createEvent(V10, { creator: BOB })]), V10), BOB);
  assert.equal(roomCreatorOf(stateLookupOf([createEvent(V11, { creator: BOB })]), V11), ALICE);
  assert.equal(roomCreatorOf(stateLookupOf([])), undefined);
});
