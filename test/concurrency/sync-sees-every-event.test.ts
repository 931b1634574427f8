// Writers in many rooms at once while a reader syncs incrementally: every event reaches the reader
// exactly once (none lost between two tokens, none repeated). An end-to-end check of the sync
// token: it does not by itself provoke the narrow PostgreSQL race of positions committed out of
// order (event-positions-race.test.ts does); few syncs interleave with the writes there.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { forEachBackend } from '../helpers/backends.js';
import { rest, V3 } from '../helpers/rest.js';
import { startTestServer, type TestServer, type TestUser } from '../helpers/test-server.js';

const ROOMS = 8;
const PER_ROOM = 40;

forEachBackend('incremental /sync under concurrent writes', (backend) => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer({ backend, realClock: true });
  });
  after(() => s.close());

  it(`${ROOMS} rooms x ${PER_ROOM} messages written concurrently: the reader sees each event exactly once`, { timeout: 120_000 }, async () => {
    const r = rest(s);
    const reader = await s.createUser('reader');
    const writers: TestUser[] = [];
    const rooms: string[] = [];
    for (let i = 0; i < ROOMS; i++) {
      const w = await s.createUser(`writer${i}`);
      const roomId = await r.createRoom(w, { preset: 'public_chat' });
      await r.join(reader, roomId);
      writers.push(w);
      rooms.push(roomId);
    }
    const filter = encodeURIComponent(JSON.stringify({ room: { timeline: { limit: 1000 } }, presence: { types: [] } }));
    const syncOnce = async (since?: string) => {
      const res = await s.request('GET', `${V3}/sync?timeout=0&filter=${filter}${since ? `&since=${encodeURIComponent(since)}` : ''}`, { token: reader.accessToken });
      assert.equal(res.statusCode, 200, res.body);
      return res.json() as { next_batch: string; rooms: { join: Record<string, { timeline: { events: Array<{ event_id: string; type: string }>; limited: boolean } }> } };
    };
    let token = (await syncOnce()).next_batch;
    const seen: string[] = [];
    const collect = (body: Awaited<ReturnType<typeof syncOnce>>) => {
      for (const room of Object.values(body.rooms.join)) {
        assert.equal(room.timeline.limited, false, 'a timeline gap would hide events');
        for (const e of room.timeline.events) if (e.type === 'm.room.message') seen.push(e.event_id);
      }
      token = body.next_batch;
    };

    let writing = true;
    const sent: string[] = [];
    const writersDone = Promise.all(writers.map(async (w, i) => {
      for (let n = 0; n < PER_ROOM; n++) sent.push(await r.send(w, rooms[i]!, `m${n}`));
    })).finally(() => {
      writing = false;
    });
    let syncs = 0;
    while (writing) {
      collect(await syncOnce(token));
      syncs++;
      // inject() never leaves the microtask queue: let the writers' I/O (log syncs, sockets) run.
      await new Promise((resolve) => setImmediate(resolve));
    }
    await writersDone;
    collect(await syncOnce(token));

    assert.equal(new Set(seen).size, seen.length, 'an event came twice');
    assert.deepEqual([...seen].sort(), [...sent].sort(), 'every event came, once');
    console.log(`sync-sees-every-event [${backend}]: ${sent.length} events over ${syncs} incremental syncs, none missed or repeated`);
  });
}, describe);
