import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrCode, MatrixError } from '../errors.js';
import { parseEventFilter, parseFilter, parseRoomEventFilter } from './parse-filter.js';
import { MAX_EVENT_LIMIT } from './types.js';

/** Every rejection must be the 400 `M_BAD_JSON` the filter endpoints document, naming the field. */
function assertBadJson(fn: () => unknown, mentions?: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof MatrixError, `expected a MatrixError, got ${String(err)}`);
    assert.equal(err.status, 400);
    assert.equal(err.errcode, ErrCode.badJson);
    if (mentions !== undefined) assert.match(err.message, new RegExp(mentions.replace(/\./g, '\\.')));
    return true;
  });
}

/** `{ a: { b: { c: value } } }` from `['a', 'b', 'c']`. */
function nested(path: readonly string[], value: unknown): unknown {
  return path.reduceRight<unknown>((inner, key) => ({ [key]: inner }), value);
}

const EVENT_FILTER_PATHS = ['presence', 'account_data'];
const ROOM_EVENT_FILTER_PATHS = ['room.state', 'room.timeline', 'room.ephemeral', 'room.account_data'];
const ALL_SUB_FILTER_PATHS = [...EVENT_FILTER_PATHS, ...ROOM_EVENT_FILTER_PATHS];

const BAD_LIMITS: unknown[] = ['10', 1.5, -1, null, true, [10], Number.NaN];
const BAD_STRING_LISTS: unknown[] = ['m.room.message', [1], [null], ['ok', 2], null, { 0: 'a' }, true];
const BAD_BOOLEANS: unknown[] = ['true', 1, 0, null, []];

test('parseFilter rejects a filter that is not an object', () => {
  for (const json of [null, [], 'filter', 1, true, undefined]) assertBadJson(() => parseFilter(json), 'filter');
});

test('parseFilter rejects a bad event_format and event_fields', () => {
  for (const format of ['raw', 'Client', 1, null, ['client']]) {
    assertBadJson(() => parseFilter({ event_format: format }), 'event_format');
  }
  for (const fields of BAD_STRING_LISTS) assertBadJson(() => parseFilter({ event_fields: fields }), 'event_fields');
});

test('parseFilter rejects sub-filters that are not objects', () => {
  for (const bad of ['x', null, [], 3]) {
    assertBadJson(() => parseFilter({ room: bad }), 'room');
    for (const path of ALL_SUB_FILTER_PATHS) assertBadJson(() => parseFilter(nested(path.split('.'), bad)), path);
  }
});

test('parseFilter rejects a limit that is not a non-negative integer, in every sub-filter', () => {
  for (const path of ALL_SUB_FILTER_PATHS) {
    for (const limit of BAD_LIMITS) {
      assertBadJson(() => parseFilter(nested([...path.split('.'), 'limit'], limit)), `${path}.limit`);
    }
  }
});

test('parseFilter rejects types/not_types/senders/not_senders that are not arrays of strings', () => {
  for (const path of ALL_SUB_FILTER_PATHS) {
    for (const key of ['types', 'not_types', 'senders', 'not_senders']) {
      for (const bad of BAD_STRING_LISTS) {
        assertBadJson(() => parseFilter(nested([...path.split('.'), key], bad)), `${path}.${key}`);
      }
    }
  }
});

test('parseFilter rejects bad rooms/not_rooms, at the room level and in room event filters', () => {
  for (const key of ['rooms', 'not_rooms']) {
    for (const bad of BAD_STRING_LISTS) {
      assertBadJson(() => parseFilter({ room: { [key]: bad } }), `room.${key}`);
      for (const path of ROOM_EVENT_FILTER_PATHS) {
        assertBadJson(() => parseFilter(nested([...path.split('.'), key], bad)), `${path}.${key}`);
      }
    }
  }
});

test('parseFilter rejects non-boolean include_leave and room event filter flags', () => {
  for (const bad of BAD_BOOLEANS) {
    assertBadJson(() => parseFilter({ room: { include_leave: bad } }), 'room.include_leave');
    for (const path of ROOM_EVENT_FILTER_PATHS) {
      for (const key of ['contains_url', 'lazy_load_members', 'include_redundant_members', 'unread_thread_notifications']) {
        assertBadJson(() => parseFilter(nested([...path.split('.'), key], bad)), `${path}.${key}`);
      }
    }
  }
});

test('parseRoomEventFilter and parseEventFilter reject garbage on their own', () => {
  assertBadJson(() => parseRoomEventFilter('{"contains_url":true}'), 'filter');
  assertBadJson(() => parseRoomEventFilter({ contains_url: 'yes' }), 'contains_url');
  assertBadJson(() => parseRoomEventFilter({ limit: -5 }), 'limit');
  assertBadJson(() => parseEventFilter({ not_senders: '@a:b' }), 'not_senders');
});

test('parseFilter({}) gives the defaults: client format, every field kept, nothing filtered', () => {
  const filter = parseFilter({});
  const emptyRoomEventFilter = {
    notTypes: [],
    notSenders: [],
    notRooms: [],
    lazyLoadMembers: false,
    includeRedundantMembers: false,
    unreadThreadNotifications: false,
  };
  assert.deepEqual(filter, {
    eventFormat: 'client',
    presence: { notTypes: [], notSenders: [] },
    accountData: { notTypes: [], notSenders: [] },
    room: {
      notRooms: [],
      includeLeave: false,
      state: emptyRoomEventFilter,
      timeline: emptyRoomEventFilter,
      ephemeral: emptyRoomEventFilter,
      accountData: emptyRoomEventFilter,
    },
  });
  // Absent and empty inclusion lists mean opposite things, so absence must stay visible.
  assert.equal(filter.room.timeline.types, undefined);
  assert.equal(filter.room.rooms, undefined);
  assert.equal(filter.room.timeline.limit, undefined);
  assert.equal(filter.room.timeline.containsUrl, undefined);
});

test('parseFilter keeps empty inclusion lists (they exclude everything)', () => {
  const filter = parseFilter({ room: { rooms: [], timeline: { types: [], senders: [], rooms: [] } } });
  assert.deepEqual(filter.room.rooms, []);
  assert.deepEqual(filter.room.timeline.types, []);
  assert.deepEqual(filter.room.timeline.senders, []);
  assert.deepEqual(filter.room.timeline.rooms, []);
});

test('parseFilter accepts limit 0 and clamps huge limits to MAX_EVENT_LIMIT', () => {
  assert.equal(parseFilter({ room: { timeline: { limit: 0 } } }).room.timeline.limit, 0);
  assert.equal(parseFilter({ room: { timeline: { limit: 50 } } }).room.timeline.limit, 50);
  assert.equal(parseFilter({ presence: { limit: 1e12 } }).presence.limit, MAX_EVENT_LIMIT);
  assert.equal(MAX_EVENT_LIMIT, 1000);
});

test('parseFilter reads the lazy-loading flags and the other booleans', () => {
  const filter = parseFilter({
    event_format: 'federation',
    event_fields: ['content.body', 'content.m\\.relates_to'],
    room: {
      include_leave: true,
      state: { lazy_load_members: true, include_redundant_members: true },
      timeline: { contains_url: false, unread_thread_notifications: true },
    },
  });
  assert.equal(filter.eventFormat, 'federation');
  assert.deepEqual(filter.eventFields, ['content.body', 'content.m\\.relates_to']);
  assert.equal(filter.room.includeLeave, true);
  assert.equal(filter.room.state.lazyLoadMembers, true);
  assert.equal(filter.room.state.includeRedundantMembers, true);
  assert.equal(filter.room.timeline.lazyLoadMembers, false);
  assert.equal(filter.room.timeline.containsUrl, false);
  assert.equal(filter.room.timeline.unreadThreadNotifications, true);
});

test('parseFilter ignores unknown keys, at every level', () => {
  const filter = parseFilter({
    'org.matrix.msc4429.profile_fields': { ids: ['m.tz'] },
    room: { 'org.example.flag': 1, timeline: { 'org.matrix.labels': ['#x'], related_by_senders: 7 } },
    presence: { whatever: null },
  });
  assert.deepEqual(filter, parseFilter({}));
});

test('parseFilter copies lists, so mutating the request body later changes nothing', () => {
  const body = { room: { timeline: { types: ['m.room.message'] } } };
  const filter = parseFilter(body);
  body.room.timeline.types.push('m.room.member');
  assert.deepEqual(filter.room.timeline.types, ['m.room.message']);
});

test('the filter.yaml request example parses', () => {
  const example = {
    room: {
      state: { types: ['m.room.*'], not_rooms: ['!726s6s6q:example.com'] },
      timeline: {
        limit: 10,
        types: ['m.room.message'],
        not_rooms: ['!726s6s6q:example.com'],
        not_senders: ['@spam:example.com'],
      },
      ephemeral: {
        types: ['m.receipt', 'm.typing'],
        not_rooms: ['!726s6s6q:example.com'],
        not_senders: ['@spam:example.com'],
      },
    },
    presence: { types: ['m.presence'], not_senders: ['@alice:example.com'] },
    event_format: 'client',
    event_fields: ['type', 'content', 'sender'],
  };
  const filter = parseFilter(example);
  assert.equal(filter.eventFormat, 'client');
  assert.deepEqual(filter.eventFields, ['type', 'content', 'sender']);
  assert.deepEqual(filter.room.state.types, ['m.room.*']);
  assert.deepEqual(filter.room.state.notRooms, ['!726s6s6q:example.com']);
  assert.equal(filter.room.timeline.limit, 10);
  assert.deepEqual(filter.room.timeline.notSenders, ['@spam:example.com']);
  assert.deepEqual(filter.room.ephemeral.types, ['m.receipt', 'm.typing']);
  assert.deepEqual(filter.presence.types, ['m.presence']);
  assert.deepEqual(filter.presence.notSenders, ['@alice:example.com']);
  assert.deepEqual(filter.room.accountData, parseRoomEventFilter({}));
});

test('the message_pagination.yaml filter example parses as a RoomEventFilter', () => {
  const filter = parseRoomEventFilter(JSON.parse('{"contains_url":true}'));
  assert.equal(filter.containsUrl, true);
  assert.equal(filter.limit, undefined);
});
