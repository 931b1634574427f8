import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RoomId, UserId } from '../ids.js';
import { getRoomVersion } from '../room-versions.js';
import { checkMembershipTemplate, leaveEventFromTemplate, type ExpectedTemplate } from './membership-template.js';

const ROOM = '!room:remote.test' as RoomId;
const USER = '@me:hearth.test' as UserId;
const PREV = '$prevprevprevprevprevprevprevprevprevprevpre';
const AUTH = '$authauthauthauthauthauthauthauthauthauthaut';
const expected: ExpectedTemplate = { roomId: ROOM, userId: USER, membership: 'leave', roomVersion: '10' };

/** A make_leave answer as the spec's example has it, with one field replaced. */
function answer(event: Record<string, unknown> = {}, roomVersion: unknown = '10'): unknown {
  return {
    room_version: roomVersion,
    event: {
      type: 'm.room.member', room_id: ROOM, sender: USER, state_key: USER, content: { membership: 'leave' },
      origin: 'remote.test', origin_server_ts: 1_700_000_000_000, depth: 7, prev_events: [PREV], auth_events: [AUTH],
      ...event,
    },
  };
}

describe('checkMembershipTemplate', () => {
  it('takes the room version and graph position of a well-formed template', () => {
    assert.deepEqual(checkMembershipTemplate(answer(), expected), {
      ok: true, template: { version: getRoomVersion('10'), depth: 7, prevEvents: [PREV], authEvents: [AUTH] },
    });
  });

  const refusals: [string, unknown, string][] = [
    ['no event', { room_version: '10' }, 'no event template'],
    ['not an object', [200, {}], 'no event template'],
    ['another room version', answer({}, '11'), 'unexpected room version'],
    ['an unsupported room version', answer({}, '1'), 'unexpected room version'],
    ['no room version', { event: (answer() as { event: unknown }).event }, 'unexpected room version'],
    ['another type', answer({ type: 'm.room.message' }), 'not a membership event'],
    ['another room', answer({ room_id: '!other:remote.test' }), 'another room'],
    ['another sender', answer({ sender: '@evil:remote.test' }), 'another user'],
    ['another state key', answer({ state_key: '@other:hearth.test' }), 'another user'],
    ['a join', answer({ content: { membership: 'join' } }), 'not a leave'],
    ['no content', answer({ content: 'leave' }), 'not a leave'],
    ['a fractional depth', answer({ depth: 1.5 }), 'no valid depth'],
    ['a negative depth', answer({ depth: -1 }), 'no valid depth'],
    ['a string depth', answer({ depth: '7' }), 'no valid depth'],
    ['prev_events not a list', answer({ prev_events: PREV }), 'no valid prev_events or auth_events'],
    ['a number among auth_events', answer({ auth_events: [AUTH, 3] }), 'no valid prev_events or auth_events'],
    ['an auth event that is no event ID', answer({ auth_events: ['not-an-id'] }), 'no valid prev_events or auth_events'],
  ];
  for (const [title, value, reason] of refusals) {
    it(`refuses ${title}`, () => {
      assert.deepEqual(checkMembershipTemplate(value, expected), { ok: false, reason });
    });
  }
});

describe('leaveEventFromTemplate', () => {
  const checked = checkMembershipTemplate(answer({ content: { membership: 'leave', displayname: 'planted' }, extra: 'planted' }), expected);
  assert.ok(checked.ok);

  it('is the leave in the template\'s place, from this server, with the reason; nothing else of the template', () => {
    const event = leaveEventFromTemplate(checked.template, { roomId: ROOM, userId: USER, reason: 'no thanks', origin: 'hearth.test', originServerTs: 5 });
    assert.deepEqual(event, {
      type: 'm.room.member', room_id: ROOM, sender: USER, state_key: USER, content: { membership: 'leave', reason: 'no thanks' },
      depth: 7, prev_events: [PREV], auth_events: [AUTH], origin: 'hearth.test', origin_server_ts: 5,
    });
  });

  it('has no reason when none was given', () => {
    const event = leaveEventFromTemplate(checked.template, { roomId: ROOM, userId: USER, origin: 'hearth.test', originServerTs: 5 });
    assert.deepEqual(event.content, { membership: 'leave' });
  });
});
