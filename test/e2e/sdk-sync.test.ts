import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RoomEvent, type MatrixClient } from 'matrix-js-sdk';
import { forEachBackend } from '../helpers/backends.js';
import { rest } from '../helpers/rest.js';
import { sdkClient, startAndWaitPrepared, waitForTimelineEvent } from '../helpers/sdk-client.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

forEachBackend('matrix-js-sdk 37.5.0 against a listening Hearth', (backend) => {
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

  it('startClient reaches PREPARED, shows the timeline, and sees another user leave with a reason', async () => {
    const r = rest(s);
    const alice = await s.createUser('alice');
    const bob = await s.createUser('bob');
    const roomId = await r.createRoom(alice, { preset: 'public_chat', name: 'Lobby' });
    await r.join(bob, roomId);
    await r.send(bob, roomId, 'hi from bob');

    const client = sdkClient(baseUrl, alice);
    clients.push(client);
    await startAndWaitPrepared(client);
    const room = client.getRoom(roomId);
    assert.ok(room, 'room is known after the initial sync');
    assert.equal(room.name, 'Lobby');
    const bodies = room.getLiveTimeline().getEvents().map((e) => e.getContent().body).filter(Boolean);
    assert.ok(bodies.includes('hi from bob'));

    const leaveSeen = waitForTimelineEvent(client, roomId, (e) => e.getType() === 'm.room.member' && e.getStateKey() === bob.userId && e.getContent().membership === 'leave');
    await r.leave(bob, roomId, { reason: 'see you' });
    const leave = await leaveSeen;
    assert.equal(leave.getContent().reason, 'see you');
    assert.equal(room.getMember(bob.userId)?.membership, 'leave');
  });

  it('searchRoomEvents finds a message with its context; setRoomTag reaches room.tags through /sync', async () => {
    const r = rest(s);
    const alice = await s.createUser('searcher');
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
