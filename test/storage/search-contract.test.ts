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
}, describe);
