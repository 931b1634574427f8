/**
 * Properties of state resolution over the Ruma vectors' rooms: the result does not depend on the
 * order of the state sets, of the events supplied or of each event's auth events; one state set
 * (or several copies of it) resolves to itself; a gap in the auth chain is an error, not a guess.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { EventId } from '../ids.js';
import type { RoomEvent } from '../events/types.js';
import { getRoomVersion, type RoomVersion } from '../room-versions.js';
import { seededRandom } from '../../../test/helpers/seeded-random.js';
import { loadStateResVectors } from '../../../test/helpers/state-res-vectors.js';
import { idsOf, sourceOf, stateMapOf, toRoomEvent, type FixtureEvent } from './test-support.js';
import { MissingEventError, conflictedSubgraph, type StateMap } from './graph.js';
import { resolveState, splitConflicted, stateResAlgorithmOf } from './resolve.js';

const vectors = loadStateResVectors<{ batches: Array<{ name: string; batches: string[] }>; files: Record<string, FixtureEvent[]> }>('ruma-resolve.json');
const V10 = getRoomVersion('10') as RoomVersion;

function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}

const rooms = vectors.batches.map((vector) => ({
  name: vector.name,
  events: vector.batches.flatMap((file) => (vectors.files[file] ?? []).map((e) => toRoomEvent(e))),
}));

describe('state resolution properties', () => {
  for (const algorithm of ['v2', 'v2.1'] as const) {
    for (const room of rooms) {
      it(`${algorithm}, ${room.name}: the same result whatever the order of state sets, events and auth events`, () => {
        const stateSets = room.events.map((e) => stateMapOf([e]));
        const expected = idsOf(resolveState({ algorithm, roomVersion: V10, stateSets, events: sourceOf(room.events) }));
        for (let seed = 1; seed <= 5; seed++) {
          const random = seededRandom(seed);
          const events = shuffled(room.events, random).map((e): RoomEvent => ({ ...e, auth_events: shuffled(e.auth_events, random) }));
          const resolved = resolveState({ algorithm, roomVersion: V10, stateSets: shuffled(stateSets, random), events: sourceOf(events) });
          assert.deepEqual(idsOf(resolved), expected, `seed ${seed}`);
        }
      });

      it(`${algorithm}, ${room.name}: one state set, or copies of it, resolves to itself`, () => {
        const state = stateMapOf(room.events);
        for (const stateSets of [[state], [state, new Map(state), new Map(state)]]) {
          const resolved = resolveState({ algorithm, roomVersion: V10, stateSets, events: sourceOf(room.events) });
          assert.deepEqual(resolved, state);
        }
      });
    }
  }

  it('throws MissingEventError naming an auth chain event the caller did not supply', () => {
    const room = rooms.find((r) => r.name === 'ban_vs_power_levels') as { events: RoomEvent[] };
    const missing = room.events[1] as RoomEvent;
    const events = sourceOf(room.events.filter((e) => e !== missing));
    const stateSets = room.events.filter((e) => e !== missing).map((e) => stateMapOf([e]));
    assert.throws(() => resolveState({ algorithm: 'v2', roomVersion: V10, stateSets, events }), (error: unknown) => {
      assert.ok(error instanceof MissingEventError);
      assert.equal(error.eventId, missing.event_id);
      return true;
    });
  });

  it('splits keys that are absent from a state set, or differ, into the conflicted set', () => {
    const map = (entries: Array<[string, string]>): StateMap => new Map(entries.map(([key, value]) => [key, value as EventId]));
    const a = map([['k1', '$x'], ['k2', '$y'], ['k3', '$z']]);
    const b = map([['k1', '$x'], ['k2', '$w']]);
    const { unconflicted, conflicted } = splitConflicted([a, b]);
    assert.deepEqual([...unconflicted], [['k1', '$x']]);
    assert.deepEqual([...conflicted].sort(), ['$w', '$y', '$z']);
  });

  it('finds the conflicted state subgraph: the events on auth paths between conflicted events', () => {
    // C1 -> M -> C2 -> R and C1 -> S (S leads to no conflicted event).
    const make = (id: string, auth: string[]) => toRoomEvent({ event_id: id, type: 'm.room.topic', sender: '@a:x', state_key: '', content: {}, origin_server_ts: 0, prev_events: [], auth_events: auth });
    const events = sourceOf([make('$R', []), make('$S', ['$R']), make('$C2', ['$R']), make('$M', ['$C2']), make('$C1', ['$M', '$S'])]);
    assert.deepEqual([...conflictedSubgraph(new Set(['$C1', '$C2'] as EventId[]), events)].sort(), ['$C2', '$M']);
  });

  it('names the algorithm of each room version', () => {
    assert.deepEqual(['1', '2', '6', '10', '11', '12', '13'].map(stateResAlgorithmOf), [undefined, 'v2', 'v2', 'v2', 'v2', 'v2.1', undefined]);
  });
});
