import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RoomEvent, type MatrixClient } from 'matrix-js-sdk';
import { forEachBackend } from '../helpers/backends.js';
import { rest } from '../helpers/rest.js';
import { sdkClient, startAndWaitPrepared } from '../helpers/sdk-client.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

forEachBackend('matrix-js-sdk: server-side search and room tags', (backend) => {
  let s: TestServer;
  let baseUrl: string;
  const clients: MatrixClient[] = [];
  before(async () => {
    s = await startTestServer({ backend, realClock: true });
    baseUrl = await s.listen();
  });
  after(async () => {
    for (const c of clients) c.stopClient();
    await s.close();
  });

  it('searchRoomEvents finds a message with its context; setRoomTag reaches room.tags through /sync', async () => {
    const r = rest(s);
    const alice = await s.createUser('alice');
    const roomId = await r.createRoom(alice, { name: 'Notes' });
    await r.send(alice, roomId, 'shopping list: bread');
    const hit = await r.send(alice, roomId, 'remember the PELICAN crossing');
    await r.send(alice, roomId, 'nothing else');

    const client = sdkClient(baseUrl, alice);
    clients.push(client);
    await startAndWaitPrepared(client);

    const found = await client.searchRoomEvents({ term: 'pelican' });
    assert.deepEqual(found.results.map((x) => x.context.getEvent().getId()), [hit]);
    assert.equal(found.count, 1);
    assert.deepEqual(found.highlights, ['pelican']);
    const timeline = found.results[0]!.context.getTimeline().map((e) => e.getContent().body);
    assert.ok(timeline.includes('shopping list: bread') && timeline.includes('nothing else'), `context: ${JSON.stringify(timeline)}`);

    const room = client.getRoom(roomId)!;
    const tagged = new Promise<void>((resolve) => {
      const onTags = () => {
        if (room.tags['m.favourite']) resolve();
      };
      client.on(RoomEvent.Tags, onTags);
    });
    await client.setRoomTag(roomId, 'm.favourite', { order: 0.5 });
    await tagged;
    assert.deepEqual(room.tags, { 'm.favourite': { order: 0.5 } });
  });
}, describe);
