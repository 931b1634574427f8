// Parked /sync long-polls (set_presence=offline, so that no presence change ends them early): a device's new /sync ends its last one, a user holds a bounded number,
// and shutdown answers every parked one.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { forEachBackend } from '../helpers/backends.js';
import { rest, sync, V3 } from '../helpers/rest.js';
import { startTestServer, type TestServer, type TestUser } from '../helpers/test-server.js';
import { MAX_PARKED_SYNCS_PER_USER } from '../../src/services/sync/sync.js';

forEachBackend('parked /sync long-polls', (backend) => {
  let s: TestServer;
  let r: ReturnType<typeof rest>;
  let alice: TestUser;
  before(async () => {
    s = await startTestServer({ backend, realClock: true });
    r = rest(s);
    alice = await s.createUser('alice');
  });
  after(() => s.close());

  /** Another device (access token) of `user`. */
  async function device(user: TestUser): Promise<TestUser> {
    const login = await s.app.services.sessions.issue(user.userId, undefined, null);
    return { ...user, accessToken: login.access_token, deviceId: login.device_id };
  }
  const longPoll = (user: TestUser, since: string) =>
    s.request('GET', `${V3}/sync?timeout=30000&set_presence=offline&since=${encodeURIComponent(since)}`, { token: user.accessToken });
  async function parkedCount(n: number): Promise<void> {
    for (let i = 0; i < 2000 && s.app.services.parkedSyncs.size !== n; i++) await new Promise((res) => setTimeout(res, 5));
    assert.equal(s.app.services.parkedSyncs.size, n);
  }

  it('a second /sync from the same device ends the first, which answers 200 with nothing new', async () => {
    const bob = await s.createUser('bob');
    const roomId = await r.createRoom(alice, { preset: 'public_chat' });
    await r.join(bob, roomId);
    const { next_batch: since } = await sync(s, bob, 'set_presence=offline');
    const first = longPoll(bob, since);
    await parkedCount(1);
    const second = longPoll(bob, since);
    const ended = await first;
    assert.equal(ended.statusCode, 200, ended.body);
    assert.deepEqual(Object.keys(ended.json().rooms?.join ?? {}), []);
    assert.equal(typeof ended.json().next_batch, 'string');
    await parkedCount(1);
    const eventId = await r.send(alice, roomId, 'for the second');
    const got = await second;
    assert.equal(got.statusCode, 200);
    await parkedCount(0);
    // The send may wake it with other news of the room first (the sender's read receipt): the
    // event is then in the next sync. Together they carry it once.
    const timelineOf = (body: { rooms?: { join?: Record<string, { timeline: { events: { event_id: string }[] } }> } }) =>
      body.rooms?.join?.[roomId]?.timeline.events.map((e) => e.event_id) ?? [];
    const next = await sync(s, bob, `set_presence=offline&since=${encodeURIComponent(got.json().next_batch)}`);
    assert.deepEqual([...timelineOf(got.json()), ...timelineOf(next)], [eventId]);
  });

  it(`another device keeps its own; a user's ${MAX_PARKED_SYNCS_PER_USER + 1}th parked long-poll ends the oldest`, async () => {
    const carol = await s.createUser('carol');
    const roomId = await r.createRoom(alice, { preset: 'public_chat' });
    await r.join(carol, roomId);
    const devices = [carol, ...(await Promise.all(Array.from({ length: MAX_PARKED_SYNCS_PER_USER }, () => device(carol))))];
    const { next_batch: since } = await sync(s, carol, 'set_presence=offline');
    const polls = devices.slice(0, MAX_PARKED_SYNCS_PER_USER).map((d) => longPoll(d, since));
    await parkedCount(MAX_PARKED_SYNCS_PER_USER);
    let settled = 0;
    for (const p of polls) void p.then(() => settled++);
    const extra = longPoll(devices[MAX_PARKED_SYNCS_PER_USER]!, since);
    const oldest = await polls[0]!;
    assert.equal(oldest.statusCode, 200);
    assert.deepEqual(Object.keys(oldest.json().rooms?.join ?? {}), []);
    await parkedCount(MAX_PARKED_SYNCS_PER_USER);
    assert.equal(settled, 1, 'only the oldest ended');
    const eventId = await r.send(alice, roomId, 'to every device');
    for (const res of [...(await Promise.all(polls.slice(1))), await extra]) {
      assert.equal(res.statusCode, 200);
      assert.deepEqual(res.json().rooms.join[roomId].timeline.events.map((e: { event_id: string }) => e.event_id), [eventId]);
    }
  });

  it('shutdown: every parked long-poll answers 200 (nothing new) before the database closes', async () => {
    const t = await startTestServer({ backend, realClock: true });
    const dave = await t.createUser('dave');
    const tokens: string[] = [];
    for (let i = 0; i < 5; i++) tokens.push((await t.app.services.sessions.issue(dave.userId, undefined, null)).access_token);
    const { next_batch: since } = await sync(t, dave, 'set_presence=offline');
    const polls = tokens.map((token) => t.request('GET', `${V3}/sync?timeout=30000&set_presence=offline&since=${encodeURIComponent(since)}`, { token }));
    for (let i = 0; i < 2000 && t.app.services.parkedSyncs.size !== 5; i++) await new Promise((res) => setTimeout(res, 5));
    assert.equal(t.app.services.parkedSyncs.size, 5);
    const closing = t.close();
    for (const res of await Promise.all(polls)) {
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(typeof res.json().next_batch, 'string');
      assert.deepEqual(Object.keys(res.json().rooms?.join ?? {}), []);
    }
    await closing;
  });
}, describe);
