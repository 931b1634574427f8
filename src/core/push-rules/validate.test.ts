import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrCode, MatrixError, type ErrCodeValue } from '../errors.js';
import { validateActions, validateActionsBody, validateEnabledBody, validateNewRule } from './validate.js';

function rejects(fn: () => unknown, status: number, errcode: ErrCodeValue): void {
  assert.throws(fn, (err: unknown) => err instanceof MatrixError && err.status === status && err.errcode === errcode);
}

test('validateNewRule: an override rule, enabled, historical actions stripped', () => {
  const body = {
    conditions: [
      { kind: 'event_match', key: 'content.body', pattern: 'beer', extra: 1 },
      { kind: 'room_member_count', is: '<=10' },
    ],
    actions: ['notify', 'dont_notify', { set_tweak: 'sound', value: 'beeroclock.wav' }],
  };
  assert.deepEqual(validateNewRule('override', 'beer', body), {
    rule_id: 'beer',
    enabled: true,
    actions: ['notify', { set_tweak: 'sound', value: 'beeroclock.wav' }],
    conditions: [
      { kind: 'event_match', key: 'content.body', pattern: 'beer' },
      { kind: 'room_member_count', is: '<=10' },
    ],
  });
  assert.deepEqual(validateNewRule('underride', 'all', { actions: [] }), { rule_id: 'all', enabled: true, actions: [], conditions: [] });
});

test('validateNewRule: content, room and sender rules keep only their own fields', () => {
  assert.deepEqual(validateNewRule('content', 'cake', { pattern: 'cake*lie', actions: ['notify'], conditions: [] }), {
    rule_id: 'cake',
    enabled: true,
    actions: ['notify'],
    pattern: 'cake*lie',
  });
  assert.deepEqual(validateNewRule('room', '!dj234r78wl45Gh4D:matrix.org', { actions: [], pattern: 'x' }), {
    rule_id: '!dj234r78wl45Gh4D:matrix.org',
    enabled: true,
    actions: [],
  });
  assert.deepEqual(validateNewRule('sender', '@spambot:matrix.org', { actions: [] }).rule_id, '@spambot:matrix.org');
});

test('validateNewRule: conditions of unknown kinds are kept whole', () => {
  const future = { kind: 'org.example.related', rel_type: 'm.thread', include_fallbacks: false };
  assert.deepEqual(validateNewRule('override', 'f', { actions: [], conditions: [future] }).conditions, [future]);
});

test('validateNewRule: forbidden rule IDs are 400 M_INVALID_PARAM', () => {
  for (const [kind, id] of [
    ['override', '.m.rule.master'],
    ['override', '.mine'],
    ['override', 'a/b'],
    ['content', 'a\\b'],
    ['underride', ''],
    ['room', '@not-a-room:hs1'],
    ['sender', '!not-a-user:hs1'],
    ['sender', 'alice'],
  ] as const) {
    rejects(() => validateNewRule(kind, id, { actions: [], pattern: 'x' }), 400, ErrCode.invalidParam);
  }
});

test('validateNewRule: missing fields are 400 M_MISSING_PARAM, malformed ones 400 M_BAD_JSON', () => {
  rejects(() => validateNewRule('override', 'r', {}), 400, ErrCode.missingParam);
  rejects(() => validateNewRule('content', 'r', { actions: [] }), 400, ErrCode.missingParam);
  const bad: unknown[] = [
    null,
    [],
    'actions',
    { actions: 'notify' },
    { actions: ['shout'] },
    { actions: [{ tweak: 'sound' }] },
    { actions: [], conditions: {} },
    { actions: [], conditions: ['event_match'] },
    { actions: [], conditions: [{ key: 'type', pattern: 'x' }] },
    { actions: [], conditions: [{ kind: 'event_match', key: 'type' }] },
    { actions: [], conditions: [{ kind: 'event_property_is', key: 'content.x', value: { a: 1 } }] },
    { actions: [], conditions: [{ kind: 'event_property_contains', key: 'content.x', value: 1.5 }] },
    { actions: [], conditions: [{ kind: 'event_property_is', key: 'content.x' }] },
    { actions: [], conditions: [{ kind: 'room_member_count', is: 'lots' }] },
    { actions: [], conditions: [{ kind: 'room_member_count', is: 2 }] },
    { actions: [], conditions: [{ kind: 'sender_notification_permission' }] },
  ];
  for (const body of bad) rejects(() => validateNewRule('override', 'r', body), 400, ErrCode.badJson);
  rejects(() => validateNewRule('content', 'r', { actions: [], pattern: 5 }), 400, ErrCode.badJson);
});

test('validateActions and the /actions and /enabled bodies', () => {
  assert.deepEqual(validateActions(['coalesce', 'notify', { set_tweak: 'highlight' }]), ['notify', { set_tweak: 'highlight' }]);
  assert.deepEqual(validateActionsBody({ actions: ['dont_notify'] }), []);
  rejects(() => validateActionsBody({}), 400, ErrCode.missingParam);
  rejects(() => validateActionsBody([]), 400, ErrCode.badJson);
  assert.equal(validateEnabledBody({ enabled: false }), false);
  rejects(() => validateEnabledBody({}), 400, ErrCode.missingParam);
  rejects(() => validateEnabledBody({ enabled: 'yes' }), 400, ErrCode.badJson);
});
