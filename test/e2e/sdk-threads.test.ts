// matrix-js-sdk with thread support against Hearth: a thread with replies and a reaction, and an
// edit, as the SDK shows them from the bundled aggregations and /relations.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as sdk from 'matrix-js-sdk';
import { forEachBackend } from '../helpers/backends.js';
import { rest } from '../helpers/rest.js';
import { listeningServerForSdk, type HttpProblem, recordingFetch, until } from '../helpers/sdk-client.js';

forEachBackend('matrix-js-sdk 37.5.0: threads, reactions and edits', (backend) => {
  const env = listeningServerForSdk(backend);

  it('a thread root shows its reply count and the edited content; the thread holds the replies and the reaction', async () => {
    const s = env.server;
    const r = rest(s);
    const [alice, bob] = [await s.createUser('alice'), await s.createUser('bob')];
    const roomId = await r.createRoom(alice, { preset: 'public_chat' });
    await r.join(bob, roomId);
    let txn = 0;
    const send = async (user: typeof alice, type: string, content: Record<string, unknown>) =>
      (await r.ok('PUT', `${r.room(roomId)}/send/${type}/sdk${++txn}`, user, content)).event_id as string;
    const root = await send(alice, 'm.room.message', { msgtype: 'm.text', body: 'root' });
    const reply = await send(bob, 'm.room.message', { msgtype: 'm.text', body: 'reply 1', 'm.relates_to': { rel_type: 'm.thread', event_id: root } });
    await send(alice, 'm.room.message', { msgtype: 'm.text', body: 'reply 2', 'm.relates_to': { rel_type: 'm.thread', event_id: root } });
    await send(alice, 'm.reaction', { 'm.relates_to': { rel_type: 'm.annotation', event_id: reply, key: '👍' } });
    await send(alice, 'm.room.message', {
      msgtype: 'm.text', body: '* root (edited)', 'm.new_content': { msgtype: 'm.text', body: 'root (edited)' },
      'm.relates_to': { rel_type: 'm.replace', event_id: root },
    });

    const problems: HttpProblem[] = [];
    const client = sdk.createClient({ baseUrl: env.baseUrl, accessToken: bob.accessToken, userId: bob.userId, deviceId: bob.deviceId, fetchFn: recordingFetch(problems) });
    env.clients.push(client);
    const prepared = new Promise<void>((resolve) => client.on(sdk.ClientEvent.Sync, (state) => state === 'PREPARED' && resolve()));
    await client.startClient({ initialSyncLimit: 20, threadSupport: true });
    await prepared;
    assert.equal(client.supportsThreads(), true);
    const room = client.getRoom(roomId)!;
    await until('the thread is known with both replies', async () => (room.getThread(root)?.length ?? 0) === 2);
    const thread = room.getThread(root)!;
    assert.equal(thread.replyToEvent?.getContent().body, 'reply 2');
    assert.equal(thread.rootEvent?.getId(), root);
    await until('the root shows the edited content', async () => room.findEventById(root)?.getContent().body === 'root (edited)');
    const bodies = () => thread.timeline.map((e) => e.getContent().body);
    await until('the thread timeline holds both replies', async () => bodies().includes('reply 1') && bodies().includes('reply 2'));
    const reactionsOf = () => thread.timelineSet.relations.getChildEventsForEvent(reply, 'm.annotation', 'm.reaction')?.getRelations() ?? [];
    await until('the reaction is attached to the reply', async () => reactionsOf().length === 1);
    assert.equal(reactionsOf()[0]?.getRelation()?.key, '👍');
    assert.deepEqual(problems.filter((p) => p.status >= 500 || p.errcode === 'M_UNRECOGNIZED'), []);
  });
}, describe);
