/**
 * The two orderings on their own. The base graph and the power/timestamp table come from
 * gomatrixserverlib's stateresolutionv2_test.go (Apache-2.0), rewritten as data here; the
 * expected orders follow the spec's comparison relation.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { EventId } from '../ids.js';
import { getRoomVersion, type RoomVersion } from '../room-versions.js';
import { sourceOf, toRoomEvent, type FixtureEvent } from './test-support.js';
import { mainlineOrder, reverseTopologicalPowerOrder } from './ordering.js';

const V10 = getRoomVersion('10') as RoomVersion;
const ALICE = '@alice:example.com';
const id = (name: string): string => `$${name}:example.com`;

function ev(name: string, fields: Partial<FixtureEvent> & { type: string; sender: string }, auth: string[], ts: number): FixtureEvent {
  return { event_id: id(name), state_key: '', content: {}, origin_server_ts: ts, prev_events: [], auth_events: auth.map(id), ...fields };
}

const join = { membership: 'join' };
const BASE = [
  ev('CREATE', { type: 'm.room.create', sender: ALICE, content: { creator: ALICE, room_version: '10' } }, [], 1),
  ev('IMA', { type: 'm.room.member', sender: ALICE, state_key: ALICE, content: join }, ['CREATE'], 2),
  ev('IPOWER', { type: 'm.room.power_levels', sender: ALICE, content: { users: { [ALICE]: 100 } } }, ['CREATE', 'IMA'], 3),
  ev('IJR', { type: 'm.room.join_rules', sender: ALICE, content: { join_rule: 'public' } }, ['CREATE', 'IMA', 'IPOWER'], 4),
  ev('IMB', { type: 'm.room.member', sender: '@bob:example.com', state_key: '@bob:example.com', content: join }, ['CREATE', 'IJR', 'IPOWER'], 5),
  ev('IMC', { type: 'm.room.member', sender: '@charlie:example.com', state_key: '@charlie:example.com', content: join }, ['CREATE', 'IJR', 'IPOWER'], 6),
].map((e) => toRoomEvent(e));

describe('reverse topological power ordering', () => {
  it('puts auth events first, then equal-power events by timestamp (gomatrixserverlib base graph)', () => {
    const ids = new Set(BASE.map((e) => e.event_id));
    const order = reverseTopologicalPowerOrder(ids, sourceOf(BASE), V10);
    assert.deepEqual(order, ['CREATE', 'IMA', 'IPOWER', 'IJR', 'IMB', 'IMC'].map(id));
  });

  it('takes greater sender power first, then the earlier timestamp, then the smaller event ID', () => {
    // No edges between the sorted events: each cites a power levels event giving its sender's level.
    const table: Array<[string, number, number]> = [['a', 0, 1], ['b', 0, 2], ['c', 0, 2], ['d', 25, 3], ['e', 50, 4], ['f', 75, 4], ['g', 100, 5]];
    const users = Object.fromEntries(table.map(([name, level]) => [`@${name}:example.com`, level]));
    const levels = toRoomEvent(ev('PL', { type: 'm.room.power_levels', sender: ALICE, content: { users } }, ['CREATE'], 0));
    // Listed out of order so that nothing depends on the input order.
    const sorted = [...table].reverse().map(([name, , ts]) => toRoomEvent(ev(name, { type: 'm.room.topic', sender: `@${name}:example.com` }, ['CREATE', 'PL'], ts)));
    const order = reverseTopologicalPowerOrder(new Set(sorted.map((e) => e.event_id)), sourceOf([...BASE, levels, ...sorted]), V10);
    assert.deepEqual(order, ['g', 'f', 'e', 'd', 'a', 'b', 'c'].map(id));
  });
});

describe('mainline ordering', () => {
  // P1 <- P2 <- P3 is the mainline; X cites P1, Y cites P2, Z cites a power levels event off it.
  const p1 = toRoomEvent(ev('P1', { type: 'm.room.power_levels', sender: ALICE }, ['CREATE'], 10));
  const p2 = toRoomEvent(ev('P2', { type: 'm.room.power_levels', sender: ALICE }, ['CREATE', 'P1'], 11));
  const p3 = toRoomEvent(ev('P3', { type: 'm.room.power_levels', sender: ALICE }, ['CREATE', 'P2'], 12));
  const fork = toRoomEvent(ev('PF', { type: 'm.room.power_levels', sender: ALICE }, ['CREATE'], 13));
  const topic = (name: string, auth: string[], ts: number) => toRoomEvent(ev(name, { type: 'm.room.topic', sender: ALICE }, ['CREATE', ...auth], ts));
  const events = [...BASE, p1, p2, p3, fork, topic('X', ['P1'], 30), topic('Y', ['P2'], 20), topic('Z', ['PF'], 40), topic('W', ['P2'], 20)];

  it('orders by mainline position (further back first), then timestamp, then event ID', () => {
    const order = mainlineOrder(['Y', 'X', 'W', 'Z'].map(id) as EventId[], id('P3') as EventId, sourceOf(events));
    // Z meets the mainline nowhere (position ∞); X meets it at P1; W and Y at P2, tied on timestamp.
    assert.deepEqual(order, ['Z', 'X', 'W', 'Y'].map(id));
  });

  it('without a resolved power levels event orders by timestamp and event ID alone', () => {
    const order = mainlineOrder(['Z', 'X', 'Y', 'W'].map(id) as EventId[], undefined, sourceOf(events));
    assert.deepEqual(order, ['W', 'Y', 'X', 'Z'].map(id));
  });
});
