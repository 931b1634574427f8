/** The iterative auth checks: state first, the event's own auth events for what state lacks, never rejected ones. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { EventId } from '../ids.js';
import { stateKeyOf } from '../events/types.js';
import { getRoomVersion, type RoomVersion } from '../room-versions.js';
import { sourceOf, stateMapOf, toRoomEvent, type FixtureEvent } from './test-support.js';
import { iterativeAuthChecks } from './iterative-auth.js';

const V10 = getRoomVersion('10') as RoomVersion;
const ALICE = '@alice:example.com';
const BOB = '@bob:example.com';

const ev = (id: string, fields: Partial<FixtureEvent> & { type: string; sender: string }, auth: string[]) =>
  toRoomEvent({ event_id: id, state_key: '', content: {}, origin_server_ts: 0, prev_events: [], auth_events: auth, ...fields });

const create = ev('$create', { type: 'm.room.create', sender: ALICE, content: { creator: ALICE, room_version: '10' } }, []);
const aliceJoin = ev('$alice', { type: 'm.room.member', sender: ALICE, state_key: ALICE, content: { membership: 'join' } }, ['$create']);
const levels = ev('$levels', { type: 'm.room.power_levels', sender: ALICE, content: { users: { [ALICE]: 100, [BOB]: 50 } } }, ['$create', '$alice']);
const bobJoin = ev('$bob', { type: 'm.room.member', sender: BOB, state_key: BOB, content: { membership: 'join' } }, ['$create', '$levels']);
const topic = ev('$topic', { type: 'm.room.topic', sender: BOB, content: { topic: 'hi' } }, ['$create', '$levels', '$bob']);
const events = sourceOf([create, aliceJoin, levels, bobJoin, topic]);
// Bob's membership is not in the state: only the topic's auth events hold it.
const initial = stateMapOf([create, aliceJoin, levels]);
const TOPIC_KEY = stateKeyOf('m.room.topic', '');

describe('iterative auth checks', () => {
  it("falls back to the event's auth events for a key the state lacks", () => {
    const state = iterativeAuthChecks(initial, ['$topic' as EventId], events, V10, () => false);
    assert.equal(state.get(TOPIC_KEY), '$topic');
  });

  it('does not use a rejected auth event, so the event is not applied', () => {
    const state = iterativeAuthChecks(initial, ['$topic' as EventId], events, V10, (id) => id === '$bob');
    assert.equal(state.has(TOPIC_KEY), false);
  });

  it('prefers the state to the auth events: a ban in the state keeps the event out', () => {
    const ban = ev('$ban', { type: 'm.room.member', sender: ALICE, state_key: BOB, content: { membership: 'ban' } }, ['$create', '$levels', '$alice']);
    const state = iterativeAuthChecks(stateMapOf([create, aliceJoin, levels, ban]), ['$topic' as EventId], sourceOf([create, aliceJoin, levels, bobJoin, topic, ban]), V10, () => false);
    assert.equal(state.has(TOPIC_KEY), false);
    assert.equal(state.get(stateKeyOf('m.room.member', BOB)), '$ban');
  });
});
