/**
 * Ruma's state resolution vectors (test/fixtures/state-res/README.md): rooms built PDU by PDU,
 * resolved as Ruma resolves them, all at once (each PDU its own state set) and batch by batch
 * (the previous result plus one state set per PDU of the batch); then MSC4297's problem cases.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { getRoomVersion, type RoomVersion } from '../room-versions.js';
import type { RoomEvent } from '../events/types.js';
import { loadStateResVectors } from '../../../test/helpers/state-res-vectors.js';
import { idsOf, sourceOf, stateMapOf, toRoomEvent, type FixtureEvent } from './test-support.js';
import type { StateMap } from './graph.js';
import { resolveState, type StateResAlgorithm } from './resolve.js';

interface RumaVectors {
  batches: Array<{ name: string; batches: string[]; expected: string[] }>;
  files: Record<string, FixtureEvent[]>;
  contrived: Array<{ name: string; events: FixtureEvent[]; stateSets: string[][]; expected: Record<StateResAlgorithm, string[]> }>;
}

const vectors = loadStateResVectors<RumaVectors>('ruma-resolve.json');

function versionOf(events: RoomEvent[]): RoomVersion {
  const create = events.find((e) => e.type === 'm.room.create');
  const version = getRoomVersion(String(create?.content['room_version']));
  assert.ok(version, 'the vectors use room versions whose auth rules Hearth has');
  return version;
}

describe('state resolution v2: Ruma vectors', () => {
  for (const vector of vectors.batches) {
    const batches = vector.batches.map((file) => (vectors.files[file] ?? []).map((e) => toRoomEvent(e)));
    const all = batches.flat();
    const events = sourceOf(all);
    const roomVersion = versionOf(all);
    const resolve = (stateSets: StateMap[]) => resolveState({ algorithm: 'v2', roomVersion, stateSets, events });

    it(`${vector.name}: all PDUs at once`, () => {
      const resolved = resolve(all.map((e) => stateMapOf([e])));
      assert.deepEqual(idsOf(resolved), vector.expected);
    });

    it(`${vector.name}: batch by batch`, () => {
      let state: StateMap | undefined;
      for (const batch of batches) state = resolve([...(state ? [state] : []), ...batch.map((e) => stateMapOf([e]))]);
      assert.deepEqual(idsOf(state as StateMap), vector.expected);
    });
  }
});

describe('state resolution: MSC4297 problem cases', () => {
  for (const vector of vectors.contrived) {
    const all = vector.events.map((e) => toRoomEvent(e));
    const events = sourceOf(all);
    const byId = new Map(all.map((e) => [e.event_id as string, e]));
    const stateSets = vector.stateSets.map((ids) => stateMapOf(ids.map((id) => byId.get(id) as RoomEvent)));
    for (const algorithm of ['v2', 'v2.1'] as const) {
      it(`${vector.name}, ${algorithm}`, () => {
        const resolved = resolveState({ algorithm, roomVersion: versionOf(all), stateSets, events });
        assert.deepEqual(idsOf(resolved), vector.expected[algorithm]);
      });
    }
  }
});
