// The Store contract of the search index and of reports, on both backends: what is indexed when
// an event is stored, what a query matches and in which order, and that redaction unindexes.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { EventId, RoomId, UserId } from '../../src/core/ids.js';
import { ALL_SEARCH_KEYS } from '../../src/core/search.js';
import type { SearchHit, SearchQuery, Store } from '../../src/storage/store.js';
import { forEachBackend, useFreshStore } from '../helpers/backends.js';
import { roomEvents } from '../helpers/room-store.js';

const alice = '@alice:hs' as UserId;
const bob = '@bob:hs' as UserId;
const [one, two] = ['!one:hs' as RoomId, '!two:hs' as RoomId];

forEachBackend('Store contract: search index', (backend) => {
  const storeOf = useFreshStore(backend);
  const r = roomEvents(storeOf, [one, two]);
  let store: Store;
  const pos: Record<string, number> = {};
  const ids = (found: SearchHit[]) => found.map((f) => f.stored.event.event_id);
  const query = (q: Partial<SearchQuery>): SearchQuery => ({
    ranges: [{ roomId: one }, { roomId: two }], words: ['apple'], keys: ALL_SEARCH_KEYS, order: 'recent', limit: 10, ...q,
  });
  before(async () => {
    store = storeOf();
    pos.a1 = (await r.message(one, alice, 'An apple a day')).pos;
    pos.a2 = (await r.message(one, bob, 'apple apple apple pie')).pos;
    pos.other = (await r.message(one, bob, 'pears only')).pos;
    pos.name = (await r.append(one, { type: 'm.room.name', sender: alice, stateKey: '', content: { name: 'Apple lovers' } })).pos;
    pos.topic = (await r.append(two, { type: 'm.room.topic', sender: alice, stateKey: '', content: { topic: 'all about APPLE trees' } })).pos;
    pos.notext = (await r.append(two, { type: 'm.room.message', sender: alice, content: { body: 42 } })).pos;
    pos.wrongKey = (await r.append(two, { type: 'm.room.name', sender: alice, stateKey: 'x', content: { name: 'apple' } })).pos;
    pos.nul = (await r.message(two, alice, 'apple\u0000core')).pos;
    pos.punctuated = (await r.message(two, alice, 'code-394-8abc, über-Straße')).pos;
  });

  it('indexes message bodies, room names and topics (only with the empty state key), case-insensitively; a NUL does not stop a write', async () => {
    const found = await store.search.find(query({}));
    assert.deepEqual(found.map((f) => f.stored.pos), [pos.nul, pos.topic, pos.name, pos.a2, pos.a1]);
    assert.equal(found[0]!.stored.event.content.body, 'apple\u0000core');
  });

  it('finds every word of a text, whatever punctuation joins them, on both backends alike', async () => {
    for (const word of ['code', '394', '8abc', 'über', 'straße']) {
      assert.deepEqual((await store.search.find(query({ words: [word] }))).map((f) => f.stored.pos), [pos.punctuated], word);
    }
  });

  it('every word must match; keys, ranges and beforePos narrow the results', async () => {
    assert.deepEqual((await store.search.find(query({ words: ['apple', 'pie'] }))).map((f) => f.stored.pos), [pos.a2]);
    assert.deepEqual((await store.search.find(query({ words: ['apple', 'banana'] }))), []);
    assert.deepEqual((await store.search.find(query({ keys: ['content.topic', 'content.name'] }))).map((f) => f.stored.pos), [pos.topic, pos.name]);
    assert.deepEqual((await store.search.find(query({ ranges: [{ roomId: one, upTo: pos.a1 }] }))).map((f) => f.stored.pos), [pos.a1]);
    assert.deepEqual((await store.search.find(query({ ranges: [{ roomId: two }], beforePos: pos.nul }))).map((f) => f.stored.pos), [pos.topic]);
    assert.deepEqual(await store.search.find(query({ ranges: [] })), []);
  });

  it('searches across thousands of rooms, joined and departed, in one query', async () => {
    const many = Array.from({ length: 3000 }, (_, i) => ({ roomId: `!many${i}:hs` as RoomId, ...(i % 2 === 0 ? { upTo: i } : {}) }));
    const found = await store.search.find(query({ ranges: [...many, { roomId: one, upTo: pos.a2 }, { roomId: two }] }));
    assert.deepEqual(found.map((f) => f.stored.pos), [pos.nul, pos.topic, pos.a2, pos.a1]);
  });

  it('rank order puts the better match first; offset and limit page through it', async () => {
    const ranked = await store.search.find(query({ ranges: [{ roomId: one }], order: 'rank' }));
    assert.equal(ranked[0]!.stored.pos, pos.a2, 'three occurrences in a short body rank first');
    assert.ok(ranked[0]!.rank > ranked[ranked.length - 1]!.rank);
    assert.deepEqual(new Set(ranked.map((f) => f.stored.pos)), new Set([pos.a1, pos.a2, pos.name]));
    const paged = [
      ...await store.search.find(query({ ranges: [{ roomId: one }], order: 'rank', limit: 2 })),
      ...await store.search.find(query({ ranges: [{ roomId: one }], order: 'rank', limit: 2, offset: 2 })),
    ];
    assert.deepEqual(ids(paged), ids(ranked));
  });

  it('a redacted event is no longer found', async () => {
    const target = (await store.search.find(query({ words: ['day'] })))[0]!;
    await store.events.markRedacted(target.stored.event.event_id as EventId, '$redaction' as EventId);
    assert.deepEqual(await store.search.find(query({ words: ['day'] })), []);
    assert.ok(!(await store.search.find(query({}))).some((f) => f.stored.pos === pos.a1));
  });
}, describe);

forEachBackend('Store contract: reports', (backend) => {
  const storeOf = useFreshStore(backend);

  it('keeps each report with its target and lists them newest first, a page at a time', async () => {
    const store = storeOf();
    const first = await store.reports.add({ reporter: alice, target: { kind: 'event', roomId: one, eventId: '$e' as EventId }, reason: 'spam', score: -100, receivedTs: 10 });
    const second = await store.reports.add({ reporter: bob, target: { kind: 'room', roomId: two }, reason: null, score: null, receivedTs: 20 });
    const third = await store.reports.add({ reporter: alice, target: { kind: 'user', userId: bob }, reason: 'rude', score: null, receivedTs: 30 });
    assert.ok(first < second && second < third);
    assert.deepEqual(await store.reports.list({ limit: 10 }), [
      { id: third, reporter: alice, target: { kind: 'user', userId: bob }, reason: 'rude', score: null, receivedTs: 30 },
      { id: second, reporter: bob, target: { kind: 'room', roomId: two }, reason: null, score: null, receivedTs: 20 },
      { id: first, reporter: alice, target: { kind: 'event', roomId: one, eventId: '$e' }, reason: 'spam', score: -100, receivedTs: 10 },
    ]);
    assert.deepEqual((await store.reports.list({ limit: 1, beforeId: third })).map((r) => r.id), [second]);
    assert.deepEqual(await store.reports.list({ limit: 5, beforeId: first }), []);
  });

  it('event reports: filtered by reporter and room, paged either way with the total; one by ID; deleted', async () => {
    const store = storeOf();
    // Rooms of their own: the reports of the test above are still there.
    const [one, two] = ['!r1:other.hs' as RoomId, '!r2:other.hs' as RoomId];
    const a = await store.reports.add({ reporter: alice, target: { kind: 'event', roomId: one, eventId: '$a' as EventId }, reason: 'spam', score: -100, receivedTs: 10 });
    await store.reports.add({ reporter: bob, target: { kind: 'room', roomId: one }, reason: 'room', score: null, receivedTs: 15 });
    const b = await store.reports.add({ reporter: bob, target: { kind: 'event', roomId: two, eventId: '$b' as EventId }, reason: null, score: null, receivedTs: 20 });
    const c = await store.reports.add({ reporter: alice, target: { kind: 'event', roomId: two, eventId: '$c' as EventId }, reason: '50%_off', score: 0, receivedTs: 30 });
    const ids = async (o: Parameters<typeof store.reports.eventReports>[0]) => {
      const page = await store.reports.eventReports({ roomId: 'OTHER.hs', ...o });
      return [page.reports.map((r) => r.id), page.total];
    };
    assert.deepEqual(await ids({ offset: 0, limit: 10, dir: 'b' }), [[c, b, a], 3]);
    assert.deepEqual(await ids({ offset: 1, limit: 1, dir: 'f' }), [[b], 3]);
    assert.deepEqual(await ids({ offset: 0, limit: 10, dir: 'b', reporter: alice.slice(0, 4).toUpperCase() }), [[c, a], 2]);
    assert.deepEqual(await ids({ offset: 0, limit: 10, dir: 'f', roomId: two, reporter: 'bob' }), [[b], 1]);
    // LIKE's own wildcards are matched literally.
    assert.deepEqual(await ids({ offset: 0, limit: 10, dir: 'f', reporter: '%' }), [[], 0]);
    assert.deepEqual(await store.reports.get(c), { id: c, reporter: alice, target: { kind: 'event', roomId: two, eventId: '$c' }, reason: '50%_off', score: 0, receivedTs: 30 });
    assert.equal(await store.reports.get(c + 100), undefined);
    assert.equal(await store.reports.delete(c), true);
    assert.equal(await store.reports.delete(c), false);
    assert.deepEqual(await ids({ offset: 0, limit: 10, dir: 'b' }), [[b, a], 2]);
  });
}, describe);
