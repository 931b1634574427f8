import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JsonObject } from '../json.js';
import { ROOM_VERSIONS, type RoomVersion } from '../room-versions.js';
import { redactEvent } from './redaction.js';

const v10 = ROOM_VERSIONS['10'] as RoomVersion;
const v11 = ROOM_VERSIONS['11'] as RoomVersion;

/** An event carrying every top-level key either version might keep or drop. */
function event(type: string, content: JsonObject, extra: JsonObject = {}): JsonObject {
  return {
    type,
    room_id: '!r:hearth.test',
    sender: '@u:hearth.test',
    state_key: '',
    content,
    origin_server_ts: 1,
    depth: 2,
    prev_events: ['$p'],
    auth_events: ['$a'],
    hashes: { sha256: 'h' },
    signatures: { 'hearth.test': { 'ed25519:1': 's' } },
    unsigned: { age_ts: 1 },
    origin: 'hearth.test',
    membership: 'join',
    prev_state: [],
    event_id: '$e',
    unknown_top_level: 1,
    ...extra,
  };
}

/** The content each version keeps for an event of `type` with `content`. */
function redactedContent(type: string, content: JsonObject, rv: RoomVersion): JsonObject {
  return redactEvent(event(type, content), rv).content as JsonObject;
}

describe('redaction: top-level keys', () => {
  const common = ['auth_events', 'content', 'depth', 'event_id', 'hashes', 'origin_server_ts', 'prev_events', 'room_id', 'sender', 'signatures', 'state_key', 'type'];

  it('v10 keeps origin, membership and prev_state; drops unsigned and unknown keys', () => {
    const keys = Object.keys(redactEvent(event('m.room.message', {}), v10)).sort();
    assert.deepEqual(keys, [...common, 'membership', 'origin', 'prev_state'].sort());
  });

  it('v11 drops origin, membership and prev_state too', () => {
    const keys = Object.keys(redactEvent(event('m.room.message', {}), v11)).sort();
    assert.deepEqual(keys, common.sort());
  });

  it('drops top-level redacts in both versions', () => {
    for (const rv of [v10, v11]) {
      assert.equal('redacts' in redactEvent(event('m.room.redaction', {}, { redacts: '$x' }), rv), false);
    }
  });

  it('does not add keys that were absent, except content', () => {
    const minimal = redactEvent({ type: 'm.room.message' }, v11);
    assert.deepEqual(minimal, { type: 'm.room.message', content: {} });
    assert.deepEqual(redactEvent({ type: 'X', content: 'nope' }, v10), { type: 'X', content: {} });
  });

  it('does not modify its input', () => {
    const input = event('m.room.member', { membership: 'join', displayname: 'A' });
    const copy = structuredClone(input);
    redactEvent(input, v11);
    assert.deepEqual(input, copy);
  });
});

describe('redaction: content by event type', () => {
  const cases: Array<{ type: string; content: JsonObject; v10: JsonObject; v11: JsonObject }> = [
    {
      type: 'm.room.member',
      content: {
        membership: 'join',
        join_authorised_via_users_server: '@admin:hearth.test',
        displayname: 'Alice',
        avatar_url: 'mxc://x/y',
        third_party_invite: { display_name: 'alice@example.org', signed: { mxid: '@a:b', token: 't', signatures: {} } },
      },
      v10: { membership: 'join', join_authorised_via_users_server: '@admin:hearth.test' },
      v11: {
        membership: 'join',
        join_authorised_via_users_server: '@admin:hearth.test',
        third_party_invite: { signed: { mxid: '@a:b', token: 't', signatures: {} } },
      },
    },
    {
      type: 'm.room.create',
      content: { creator: '@u:hearth.test', room_version: '10', 'm.federate': false, predecessor: { room_id: '!o:x' } },
      v10: { creator: '@u:hearth.test' },
      v11: { creator: '@u:hearth.test', room_version: '10', 'm.federate': false, predecessor: { room_id: '!o:x' } },
    },
    {
      type: 'm.room.join_rules',
      content: { join_rule: 'restricted', allow: [{ type: 'm.room_membership', room_id: '!s:x' }], extra: 1 },
      v10: { join_rule: 'restricted', allow: [{ type: 'm.room_membership', room_id: '!s:x' }] },
      v11: { join_rule: 'restricted', allow: [{ type: 'm.room_membership', room_id: '!s:x' }] },
    },
    {
      type: 'm.room.power_levels',
      content: {
        ban: 50, events: { 'm.room.name': 50 }, events_default: 0, invite: 0, kick: 50, redact: 50,
        state_default: 50, users: { '@u:hearth.test': 100 }, users_default: 0, notifications: { room: 50 },
      },
      v10: {
        ban: 50, events: { 'm.room.name': 50 }, events_default: 0, kick: 50, redact: 50,
        state_default: 50, users: { '@u:hearth.test': 100 }, users_default: 0,
      },
      v11: {
        ban: 50, events: { 'm.room.name': 50 }, events_default: 0, invite: 0, kick: 50, redact: 50,
        state_default: 50, users: { '@u:hearth.test': 100 }, users_default: 0,
      },
    },
    {
      type: 'm.room.history_visibility',
      content: { history_visibility: 'shared', other: true },
      v10: { history_visibility: 'shared' },
      v11: { history_visibility: 'shared' },
    },
    {
      type: 'm.room.redaction',
      content: { redacts: '$target', reason: 'spam' },
      v10: {},
      v11: { redacts: '$target' },
    },
    {
      // Room versions 6+ no longer protect aliases.
      type: 'm.room.aliases',
      content: { aliases: ['#a:hearth.test'] },
      v10: {},
      v11: {},
    },
    {
      type: 'm.room.message',
      content: { msgtype: 'm.text', body: 'hello', 'm.relates_to': { rel_type: 'm.thread', event_id: '$t' } },
      v10: {},
      v11: {},
    },
    {
      type: 'm.room.name',
      content: { name: 'Room' },
      v10: {},
      v11: {},
    },
  ];

  for (const c of cases) {
    it(`${c.type} in v10`, () => assert.deepEqual(redactedContent(c.type, c.content, v10), c.v10));
    it(`${c.type} in v11`, () => assert.deepEqual(redactedContent(c.type, c.content, v11), c.v11));
  }

  it('v11 member: third_party_invite without signed becomes empty; a non-object is dropped', () => {
    assert.deepEqual(redactedContent('m.room.member', { membership: 'invite', third_party_invite: { display_name: 'x' } }, v11), {
      membership: 'invite',
      third_party_invite: {},
    });
    assert.deepEqual(redactedContent('m.room.member', { membership: 'invite', third_party_invite: 'x' }, v11), {
      membership: 'invite',
    });
  });

  it('keeps only keys that are present', () => {
    assert.deepEqual(redactedContent('m.room.member', { displayname: 'x' }, v10), {});
    assert.deepEqual(redactedContent('m.room.power_levels', { users_default: 0 }, v11), { users_default: 0 });
    assert.deepEqual(redactedContent('m.room.create', {}, v10), {});
  });

  it('keeps falsy and null values of kept keys', () => {
    assert.deepEqual(redactedContent('m.room.power_levels', { ban: 0, users: {}, kick: null }, v10), { ban: 0, users: {}, kick: null });
  });
});
