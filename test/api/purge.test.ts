import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { forEachBackend } from '../helpers/backends.js';
import { rowsMentioning } from '../helpers/db-scan.js';
import { rest } from '../helpers/rest.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

const DAY = 86_400_000;

forEachBackend('LEAVING.md: deleting rooms that every local user forgot', (backend) => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer({ backend, sqliteFile: true, config: { metrics: { enabled: true } } });
  });
  after(() => s.close());

  const database = () => s.database;
  const purge = () => s.app.purger!.runOnce();

  it('nothing is purged while anyone is joined or has not forgotten; everything after the retention', async () => {
    const r = rest(s);
    const alice = await s.createUser('alice');
    const bob = await s.createUser('bob');
    const roomId = await r.createRoom(alice, { preset: 'public_chat', room_alias_name: 'doomed', name: 'Doomed' });
    await r.join(bob, roomId);
    await r.send(alice, roomId, 'hello');
    // Rows of other kinds that belong to the room: a receipt and room account data.
    await r.ok('POST', `${r.room(roomId)}/receipt/m.read/${encodeURIComponent(await r.send(bob, roomId, 'hi'))}`, bob, {});
    await r.ok('PUT', `/user/${encodeURIComponent(bob.userId)}/rooms/${encodeURIComponent(roomId)}/account_data/m.tag.test`, bob, { tags: {} });
    assert.ok((await rowsMentioning(database(), roomId)).some((row) => row.startsWith('receipts')));
    await r.leave(bob, roomId);
    await r.forget(bob, roomId);
    s.clock.advance(8 * DAY);
    assert.equal(await purge(), 0, 'alice is still joined');

    await r.leave(alice, roomId);
    s.clock.advance(8 * DAY);
    assert.equal(await purge(), 0, 'alice left but did not forget');

    await r.forget(alice, roomId);
    s.clock.advance(6 * DAY);
    assert.equal(await purge(), 0, 'the retention has not passed since the last forget');
    s.clock.advance(1 * DAY);
    assert.equal(await purge(), 1);
    assert.deepEqual(await rowsMentioning(database(), roomId), []);
    const alias = await s.request('GET', '/_matrix/client/v3/directory/room/%23doomed:hs.test');
    assert.equal(alias.statusCode, 404);
    const metrics = await s.app.metrics!.registry.getSingleMetricAsString('hearth_rooms_purged_total');
    assert.match(metrics, /hearth_rooms_purged_total 1/);
  });

  it('an invited user who has not acted holds the room, and the admin view agrees with the purge', async () => {
    const r = rest(s);
    const ann = await s.createUser('ann');
    const cat = await s.createUser('cat');
    const root = await s.createUser('purge-admin', { admin: true });
    const forgotten = async () => {
      const view = await s.request('GET', `/_synapse/admin/v1/rooms/${encodeURIComponent(roomId)}`, { token: root.accessToken });
      assert.equal(view.statusCode, 200);
      return view.json().forgotten;
    };
    const roomId = await r.createRoom(ann);
    await r.invite(ann, roomId, cat);
    await r.leave(ann, roomId);
    await r.forget(ann, roomId);
    s.clock.advance(30 * DAY);
    assert.equal(await purge(), 0);
    assert.equal(await forgotten(), false, 'cat is invited');
    await r.leave(cat, roomId);
    assert.equal(await forgotten(), false, 'cat rejected the invite but did not forget');
    await r.forget(cat, roomId);
    assert.equal(await forgotten(), true, 'waiting for the retention');
    assert.equal(await purge(), 0);
    s.clock.advance(7 * DAY);
    assert.equal(await purge(), 1);
    assert.deepEqual(await rowsMentioning(database(), roomId), []);
  });

  it('a rejoin before the deadline cancels the purge', async () => {
    const r = rest(s);
    const dan = await s.createUser('dan');
    const roomId = await r.createRoom(dan, { preset: 'public_chat' });
    await r.leave(dan, roomId);
    await r.forget(dan, roomId);
    s.clock.advance(5 * DAY);
    await r.join(dan, roomId);
    s.clock.advance(5 * DAY);
    assert.equal(await purge(), 0);
    const msgs = await r.messages(dan, roomId);
    assert.ok(msgs.chunk.length > 0, 'the room and its history are intact');
  });
}, describe);

describe('the purge survives a restart', () => {
  it('eligibility comes from stored data, not memory', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'hearth-purge-restart-'));
    const file = path.join(dir, 'db.sqlite');
    try {
      const first = await startTestServer({ config: { database: file } });
      const r = rest(first);
      const eve = await first.createUser('eve');
      const roomId = await r.createRoom(eve);
      await r.leave(eve, roomId);
      await r.forget(eve, roomId);
      await first.close();

      const second = await startTestServer({ config: { database: file } });
      second.clock.advance(8 * 86_400_000);
      assert.equal(await second.app.purger!.runOnce(), 1);
      assert.deepEqual(await rowsMentioning({ kind: 'sqlite', path: file }, roomId), []);
      await second.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is off when forgotten_room_retention is null', async () => {
    const s = await startTestServer({ config: { forgotten_room_retention: null } });
    assert.equal(s.app.purger, undefined);
    await s.close();
  });
});
