/**
 * Synapse's state resolution v2 scenarios (tests/state/test_v2.py at v1.67.0, Apache-2.0),
 * rewritten as data in test/fixtures/state-res/synapse-v2-scenarios.json: a room is replayed event
 * by event, resolving wherever branches meet, and the state at END is compared with the
 * expected entries on every key that changed since START.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { getRoomVersion, type RoomVersion } from '../room-versions.js';
import { loadStateResVectors } from '../../../test/helpers/state-res-vectors.js';
import { stateKeyOf } from '../events/types.js';
import { nodeEventId, replayDag, type DagNode, type EdgeChain } from './test-support.js';
import { resolveState } from './resolve.js';

interface Scenarios {
  initialEvents: DagNode[];
  initialEdges: EdgeChain;
  scenarios: Array<{ name: string; events: DagNode[]; edges: EdgeChain[]; expected: string[] }>;
}

const data = loadStateResVectors<Scenarios>('synapse-v2-scenarios.json');
const V10 = getRoomVersion('10') as RoomVersion;

describe('state resolution v2: Synapse scenarios', () => {
  for (const scenario of data.scenarios) {
    it(scenario.name, () => {
      const { stateAfter, events } = replayDag([...data.initialEvents, ...scenario.events], [data.initialEdges, ...scenario.edges], (stateSets, source) =>
        resolveState({ algorithm: 'v2', roomVersion: V10, stateSets, events: source }),
      V10);
      const start = stateAfter.get('START') as ReadonlyMap<string, string>;
      const end = stateAfter.get('END') as ReadonlyMap<string, string>;
      const expected = new Map(scenario.expected.map((node) => {
        const event = events.get(nodeEventId(node));
        assert.ok(event && typeof event.state_key === 'string');
        return [stateKeyOf(event.type, event.state_key), event.event_id as string];
      }));
      const changed = new Map([...end].filter(([key, id]) => expected.has(key) || start.get(key) !== id));
      assert.deepEqual(changed, expected);
    });
  }
});
