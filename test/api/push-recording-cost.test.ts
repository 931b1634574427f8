// Recording notifications must not cost a round trip per room member: the store calls of one
// event's evaluation are counted for a room of 3 members and one of 25, and must be the same.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RoomId } from '../../src/core/ids.js';
import { NotificationRecorder } from '../../src/services/push/notification-recorder.js';
import { PushRules } from '../../src/services/user-data/push-rules.js';
import type { Store } from '../../src/storage/store.js';
import { forEachBackend } from '../helpers/backends.js';
import { settlePush } from '../helpers/push.js';
import { rest } from '../helpers/rest.js';
import { startTestServer, type TestServer, type TestUser } from '../helpers/test-server.js';

/** The store, with every call of a domain method (store.events.get, ...) counted, inside transactions too. */
function counting(store: Store, counter: { calls: number }): Store {
  return new Proxy(store, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (prop === 'transaction') {
        return (fn: (tx: Store) => Promise<unknown>, o?: object) => target.transaction((tx) => fn(counting(tx, counter)), o);
      }
      if (typeof value !== 'object' || value === null || prop === 'channel') return value;
      return new Proxy(value, {
        get(domain, name, r) {
          const method = Reflect.get(domain, name, r) as unknown;
          if (typeof method !== 'function') return method;
          return (...args: unknown[]) => {
            counter.calls++;
            return (method as (...a: unknown[]) => unknown).apply(domain, args);
          };
        },
      });
    },
  });
}

forEachBackend('notification recording cost', (backend) => {
  let s: TestServer;
  let alice: TestUser;
  before(async () => {
    s = await startTestServer({ backend });
    alice = await s.createUser('alice');
  });
  after(() => s.close());

  /** Store calls to evaluate one message in a room of `members` (alice and the others), and the rows recorded. */
  async function costOfOneMessage(members: number): Promise<{ calls: number; recorded: number }> {
    const roomId = await rest(s).createRoom(alice, { preset: 'public_chat' });
    for (let i = 1; i < members; i++) await rest(s).join(await s.createUser(`m${members}-${i}`), roomId);
    await settlePush(s);
    const progress = await s.app.store.notifications.progress();
    await rest(s).send(alice, roomId as RoomId, 'hello');
    await settlePush(s);
    // Evaluate that one message again, through a counting store (already recorded rows are kept once).
    await s.app.store.notifications.setProgress(progress);
    const counter = { calls: 0 };
    const store = counting(s.app.store, counter);
    const recorder = new NotificationRecorder({ store, pushRules: new PushRules({ store, notifier: s.app.services.notifier }), serverName: 'hs.test' });
    const recorded = await recorder.catchUp();
    return { calls: counter.calls, recorded };
  }

  it('one event costs the same store calls in a room of 3 members as in one of 25, and notifies every other member', async () => {
    const small = await costOfOneMessage(3);
    const large = await costOfOneMessage(25);
    assert.equal(small.recorded, 2);
    assert.equal(large.recorded, 24);
    assert.equal(large.calls, small.calls);
  });
}, describe);
