import { test } from 'node:test';
import type { JsonObject } from '../json.js';
import { checkEventAuth } from './check-event.js';
import { ALICE, BOB, CAROL, DAVE, VERSIONS, assertAllowed, assertRejected, powerLevels, room } from './test-support.js';

/**
 * The current power levels of most tests: ALICE 100, BOB 50, CAROL 0 (by users_default).
 * BOB (50) sends the changes, so "above the sender" means above 50. `state_default` is 50, so
 * BOB passes rule 7 for m.room.power_levels.
 */
const CURRENT: JsonObject = {
  users: { [ALICE]: 100, [BOB]: 50 },
  users_default: 0,
  events_default: 0,
  state_default: 50,
  ban: 50,
  kick: 50,
  redact: 50,
  invite: 0,
  events: { 'm.room.name': 50, 'm.room.power_levels': 50, 'm.room.tombstone': 100 },
  notifications: { room: 50 },
};

function change(patch: JsonObject, sender: string = BOB): (rv: (typeof VERSIONS)[number]) => ReturnType<typeof checkEventAuth> {
  return (rv) => checkEventAuth(powerLevels({ ...CURRENT, ...patch }, sender), room(rv, { levels: CURRENT }), rv);
}

function allowedIn(patch: JsonObject, sender?: string): void {
  for (const rv of VERSIONS) assertAllowed(change(patch, sender)(rv));
}

function rejectedIn(patch: JsonObject, rule: string, sender?: string): void {
  for (const rv of VERSIONS) assertRejected(change(patch, sender)(rv), rule);
}

test('9.1 power_levels: allowed when the named levels are integers', () => {
  allowedIn({ users_default: -5, events_default: 0, state_default: 50, ban: 50, kick: 50, redact: 50, invite: 0 });
});

test('9.1 power_levels: rejected if a named level is a string, a fraction or another non-integer', () => {
  for (const key of ['users_default', 'events_default', 'state_default', 'ban', 'redact', 'kick', 'invite']) {
    rejectedIn({ [key]: '50' }, '9.1');
    rejectedIn({ [key]: 50.5 }, '9.1');
    rejectedIn({ [key]: null }, '9.1');
  }
  // Beyond canonical JSON's integer range.
  rejectedIn({ ban: 2 ** 53 }, '9.1');
});

test('9.2 power_levels: allowed when events and notifications map to integers', () => {
  allowedIn({ events: { ...(CURRENT['events'] as JsonObject), 'm.room.topic': 10 }, notifications: { room: 20 } });
});

test('9.2 power_levels: rejected if events or notifications is not an object of integers', () => {
  rejectedIn({ events: { 'm.room.topic': '10' } }, '9.2');
  rejectedIn({ notifications: { room: 1.5 } }, '9.2');
  rejectedIn({ events: ['m.room.topic'] }, '9.2');
  rejectedIn({ notifications: 50 }, '9.2');
});

test('9.3 power_levels: allowed when users maps valid user IDs to integers, or is absent', () => {
  allowedIn({ users: { [ALICE]: 100, [BOB]: 50, [DAVE]: 10 } });
  for (const rv of VERSIONS) {
    const { users: _users, ...withoutUsers } = CURRENT;
    // Without `users`, Alice (100) would drop to users_default: only she may send this.
    assertAllowed(checkEventAuth(powerLevels(withoutUsers, ALICE), room(rv, { levels: CURRENT }), rv));
  }
});

test('9.3 power_levels: rejected if users is not an object of valid user IDs to integers', () => {
  rejectedIn({ users: { [ALICE]: 100, [BOB]: 50, 'not-a-user': 1 } }, '9.3');
  rejectedIn({ users: { [ALICE]: 100, [BOB]: '50' } }, '9.3');
  rejectedIn({ users: { [ALICE]: 100, [BOB]: 49.9 } }, '9.3');
  rejectedIn({ users: [ALICE] }, '9.3');
});

test('9.4 power_levels: allowed if there is no previous m.room.power_levels event', () => {
  for (const rv of VERSIONS) {
    // The creator's first power levels may give anyone anything.
    const first = powerLevels({ users: { [ALICE]: 100, [CAROL]: 1000 }, ban: 1000 }, ALICE);
    assertAllowed(checkEventAuth(first, room(rv, { levels: null }), rv));
  }
});

test('9.4 power_levels: the shape rules still apply to the first power levels event', () => {
  for (const rv of VERSIONS) {
    assertRejected(checkEventAuth(powerLevels({ users: { [ALICE]: '100' } }, ALICE), room(rv, { levels: null }), rv), '9.3');
  }
});

test('9.5.1 power_levels: allowed to alter a named level that is not above the sender', () => {
  allowedIn({ kick: 20, ban: 40, redact: 30 });
  const { invite: _invite, ...withoutInvite } = CURRENT;
  for (const rv of VERSIONS) assertAllowed(checkEventAuth(powerLevels(withoutInvite, BOB), room(rv, { levels: CURRENT }), rv));
});

test('9.5.1 power_levels: rejected if the current value of an altered named level is above the sender', () => {
  const levels = { ...CURRENT, ban: 75 };
  for (const rv of VERSIONS) {
    assertRejected(checkEventAuth(powerLevels({ ...levels, ban: 50 }, BOB), room(rv, { levels }), rv), '9.5.1');
    const { ban: _ban, ...removed } = levels;
    assertRejected(checkEventAuth(powerLevels(removed, BOB), room(rv, { levels }), rv), '9.5.1');
  }
});

test('9.5.2 power_levels: allowed to set a named level up to the sender level', () => {
  allowedIn({ state_default: 50, kick: 50, invite: 50 });
});

test('9.5.2 power_levels: rejected if the new value of a named level is above the sender', () => {
  rejectedIn({ kick: 51 }, '9.5.2');
  rejectedIn({ users_default: 60 }, '9.5.2');
});

test('9.6.1 power_levels: allowed to change or remove events entries not above the sender', () => {
  allowedIn({ events: { 'm.room.name': 0, 'm.room.tombstone': 100 } });
  allowedIn({ events: { 'm.room.power_levels': 50, 'm.room.tombstone': 100 } });
});

test('9.6.1 power_levels: rejected if an events or notifications entry being changed or removed is above the sender', () => {
  rejectedIn({ events: { 'm.room.name': 50, 'm.room.power_levels': 50, 'm.room.tombstone': 50 } }, '9.6.1');
  rejectedIn({ events: { 'm.room.name': 50, 'm.room.power_levels': 50 } }, '9.6.1');
  for (const rv of VERSIONS) {
    const levels = { ...CURRENT, notifications: { room: 80 } };
    assertRejected(checkEventAuth(powerLevels({ ...levels, notifications: {} }, BOB), room(rv, { levels }), rv), '9.6.1');
  }
});

test('9.7.1 power_levels: allowed to add or change events entries up to the sender level', () => {
  allowedIn({ events: { ...(CURRENT['events'] as JsonObject), 'org.example.custom': 50 }, notifications: { room: 10, 'org.example': 50 } });
});

test('9.7.1 power_levels: rejected if an added or changed events or notifications entry is above the sender', () => {
  rejectedIn({ events: { ...(CURRENT['events'] as JsonObject), 'org.example.custom': 51 } }, '9.7.1');
  rejectedIn({ events: { ...(CURRENT['events'] as JsonObject), 'm.room.name': 75 } }, '9.7.1');
  rejectedIn({ notifications: { room: 99 } }, '9.7.1');
});

test('9.8.1 power_levels: allowed to change or remove users below the sender, and the sender own entry', () => {
  for (const rv of VERSIONS) {
    const levels = { ...CURRENT, users: { [ALICE]: 100, [BOB]: 50, [CAROL]: 20 } };
    assertAllowed(checkEventAuth(powerLevels({ ...levels, users: { [ALICE]: 100, [BOB]: 50, [CAROL]: 0 } }, BOB), room(rv, { levels }), rv));
    assertAllowed(checkEventAuth(powerLevels({ ...levels, users: { [ALICE]: 100, [BOB]: 50 } }, BOB), room(rv, { levels }), rv));
    // Bob demotes himself.
    assertAllowed(checkEventAuth(powerLevels({ ...levels, users: { [ALICE]: 100, [BOB]: 10, [CAROL]: 20 } }, BOB), room(rv, { levels }), rv));
  }
});

test('9.8.1 power_levels: rejected if a changed or removed user entry is not below the sender', () => {
  for (const rv of VERSIONS) {
    const levels = { ...CURRENT, users: { [ALICE]: 100, [BOB]: 50, [CAROL]: 50 } };
    // A peer cannot be demoted by an equal, nor removed.
    assertRejected(checkEventAuth(powerLevels({ ...levels, users: { [ALICE]: 100, [BOB]: 50, [CAROL]: 0 } }, BOB), room(rv, { levels }), rv), '9.8.1');
    assertRejected(checkEventAuth(powerLevels({ ...levels, users: { [ALICE]: 100, [BOB]: 50 } }, BOB), room(rv, { levels }), rv), '9.8.1');
    assertRejected(checkEventAuth(powerLevels({ ...levels, users: { [ALICE]: 0, [BOB]: 50, [CAROL]: 50 } }, BOB), room(rv, { levels }), rv), '9.8.1');
  }
});

test('9.9.1 power_levels: allowed to add or change users up to the sender level', () => {
  allowedIn({ users: { [ALICE]: 100, [BOB]: 50, [CAROL]: 50, [DAVE]: 1 } });
});

test('9.9.1 power_levels: rejected if an added or changed user entry is above the sender', () => {
  rejectedIn({ users: { [ALICE]: 100, [BOB]: 50, [CAROL]: 51 } }, '9.9.1');
  // Nobody can raise themselves.
  rejectedIn({ users: { [ALICE]: 100, [BOB]: 60 } }, '9.9.1');
});

test('9.10 power_levels: otherwise allow: an unchanged power levels event', () => {
  allowedIn({});
  // The creator may change anything below 100.
  allowedIn({ users: { [ALICE]: 100, [BOB]: 99 }, ban: 100, events: { 'm.room.tombstone': 1 } }, ALICE);
});

test('9.10 power_levels: rule 7 applies first: power levels need the required level', () => {
  for (const rv of VERSIONS) {
    assertRejected(checkEventAuth(powerLevels({ ...CURRENT, invite: 0 }, CAROL), room(rv, { levels: CURRENT }), rv), '7');
  }
});
