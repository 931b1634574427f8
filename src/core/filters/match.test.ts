import { test } from 'node:test';
import assert from 'node:assert/strict';
import { excludesEveryEvent, filterEvents, limitOf, matchesEventFilter, matchesRoomFilter, matchesTypePattern } from './match.js';
import { parseEventFilter, parseFilter, parseRoomEventFilter } from './parse-filter.js';
import { DEFAULT_EVENT_LIMIT, MAX_EVENT_LIMIT } from './types.js';
import { ErrCode, type ErrCodeValue } from '../errors.js';

const ALICE = '@alice:example.com';
const SPAM = '@spam:example.com';
const ROOM_A = '!a:example.com';
const ROOM_B = '!b:example.com';

const message = { type: 'm.room.message', sender: ALICE, room_id: ROOM_A, content: { body: 'hi' } };
const image = { type: 'm.room.message', sender: ALICE, room_id: ROOM_A, content: { msgtype: 'm.image', url: 'mxc://x/y' } };
const member = { type: 'm.room.member', sender: ALICE, room_id: ROOM_A, content: { membership: 'join' } };
const custom = { type: 'org.example.thing', sender: SPAM, room_id: ROOM_B, content: {} };

test('matchesTypePattern: exact names, and * matching any run of characters anywhere', () => {
  assert.ok(matchesTypePattern('m.room.message', 'm.room.message'));
  assert.ok(!matchesTypePattern('m.room.message', 'm.room.message2'));
  assert.ok(matchesTypePattern('*', 'anything'));
  assert.ok(matchesTypePattern('*', ''));
  assert.ok(matchesTypePattern('m.*', 'm.room.member'));
  assert.ok(matchesTypePattern('m.*', 'm.'));
  assert.ok(!matchesTypePattern('m.*', 'org.matrix.m.x'));
  assert.ok(matchesTypePattern('m.room.*', 'm.room.topic'));
  assert.ok(!matchesTypePattern('m.room.*', 'm.receipt'));
  assert.ok(matchesTypePattern('*.member', 'm.room.member'));
  assert.ok(matchesTypePattern('m.*.member', 'm.room.member'));
  assert.ok(matchesTypePattern('*call*', 'm.call.invite'));
  assert.ok(matchesTypePattern('a*b*c', 'abc'));
  assert.ok(matchesTypePattern('a*b*c', 'a-b-b-c'));
  assert.ok(!matchesTypePattern('a*b*c', 'acb'));
  assert.ok(!matchesTypePattern('a*a', 'a'), 'head and tail may not share characters');
  assert.ok(matchesTypePattern('a**', 'a'));
});

test('matchesTypePattern: only * is special, regex characters are literal', () => {
  assert.ok(!matchesTypePattern('m.room.message', 'mXroomXmessage'));
  assert.ok(!matchesTypePattern('m.room.(a|b)', 'm.room.a'));
  assert.ok(matchesTypePattern('m.room.(a|b)', 'm.room.(a|b)'));
  assert.ok(!matchesTypePattern('m?', 'mx'));
});

test('matchesEventFilter: types with wildcards', () => {
  assert.ok(matchesEventFilter(parseEventFilter({ types: ['m.*'] }), message));
  assert.ok(!matchesEventFilter(parseEventFilter({ types: ['m.*'] }), custom));
  assert.ok(matchesEventFilter(parseEventFilter({ types: ['*'] }), custom));
  assert.ok(matchesEventFilter(parseEventFilter({ types: ['m.room.*'] }), member));
  assert.ok(matchesEventFilter(parseEventFilter({ types: ['m.typing', 'm.room.member'] }), member));
  assert.ok(!matchesEventFilter(parseEventFilter({ types: [] }), message), 'an empty types list includes nothing');
  assert.ok(matchesEventFilter(parseEventFilter({}), custom), 'an absent types list includes everything');
});

test('matchesEventFilter: not_types wins over types', () => {
  const filter = parseEventFilter({ types: ['m.room.*'], not_types: ['m.room.member'] });
  assert.ok(matchesEventFilter(filter, message));
  assert.ok(!matchesEventFilter(filter, member));
  assert.ok(!matchesEventFilter(parseEventFilter({ types: ['m.room.member'], not_types: ['m.*'] }), member));
  assert.ok(!matchesEventFilter(parseEventFilter({ not_types: ['*'] }), message));
});

test('matchesEventFilter: senders and not_senders, exact and with not_senders winning', () => {
  assert.ok(matchesEventFilter(parseEventFilter({ senders: [ALICE] }), message));
  assert.ok(!matchesEventFilter(parseEventFilter({ senders: [ALICE] }), custom));
  assert.ok(!matchesEventFilter(parseEventFilter({ not_senders: [SPAM] }), custom));
  assert.ok(!matchesEventFilter(parseEventFilter({ senders: [ALICE], not_senders: [ALICE] }), message));
  assert.ok(!matchesEventFilter(parseEventFilter({ senders: ['@*'] }), message), 'senders have no wildcards');
});

test('matchesEventFilter: events without a sender pass not_senders but not a senders list', () => {
  const typing = { type: 'm.typing', content: { user_ids: [ALICE] } };
  assert.ok(matchesEventFilter(parseEventFilter({ not_senders: [SPAM] }), typing));
  assert.ok(!matchesEventFilter(parseEventFilter({ senders: [ALICE] }), typing));
});

test('matchesEventFilter: rooms and not_rooms of a room event filter', () => {
  assert.ok(matchesEventFilter(parseRoomEventFilter({ rooms: [ROOM_A] }), message));
  assert.ok(!matchesEventFilter(parseRoomEventFilter({ rooms: [ROOM_A] }), custom));
  assert.ok(!matchesEventFilter(parseRoomEventFilter({ not_rooms: [ROOM_B] }), custom));
  assert.ok(!matchesEventFilter(parseRoomEventFilter({ rooms: [ROOM_A], not_rooms: [ROOM_A] }), message));
  assert.ok(!matchesEventFilter(parseRoomEventFilter({ rooms: [] }), message));
  const noRoom = { type: 'm.tag', content: {} };
  assert.ok(!matchesEventFilter(parseRoomEventFilter({ rooms: [ROOM_A] }), noRoom));
  assert.ok(matchesEventFilter(parseRoomEventFilter({ not_rooms: [ROOM_A] }), noRoom));
});

test('matchesEventFilter: contains_url true, false and absent', () => {
  const withUrl = parseRoomEventFilter({ contains_url: true });
  const withoutUrl = parseRoomEventFilter({ contains_url: false });
  assert.ok(matchesEventFilter(withUrl, image));
  assert.ok(!matchesEventFilter(withUrl, message));
  assert.ok(!matchesEventFilter(withoutUrl, image));
  assert.ok(matchesEventFilter(withoutUrl, message));
  assert.ok(matchesEventFilter(parseRoomEventFilter({}), image));
  assert.ok(matchesEventFilter(parseRoomEventFilter({}), message));
  // Only a string url counts; missing or odd content counts as "no url".
  assert.ok(!matchesEventFilter(withUrl, { ...message, content: { url: 42 } }));
  assert.ok(!matchesEventFilter(withUrl, { type: 'm.room.message', sender: ALICE }));
  assert.ok(matchesEventFilter(withoutUrl, { type: 'x', sender: ALICE, content: 'url' }));
});

test('matchesEventFilter: all conditions must hold together', () => {
  const filter = parseRoomEventFilter({ types: ['m.room.message'], senders: [ALICE], rooms: [ROOM_A], contains_url: true });
  assert.ok(matchesEventFilter(filter, image));
  assert.ok(!matchesEventFilter(filter, message));
  assert.ok(!matchesEventFilter(filter, { ...image, room_id: ROOM_B }));
  assert.ok(!matchesEventFilter(filter, { ...image, sender: SPAM }));
  assert.ok(!matchesEventFilter(filter, { ...image, type: 'm.sticker' }));
});

test('matchesRoomFilter: the top-level room.rooms and room.not_rooms', () => {
  assert.ok(matchesRoomFilter(parseFilter({}).room, ROOM_A));
  assert.ok(matchesRoomFilter(parseFilter({ room: { rooms: [ROOM_A] } }).room, ROOM_A));
  assert.ok(!matchesRoomFilter(parseFilter({ room: { rooms: [ROOM_A] } }).room, ROOM_B));
  assert.ok(!matchesRoomFilter(parseFilter({ room: { not_rooms: [ROOM_A] } }).room, ROOM_A));
  assert.ok(!matchesRoomFilter(parseFilter({ room: { rooms: [ROOM_A], not_rooms: [ROOM_A] } }).room, ROOM_A));
  assert.ok(!matchesRoomFilter(parseFilter({ room: { rooms: [] } }).room, ROOM_A));
});

test('filterEvents keeps the matching events in order and does not apply the limit', () => {
  const events = [member, message, custom, image];
  const filter = parseRoomEventFilter({ types: ['m.room.*'], not_senders: [SPAM], limit: 1 });
  assert.deepEqual(filterEvents(filter, events), [member, message, image]);
  assert.deepEqual(filterEvents(parseRoomEventFilter({ not_types: ['m.room.member'] }), events), [message, custom, image]);
  assert.deepEqual(filterEvents(parseRoomEventFilter({}), events), events);
  assert.deepEqual(filterEvents(parseRoomEventFilter({}), []), []);
});

test('the filter.yaml example filter behaves as described', () => {
  const filter = parseFilter({
    room: {
      state: { types: ['m.room.*'], not_rooms: ['!726s6s6q:example.com'] },
      timeline: { limit: 10, types: ['m.room.message'], not_rooms: ['!726s6s6q:example.com'], not_senders: [SPAM] },
    },
    presence: { types: ['m.presence'], not_senders: [ALICE] },
  });
  assert.ok(matchesEventFilter(filter.room.state, member));
  assert.ok(!matchesEventFilter(filter.room.state, { ...member, room_id: '!726s6s6q:example.com' }));
  assert.ok(matchesEventFilter(filter.room.timeline, message));
  assert.ok(!matchesEventFilter(filter.room.timeline, member));
  assert.ok(!matchesEventFilter(filter.room.timeline, { ...message, sender: SPAM }));
  assert.ok(matchesEventFilter(filter.presence, { type: 'm.presence', sender: SPAM }));
  assert.ok(!matchesEventFilter(filter.presence, { type: 'm.presence', sender: ALICE }));
});

test('limitOf: the filter limit, else the fallback (default 10), never above the maximum', () => {
  assert.equal(DEFAULT_EVENT_LIMIT, 10);
  assert.equal(limitOf(parseFilter({}).room.timeline), 10);
  assert.equal(limitOf(parseFilter({ room: { timeline: { limit: 3 } } }).room.timeline), 3);
  assert.equal(limitOf(parseFilter({ room: { timeline: { limit: 0 } } }).room.timeline), 0);
  assert.equal(limitOf(parseFilter({ room: { timeline: { limit: 5000 } } }).room.timeline), MAX_EVENT_LIMIT);
  assert.equal(limitOf(parseEventFilter({}), 50), 50);
  assert.equal(limitOf(parseEventFilter({}), 1e9), MAX_EVENT_LIMIT);
  assert.equal(limitOf(parseEventFilter({ limit: 7 }), 50), 7);
});

/** A list that counts how often its entries are read. */
function counted(entries: string[]): { list: string[]; reads: () => number } {
  let reads = 0;
  const list = new Proxy(entries, {
    get(target, key, receiver) {
      if (typeof key === 'string' && /^[0-9]+$/.test(key)) reads++;
      return Reflect.get(target, key, receiver) as unknown;
    },
  });
  return { list, reads: () => reads };
}

test('filter lists are matched through a set built once: 1,000 events against 1,000 senders read each entry a few times, not once per event', () => {
  const senders = counted(Array.from({ length: 1000 }, (_, i) => `@user${i}:example.com`));
  const notTypes = counted([...Array.from({ length: 999 }, (_, i) => `org.example.type${i}`), 'm.room.*']);
  const filter = { ...parseRoomEventFilter({}), senders: senders.list, notTypes: notTypes.list };
  const events = Array.from({ length: 1000 }, (_, i) => ({ ...message, type: i % 2 ? 'm.room.message' : 'org.example.type5', sender: `@user${999 - i}:example.com` }));
  const matched = filterEvents(filter, [...events, { ...custom, type: 'm.custom', sender: '@user1:example.com' }, { ...custom, type: 'm.custom' }]);
  assert.equal(matched.length, 1);
  assert.equal(matched[0]?.type, 'm.custom');
  assert.ok(senders.reads() <= 3 * 1000, `senders read ${senders.reads()} times`);
  assert.ok(notTypes.reads() <= 3 * 1000, `not_types read ${notTypes.reads()} times`);
});

test('parseFilter: lists of more than 1,000 entries or entries over 255 characters are 400 M_BAD_JSON; a filter over 64 Ki characters 413 M_TOO_LARGE', () => {
  const rejects = (json: unknown, status: number, errcode: ErrCodeValue) =>
    assert.throws(() => parseFilter(json), (err: { status?: number; errcode?: string }) => err.status === status && err.errcode === errcode, JSON.stringify(json).slice(0, 80));
  const many = Array.from({ length: 1001 }, (_, i) => `!r${i}:example.com`);
  rejects({ room: { rooms: many } }, 400, ErrCode.badJson);
  rejects({ room: { timeline: { not_senders: many } } }, 400, ErrCode.badJson);
  rejects({ event_fields: many }, 400, ErrCode.badJson);
  rejects({ presence: { types: ['x'.repeat(256)] } }, 400, ErrCode.badJson);
  assert.equal(parseFilter({ room: { rooms: many.slice(0, 1000) } }).room.rooms?.length, 1000);
  assert.deepEqual(parseFilter({ presence: { types: ['x'.repeat(255)] } }).presence.types, ['x'.repeat(255)]);
  rejects({ room: { timeline: { types: Array.from({ length: 300 }, () => 'x'.repeat(255)) } } }, 413, ErrCode.tooLarge);
  rejects({ 'org.example.unstable': 'x'.repeat(65536) }, 413, ErrCode.tooLarge);
});

test('excludesEveryEvent: an empty types or senders list, or * in not_types; nothing else', () => {
  for (const json of [{ types: [] }, { senders: [] }, { not_types: ['*'] }, { types: ['m.presence'], not_types: ['*'] }]) {
    assert.ok(excludesEveryEvent(parseEventFilter(json)), JSON.stringify(json));
  }
  for (const json of [{}, { types: ['m.presence'] }, { not_types: ['m.*'] }, { not_senders: ['@a:hs'] }, { limit: 0 }]) {
    assert.ok(!excludesEveryEvent(parseEventFilter(json)), JSON.stringify(json));
  }
});
