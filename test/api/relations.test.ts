// Relations, threads, edits and references (spec: "Relationships between events", "Threading",
// "Event replacements"): GET /v1/rooms/{roomId}/relations/... and /threads, and the bundled
// aggregations (`unsigned.m.relations`) of every read path, read as /messages reads.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { forEachBackend } from '../helpers/backends.js';
import { rest, sync, V3 } from '../helpers/rest.js';
import { assertMatrixError, assertSpecResponse } from '../helpers/spec-schema.js';
import { startTestServer, type TestServer, type TestUser } from '../helpers/test-server.js';

type Ev = { type: string; event_id: string; sender: string; content: Record<string, unknown>; unsigned?: Record<string, unknown> };
type RelationsPage = { chunk: Ev[]; next_batch?: string; prev_batch?: string; recursion_depth?: number };
type Aggregations = {
  'm.thread'?: { latest_event: Ev; count: number; current_user_participated: boolean };
  'm.replace'?: { event_id: string; origin_server_ts: number; sender: string };
  'm.reference'?: { chunk: Array<{ event_id: string }> };
};

const V1 = '/_matrix/client/v1';
const q = encodeURIComponent;
const ids = (chunk: Ev[]) => chunk.map((e) => e.event_id);
const relatesTo = (relType: string, eventId: string, extra: Record<string, unknown> = {}) => ({ 'm.relates_to': { rel_type: relType, event_id: eventId, ...extra } });
const relationsOf = (e: Ev) => e.unsigned?.['m.relations'] as Aggregations | undefined;

forEachBackend('relations, threads and bundled aggregations', (backend) => {
  let s: TestServer;
  let r: ReturnType<typeof rest>;
  let n = 0;
  let txn = 0;
  before(async () => {
    s = await startTestServer({ backend });
    r = rest(s);
  });
  after(() => s.close());

  const user = (name: string) => s.createUser(`${name}-${++n}`);
  /** Sends an event one second after the previous one (edits are ordered by origin_server_ts). */
  async function send(u: TestUser, roomId: string, content: Record<string, unknown>, type = 'm.room.message'): Promise<string> {
    s.clock.advance(1000);
    return (await r.ok('PUT', `${r.room(roomId)}/send/${type}/rel${++txn}`, u, content)).event_id as string;
  }
  const text = (body: string, extra: Record<string, unknown> = {}) => ({ msgtype: 'm.text', body, ...extra });
  const edit = (of: string, body: string) => text(`* ${body}`, { 'm.new_content': text(body), ...relatesTo('m.replace', of) });

  async function read<T>(u: TestUser, url: string): Promise<T> {
    const res = await s.request('GET', url, { token: u.accessToken });
    assert.equal(res.statusCode, 200, `GET ${url}: ${res.body}`);
    assertSpecResponse(res, 'GET', url);
    return res.json() as T;
  }
  const relations = (u: TestUser, roomId: string, eventId: string, tail = '', query = '') =>
    read<RelationsPage>(u, `${V1}/rooms/${q(roomId)}/relations/${q(eventId)}${tail}${query ? `?${query}` : ''}`);
  const threads = (u: TestUser, roomId: string, query = '') => read<{ chunk: Ev[]; next_batch?: string }>(u, `${V1}/rooms/${q(roomId)}/threads${query ? `?${query}` : ''}`);
  const event = (u: TestUser, roomId: string, eventId: string) => read<Ev>(u, `${V3}${r.room(roomId)}/event/${q(eventId)}`);

  /** A public room of alice's with bob joined: a root, two thread replies (bob, alice), a reaction to bob's reply. */
  async function threadRoom() {
    const [alice, bob] = [await user('alice'), await user('bob')];
    const roomId = await r.createRoom(alice, { preset: 'public_chat' });
    await r.join(bob, roomId);
    const root = await send(alice, roomId, text('root'));
    const reply1 = await send(bob, roomId, text('r1', relatesTo('m.thread', root)));
    const reaction = await send(alice, roomId, relatesTo('m.annotation', reply1, { key: '👍' }), 'm.reaction');
    const reply2 = await send(alice, roomId, text('r2', relatesTo('m.thread', root)));
    return { alice, bob, roomId, root, reply1, reaction, reply2 };
  }

  describe('GET /v1/rooms/{roomId}/relations/{eventId}', () => {
    it('lists the events relating to the event, newest first, filtered by rel_type and by event type', async () => {
      const { alice, roomId, root, reply1, reply2 } = await threadRoom();
      const ref = await send(alice, roomId, text('see', relatesTo('m.reference', root)));
      assert.deepEqual(ids((await relations(alice, roomId, root)).chunk), [ref, reply2, reply1]);
      assert.deepEqual(ids((await relations(alice, roomId, root, '/m.thread')).chunk), [reply2, reply1]);
      assert.deepEqual(ids((await relations(alice, roomId, root, '/m.thread', 'dir=f')).chunk), [reply1, reply2]);
      assert.deepEqual((await relations(alice, roomId, root, '/m.thread/m.reaction')).chunk, []);
      assert.deepEqual(ids((await relations(alice, roomId, root, '/m.reference/m.room.message')).chunk), [ref]);
    });

    it('paginates with limit, next_batch and prev_batch, backwards and forwards, and stops at to', async () => {
      const { alice, roomId, root } = await threadRoom();
      const more = [await send(alice, roomId, text('r3', relatesTo('m.thread', root))), await send(alice, roomId, text('r4', relatesTo('m.thread', root)))];
      const all = ids((await relations(alice, roomId, root, '/m.thread', 'dir=f')).chunk);
      assert.equal(all.length, 4);
      assert.deepEqual(all.slice(2), more);
      const first = await relations(alice, roomId, root, '/m.thread', 'limit=3');
      assert.deepEqual(ids(first.chunk), [...all].reverse().slice(0, 3));
      assert.equal(first.prev_batch, undefined);
      const second = await relations(alice, roomId, root, '/m.thread', `limit=3&from=${q(first.next_batch!)}`);
      assert.deepEqual(ids(second.chunk), [all[0]]);
      assert.equal(second.next_batch, undefined);
      assert.equal(second.prev_batch, first.next_batch);
      const forward = await relations(alice, roomId, root, '/m.thread', 'dir=f&limit=2');
      assert.deepEqual(ids(forward.chunk), all.slice(0, 2));
      const rest2 = await relations(alice, roomId, root, '/m.thread', `dir=f&limit=5&from=${q(forward.next_batch!)}`);
      assert.deepEqual(ids(rest2.chunk), all.slice(2));
      // `to` (exclusive of what lies beyond it): forwards from the start up to the second reply's token.
      const upToSecond = await relations(alice, roomId, root, '/m.thread', `dir=f&limit=5&to=${q(forward.next_batch!)}`);
      assert.deepEqual(ids(upToSecond.chunk), all.slice(0, 2));
    });

    it('recurse follows relations of relations and says how deep; without it recursion_depth is absent', async () => {
      const { alice, roomId, root, reply1, reaction, reply2 } = await threadRoom();
      const plain = await relations(alice, roomId, root);
      assert.equal(plain.recursion_depth, undefined);
      assert.deepEqual(ids(plain.chunk), [reply2, reply1]);
      const deep = await relations(alice, roomId, root, '', 'recurse=true');
      assert.deepEqual([ids(deep.chunk), deep.recursion_depth], [[reply2, reaction, reply1], 3]);
      const reactions = await relations(alice, roomId, root, '/m.annotation', 'recurse=true');
      assert.deepEqual(ids(reactions.chunk), [reaction]);
      assert.equal((await relations(alice, roomId, root, '', 'recurse=false')).recursion_depth, 1);
    });

    it('an unknown event, one of another room, or one hidden from the user is 404; bad parameters are 400', async () => {
      const { alice, roomId, root } = await threadRoom();
      const other = await r.createRoom(alice);
      const url = (room: string, eventId: string, query = '') => `${V1}/rooms/${q(room)}/relations/${q(eventId)}${query}`;
      for (const u of [url(roomId, '$nope'), url(other, root)]) {
        assertMatrixError(await s.request('GET', u, { token: alice.accessToken }), 404, 'M_NOT_FOUND', 'GET', u);
      }
      for (const query of ['?dir=x', '?limit=-1', '?recurse=maybe', '?from=nonsense', '/m.thread%00', '/m.thread/a%00b']) {
        const u = url(roomId, root, query);
        assertMatrixError(await s.request('GET', u, { token: alice.accessToken }), 400, 'M_INVALID_PARAM', 'GET', u);
      }
      const carol = await user('carol');
      assertMatrixError(await s.request('GET', url(other, root), { token: carol.accessToken }), 403, 'M_FORBIDDEN', 'GET', url(other, root));
      assertMatrixError(await s.request('GET', url(roomId, root)), 401, 'M_MISSING_TOKEN', 'GET', url(roomId, root));
    });
  });

  describe('bundled aggregations (unsigned.m.relations)', () => {
    it('m.thread on /event, /messages, /context and /sync: count, latest reply, whether the reader took part', async () => {
      const { alice, bob, roomId, root, reply2 } = await threadRoom();
      const carol = await user('carol');
      await r.join(carol, roomId);
      const check = (e: Ev | undefined, participated: boolean) => {
        const thread = relationsOf(e!)?.['m.thread'];
        assert.deepEqual([thread?.count, thread?.latest_event.event_id, thread?.latest_event.content.body, thread?.current_user_participated], [2, reply2, 'r2', participated]);
      };
      check(await event(bob, roomId, root), true);
      check(await event(carol, roomId, root), false);
      check((await read<{ chunk: Ev[] }>(alice, `${V3}${r.room(roomId)}/messages?dir=b&limit=50`)).chunk.find((e) => e.event_id === root), true);
      check((await read<{ event: Ev }>(carol, `${V3}${r.room(roomId)}/context/${q(root)}?limit=2`)).event, false);
      const timeline = (await sync(s, bob, '?filter=' + q(JSON.stringify({ room: { timeline: { limit: 50 } } })))).rooms.join[roomId].timeline.events as Ev[];
      check(timeline.find((e) => e.event_id === root), true);
    });

    it('m.replace: the latest edit by the original sender (event ID, timestamp, sender only); edits by others, of state events, or of edits are ignored', async () => {
      const [alice, bob] = [await user('alice'), await user('bob')];
      const roomId = await r.createRoom(alice, { preset: 'public_chat' });
      await r.join(bob, roomId);
      const original = await send(alice, roomId, text('hello'));
      const first = await send(alice, roomId, edit(original, 'hello!'));
      const latest = await send(alice, roomId, edit(original, 'hello!!'));
      await send(bob, roomId, edit(original, 'hijacked'));
      await send(alice, roomId, { ...edit(original, 'other type') }, 'm.custom');
      const replace = relationsOf(await event(bob, roomId, original))?.['m.replace'];
      const latestEvent = await event(alice, roomId, latest);
      assert.deepEqual(replace, { event_id: latest, origin_server_ts: (latestEvent as unknown as { origin_server_ts: number }).origin_server_ts, sender: alice.userId });
      // An edit of an edit is no edit; an edit of a state event is none either.
      await send(alice, roomId, edit(first, 'edit of edit'));
      assert.equal(relationsOf(await event(alice, roomId, first))?.['m.replace'], undefined);
      const topic = (await r.ok('PUT', `${r.room(roomId)}/state/m.room.topic/`, alice, { topic: 't' })).event_id as string;
      await send(alice, roomId, { topic: 't2', 'm.new_content': { topic: 't2' }, ...relatesTo('m.replace', topic) }, 'm.room.topic');
      assert.equal(relationsOf(await event(alice, roomId, topic)), undefined);
    });

    it('m.reference lists the referencing events; a redacted relation no longer counts', async () => {
      const { alice, roomId, root, reply2, reply1 } = await threadRoom();
      const ref = await send(alice, roomId, text('see', relatesTo('m.reference', root)));
      assert.deepEqual(relationsOf(await event(alice, roomId, root))?.['m.reference'], { chunk: [{ event_id: ref }] });
      await r.ok('PUT', `${r.room(roomId)}/redact/${q(reply2)}/red${++txn}`, alice, {});
      const thread = relationsOf(await event(alice, roomId, root))?.['m.thread'];
      assert.deepEqual([thread?.count, thread?.latest_event.event_id], [1, reply1]);
    });

    it('a page costs one aggregation call and the same event reads whatever the number of events with relations', async () => {
      const alice = await user('alice');
      const calls = { aggregates: 0, getMany: 0 };
      const relationStore = s.app.store.relations;
      const eventStore = s.app.store.events;
      const aggregates = relationStore.aggregates.bind(relationStore);
      const getMany = eventStore.getMany.bind(eventStore);
      const costOf = async (roots: number) => {
        const room = await r.createRoom(alice);
        for (let i = 0; i < roots; i++) {
          const root = await send(alice, room, text(`root ${i}`));
          await send(alice, room, text('reply', relatesTo('m.thread', root)));
          await send(alice, room, edit(root, `edited ${i}`));
        }
        calls.aggregates = 0;
        calls.getMany = 0;
        const page = await read<{ chunk: Ev[] }>(alice, `${V3}${r.room(room)}/messages?dir=b&limit=100`);
        assert.equal(page.chunk.filter((e) => relationsOf(e)?.['m.thread']?.count === 1 && relationsOf(e)?.['m.replace']).length, roots);
        return { ...calls };
      };
      relationStore.aggregates = (...args) => (calls.aggregates++, aggregates(...args));
      eventStore.getMany = (...args) => (calls.getMany++, getMany(...args));
      try {
        const few = await costOf(2);
        const many = await costOf(12);
        assert.equal(few.aggregates, 1);
        assert.deepEqual(many, few);
      } finally {
        relationStore.aggregates = aggregates;
        eventStore.getMany = getMany;
      }
    });
  });

  describe('GET /v1/rooms/{roomId}/threads', () => {
    it('lists thread roots by latest activity, with their thread summary; include=participated keeps the user\'s threads', async () => {
      const { alice, bob, roomId, root } = await threadRoom();
      const carol = await user('carol');
      await r.join(carol, roomId);
      const other = await send(carol, roomId, text('carol root'));
      await send(carol, roomId, text('c1', relatesTo('m.thread', other)));
      const all = await threads(alice, roomId);
      assert.deepEqual(ids(all.chunk), [other, root]);
      assert.equal(relationsOf(all.chunk[1]!)?.['m.thread']?.count, 2);
      assert.deepEqual(ids((await threads(bob, roomId, 'include=participated')).chunk), [root]);
      assert.deepEqual(ids((await threads(carol, roomId, 'include=participated')).chunk), [other]);
      // A new reply moves the older thread first.
      await send(bob, roomId, text('r3', relatesTo('m.thread', root)));
      assert.deepEqual(ids((await threads(alice, roomId)).chunk), [root, other]);
    });

    it('paginates with limit and next_batch', async () => {
      const { alice, roomId, root } = await threadRoom();
      const other = await send(alice, roomId, text('second root'));
      await send(alice, roomId, text('x', relatesTo('m.thread', other)));
      const first = await threads(alice, roomId, 'limit=1');
      assert.deepEqual(ids(first.chunk), [other]);
      const second = await threads(alice, roomId, `limit=1&from=${q(first.next_batch!)}`);
      assert.deepEqual(ids(second.chunk), [root]);
      const third = await threads(alice, roomId, `limit=1&from=${q(second.next_batch!)}`);
      assert.deepEqual([third.chunk, third.next_batch], [[], undefined]);
      const u = `${V1}/rooms/${q(roomId)}/threads?include=mine`;
      assertMatrixError(await s.request('GET', u, { token: alice.accessToken }), 400, 'M_INVALID_PARAM', 'GET', u);
    });
  });

  describe('who sees what', () => {
    it('a departed user sees relations and aggregations up to their leave only', async () => {
      const { alice, bob, roomId, root, reply1, reply2 } = await threadRoom();
      await r.leave(bob, roomId);
      await send(alice, roomId, text('after', relatesTo('m.thread', root)));
      assert.deepEqual(ids((await relations(bob, roomId, root, '/m.thread')).chunk), [reply2, reply1]);
      const thread = relationsOf(await event(bob, roomId, root))?.['m.thread'];
      assert.deepEqual([thread?.count, thread?.latest_event.event_id], [2, reply2]);
      assert.equal(relationsOf((await threads(bob, roomId)).chunk[0]!)?.['m.thread']?.count, 2);
      assert.equal(relationsOf(await event(alice, roomId, root))?.['m.thread']?.count, 3);
    });

    it('a forgotten room is 403 M_FORBIDDEN, as /messages is', async () => {
      const { bob, roomId, root } = await threadRoom();
      await r.leave(bob, roomId);
      await r.forget(bob, roomId);
      for (const u of [`${V1}/rooms/${q(roomId)}/relations/${q(root)}`, `${V1}/rooms/${q(roomId)}/threads`, `${V3}${r.room(roomId)}/messages`]) {
        assertMatrixError(await s.request('GET', u, { token: bob.accessToken }), 403, 'M_FORBIDDEN', 'GET', u);
      }
    });

    it('ignored users\' relating events are withheld from /relations, /threads and the aggregations', async () => {
      const { alice, bob, roomId, root, reply2 } = await threadRoom();
      const bobRoot = await send(bob, roomId, text('bob root'));
      await send(bob, roomId, text('b', relatesTo('m.thread', bobRoot)));
      await r.ok('PUT', `/user/${q(alice.userId)}/account_data/m.ignored_user_list`, alice, { ignored_users: { [bob.userId]: {} } });
      assert.deepEqual(ids((await relations(alice, roomId, root)).chunk), [reply2]);
      const thread = relationsOf(await event(alice, roomId, root))?.['m.thread'];
      assert.deepEqual([thread?.count, thread?.latest_event.event_id], [1, reply2]);
      assert.deepEqual(ids((await threads(alice, roomId)).chunk), [root]);
      assert.equal(relationsOf(await event(bob, roomId, root))?.['m.thread']?.count, 2);
    });
  });

  describe('threaded read receipts and unread_thread_notifications', () => {
    it('with the filter flag, the main timeline and each thread are counted apart, each after its own receipt', async () => {
      const [alice, bob] = [await user('alice'), await user('bob')];
      const roomId = await r.createRoom(alice, { preset: 'public_chat' });
      await r.join(bob, roomId);
      await send(alice, roomId, text('main 1'));
      const root = await send(alice, roomId, text('root'));
      const t1 = await send(alice, roomId, text('t1', relatesTo('m.thread', root)));
      await send(alice, roomId, text('t2', relatesTo('m.thread', root)));
      const threaded = '?filter=' + q(JSON.stringify({ room: { timeline: { unread_thread_notifications: true } } }));
      const counts = async (query: string) => {
        const res = await s.request('GET', `${V3}/sync${query}`, { token: bob.accessToken });
        assert.equal(res.statusCode, 200, res.body);
        assertSpecResponse(res, 'GET', `${V3}/sync${query}`);
        const room = res.json().rooms.join[roomId];
        return { main: room.unread_notifications?.notification_count, threads: room.unread_thread_notifications };
      };
      const none = { notification_count: 0, highlight_count: 0 };
      assert.deepEqual(await counts(threaded), { main: 2, threads: { [root]: { ...none, notification_count: 2 } } });
      assert.deepEqual(await counts(''), { main: 4, threads: undefined });
      const receipt = (eventId: string, threadId: unknown) => s.request('POST', `${V3}${r.room(roomId)}/receipt/m.read/${q(eventId)}`, { token: bob.accessToken, body: { thread_id: threadId } });
      assert.equal((await receipt(t1, root)).statusCode, 200);
      assert.deepEqual(await counts(threaded), { main: 2, threads: { [root]: { ...none, notification_count: 1 } } });
      assert.equal((await receipt(root, 'main')).statusCode, 200);
      assert.deepEqual(await counts(threaded), { main: 0, threads: { [root]: { ...none, notification_count: 1 } } });
      const url = `${V3}${r.room(roomId)}/receipt/m.read/${q(t1)}`;
      assertMatrixError(await receipt(t1, 5), 400, 'M_INVALID_PARAM', 'POST', url);
    });

    it('threaded receipts reach the other members in /sync with their thread_id', async () => {
      const { alice, bob, roomId, root, reply1 } = await threadRoom();
      assert.equal((await s.request('POST', `${V3}${r.room(roomId)}/receipt/m.read/${q(reply1)}`, { token: bob.accessToken, body: { thread_id: root } })).statusCode, 200);
      const ephemeral = (await sync(s, alice)).rooms.join[roomId].ephemeral.events as Array<{ type: string; content: Record<string, Record<string, Record<string, { thread_id?: string }>>> }>;
      const receipt = ephemeral.find((e) => e.type === 'm.receipt')?.content[reply1]?.['m.read']?.[bob.userId];
      assert.equal(receipt?.thread_id, root);
    });
  });
}, describe);
