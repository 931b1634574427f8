import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateAgainstSpec } from '../../../test/helpers/spec-schema.js';
import { defaultPushRules } from './default-rules.js';
import { findRule, mergeRules } from './user-rules.js';
import { emptyUserPushRules } from './types.js';
import { ME } from './test-support.js';

test('defaultPushRules: the v1.19 rule IDs, kinds and order', () => {
  const rules = defaultPushRules(ME);
  assert.deepEqual(
    rules.override.map((r) => r.rule_id),
    [
      '.m.rule.master',
      '.m.rule.suppress_notices',
      '.m.rule.invite_for_me',
      '.m.rule.member_event',
      '.m.rule.is_user_mention',
      '.m.rule.is_room_mention',
      '.m.rule.tombstone',
      '.m.rule.reaction',
      '.m.rule.room.server_acl',
      '.m.rule.suppress_edits',
    ],
  );
  // v1.17 (MSC4210) removed the legacy body-mention rules, the only content rule among them.
  assert.deepEqual(rules.content, []);
  assert.deepEqual(rules.room, []);
  assert.deepEqual(rules.sender, []);
  assert.deepEqual(
    rules.underride.map((r) => r.rule_id),
    ['.m.rule.call', '.m.rule.encrypted_room_one_to_one', '.m.rule.room_one_to_one', '.m.rule.message', '.m.rule.encrypted'],
  );
  const all = [...rules.override, ...rules.underride];
  assert.ok(all.every((r) => r.default && r.conditions !== undefined && r.pattern === undefined));
  assert.deepEqual(all.filter((r) => !r.enabled).map((r) => r.rule_id), ['.m.rule.master']);
});

test('defaultPushRules: definitions carry the user ID where the spec says', () => {
  const rules = defaultPushRules(ME);
  assert.deepEqual(findRule(rules, 'override', '.m.rule.invite_for_me'), {
    rule_id: '.m.rule.invite_for_me',
    default: true,
    enabled: true,
    conditions: [
      { kind: 'event_match', key: 'type', pattern: 'm.room.member' },
      { kind: 'event_match', key: 'content.membership', pattern: 'invite' },
      { kind: 'event_match', key: 'state_key', pattern: ME },
    ],
    actions: ['notify', { set_tweak: 'sound', value: 'default' }],
  });
  assert.deepEqual(findRule(rules, 'override', '.m.rule.is_user_mention')?.conditions, [
    { kind: 'event_property_contains', key: 'content.m\\.mentions.user_ids', value: ME },
  ]);
  assert.deepEqual(findRule(rules, 'override', '.m.rule.is_user_mention')?.actions, [
    'notify',
    { set_tweak: 'sound', value: 'default' },
    { set_tweak: 'highlight' },
  ]);
  assert.deepEqual(findRule(rules, 'underride', '.m.rule.call')?.actions, ['notify', { set_tweak: 'sound', value: 'ring' }]);
  assert.deepEqual(findRule(rules, 'underride', '.m.rule.message')?.actions, ['notify']);
});

test('defaultPushRules: fresh objects on every call', () => {
  const a = defaultPushRules(ME);
  const b = defaultPushRules(ME);
  assert.deepEqual(a, b);
  assert.notEqual(a.override[0], b.override[0]);
});

test('GET /pushrules/ body built from the defaults validates against the spec schema', () => {
  const body = { global: mergeRules(defaultPushRules(ME), emptyUserPushRules()) };
  const result = validateAgainstSpec({ method: 'GET', url: '/_matrix/client/v3/pushrules/', status: 200, body });
  assert.deepEqual(result, { ok: true });
  // And the schema does check something: a rule without `default` fails.
  const broken = { global: { ...body.global, override: [{ rule_id: 'x', enabled: true, actions: [] }] } };
  assert.equal(validateAgainstSpec({ method: 'GET', url: '/_matrix/client/v3/pushrules/', status: 200, body: broken }).ok, false);
});
