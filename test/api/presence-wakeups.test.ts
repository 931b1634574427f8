// Presence at scale (issue 21 item 2, issue 20 point 3): a presence change wakes only the syncs of
// users who share a room with the changed user (and the user's own), counted by the notifier's
// wake-up counter; presence changes made through /sync's `set_presence` are limited per user
// (rate_limits.presence): past the limit the change is ignored and /sync still answers.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { forEachBackend } from '../helpers/backends.js';
import { rest, sync, V3 } from '../helpers/rest.js';
import { startTestServer, type TestServer, type TestUser } from '../helpers/test-server.js';

const enc = encodeURIComponent;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

forEachBackend('presence wakes only those who can see it, and /sync changes it within a limit', (backend) => {
  let s: TestServer;
  let r: ReturnType<typeof rest>;
  before(async () => {
    s = await startTestServer({ backend, config: { rate_limits: { enabled: true, presence: { per_second: 0.001, burst: 3 } } } });
    r = rest(s);
  });
  after(() => s.close());

  const setPresence = (u: TestUser, presence: string) =>
    r.ok('PUT', `/presence/${enc(u.userId)}/status`, u, { presence });

  it('a presence change of a user who shares no room wakes no other sync; a room-mate\'s wakes it once', async () => {
    const alice = await s.createUser('alice');
    const bob = await s.createUser('bob');
    const carol = await s.createUser('carol');
    const roomId = await r.createRoom(alice, { preset: 'public_chat' });
    await r.join(bob, roomId);
    const first = await sync(s, bob, 'set_presence=offline');
    const woken = () => s.app.services.notifier.wakeups;
    const polling = s.request('GET', `${V3}/sync?since=${enc(first.next_batch)}&timeout=10000&set_presence=offline`, { token: bob.accessToken });
    await sleep(100); // bob's sync is parked
    const before = woken();
    await setPresence(carol, 'unavailable');
    assert.equal(woken() - before, 0, 'carol shares no room with bob: his sync sleeps on');
    await setPresence(alice, 'unavailable');
    const res = await polling;
    assert.equal(res.statusCode, 200, res.body);
    const events = (res.json() as { presence?: { events: Array<{ sender: string; content: { presence: string } }> } }).presence?.events ?? [];
    assert.deepEqual(events.map((e) => [e.sender, e.content.presence]), [[alice.userId, 'unavailable']]);
    assert.equal(woken() - before, 1, 'alice\'s change woke bob\'s sync once');
  });

  it('set_presence toggles past the presence limit are ignored, and every /sync still answers 200', async () => {
    const dave = await s.createUser('dave');
    const notifier = s.app.services.notifier;
    const before = notifier.sequence;
    const states: string[] = [];
    for (let i = 0; i < 10; i++) {
      const wanted = i % 2 === 0 ? 'unavailable' : 'online';
      const res = await s.request('GET', `${V3}/sync?timeout=0&set_presence=${wanted}`, { token: dave.accessToken });
      assert.equal(res.statusCode, 200, res.body);
      const status = await r.ok('GET', `/presence/${enc(dave.userId)}/status`, dave);
      states.push(status.presence as string);
    }
    assert.equal(notifier.sequence - before, 3, 'three changes (the burst) were written and announced, no more');
    assert.deepEqual(states, ['unavailable', 'online', 'unavailable', 'unavailable', 'unavailable', 'unavailable', 'unavailable', 'unavailable', 'unavailable', 'unavailable']);
    // A request that changes nothing takes nothing from the limit: an explicit PUT still works.
    await setPresence(dave, 'online');
    assert.equal((await r.ok('GET', `/presence/${enc(dave.userId)}/status`, dave)).presence, 'online');
  });
}, describe);
