/**
 * The redaction algorithm across room versions 3 to 11: what each version's "Redactions"
 * section adds or removes. The events and expected results are Ruma's test data
 * (ruma-common tests/it/canonical_json/redaction.rs, MIT), asked of every version Hearth serves
 * with the versions written out here, not read from the flags under test.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JsonObject } from '../json.js';
import { ROOM_VERSIONS, type RoomVersion } from '../room-versions.js';
import { redactObject } from './redaction.js';

const ALL = ['3', '4', '5', '6', '7', '8', '9', '10', '11'];

function version(id: string): RoomVersion {
  const found = ROOM_VERSIONS[id];
  assert.ok(found, `room version ${id} is served`);
  return found;
}

/** Asserts the redacted form of `original` in each version: `keptIn` gives `kept`, the others `dropped`. */
function expectPerVersion(original: JsonObject, keptIn: readonly string[], kept: JsonObject, dropped: JsonObject): void {
  for (const id of ALL) {
    const expected = keptIn.includes(id) ? kept : dropped;
    assert.deepEqual(redactObject(original, version(id)), expected, `room version ${id}`);
  }
}

const ENVELOPE = {
  event_id: '$143273582443PhrSn',
  origin_server_ts: 1_432_735,
  room_id: '!jEsUZKDJdhlrceRyVU:example.org',
  sender: '@example:example.org',
};

describe('redaction algorithm per room version (Ruma test data)', () => {
  it('the set of served versions is 3 to 11', () => {
    assert.deepEqual(Object.keys(ROOM_VERSIONS).sort((a, b) => Number(a) - Number(b)), ALL);
  });

  it('m.room.aliases keeps `aliases` in v3 to v5 (v1 algorithm), nothing from v6', () => {
    const base = {
      event_id: '$152037280074GZeOm:localhost',
      origin_server_ts: 1,
      sender: '@example:localhost',
      state_key: 'room.com',
      room_id: '!room:room.com',
      type: 'm.room.aliases',
    };
    expectPerVersion(
      { ...base, content: { aliases: ['#somewhere:localhost'] }, unsigned: { age: 1 } },
      ['3', '4', '5'],
      { ...base, content: { aliases: ['#somewhere:localhost'] } },
      { ...base, content: {} },
    );
  });

  it('m.room.join_rules keeps `allow` from v8', () => {
    const base = { ...ENVELOPE, state_key: '', type: 'm.room.join_rules' };
    const allow = [{ room_id: '!other:example.org', type: 'm.room_membership' }];
    expectPerVersion(
      { ...base, content: { join_rule: 'restricted', allow } },
      ['8', '9', '10', '11'],
      { ...base, content: { join_rule: 'restricted', allow } },
      { ...base, content: { join_rule: 'restricted' } },
    );
  });

  it('m.room.member keeps `join_authorised_via_users_server` from v9', () => {
    const base = { ...ENVELOPE, state_key: '@example:example.org', type: 'm.room.member' };
    expectPerVersion(
      {
        ...base,
        content: { membership: 'join', displayname: 'Example', join_authorised_via_users_server: '@alice:example.org' },
        unsigned: { age: 1234 },
      },
      ['9', '10', '11'],
      { ...base, content: { membership: 'join', join_authorised_via_users_server: '@alice:example.org' } },
      { ...base, content: { membership: 'join' } },
    );
  });

  it('origin, membership and prev_state stay top-level keys up to v10', () => {
    const base = { ...ENVELOPE, type: 'm.room.message', content: {} };
    expectPerVersion(
      { ...base, content: { body: 'x' }, origin: 'example.org', membership: 'join', prev_state: [] },
      ['3', '4', '5', '6', '7', '8', '9', '10'],
      { ...base, origin: 'example.org', membership: 'join', prev_state: [] },
      base,
    );
  });

  it('m.room.power_levels keeps the v1 keys, without `invite` and `notifications`, up to v10', () => {
    const base = { ...ENVELOPE, state_key: '', type: 'm.room.power_levels' };
    const v1Keys = { ban: 50, events: { 'm.room.name': 100 }, events_default: 0, kick: 50, redact: 50, state_default: 50, users: { '@example:example.org': 100 }, users_default: 0 };
    expectPerVersion(
      { ...base, content: { ...v1Keys, invite: 0, notifications: { room: 50 } } },
      ['11'],
      { ...base, content: { ...v1Keys, invite: 0 } },
      { ...base, content: v1Keys },
    );
  });
});
