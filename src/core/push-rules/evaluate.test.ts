import { test } from 'node:test';
import assert from 'node:assert/strict';
import { conditionMatches, memberCountMatches } from './conditions.js';
import { defaultPushRules } from './default-rules.js';
import { evaluatePushRules, PUSH_MATCH_BUDGET } from './evaluate.js';
import { context, message, ME, OTHER, ROOM } from './test-support.js';
import type { PushRule } from './types.js';

const DEFAULTS = defaultPushRules(ME);
const evaluate = (...args: Parameters<typeof message>) => (ctx = context()) => evaluatePushRules(DEFAULTS, message(...args), ctx);

test('a message in a 1:1 room notifies with the default sound, no highlight', () => {
  const result = evaluate()(context({ roomMemberCount: 2 }));
  assert.deepEqual(result, {
    notify: true,
    highlight: false,
    actions: ['notify', { set_tweak: 'sound', value: 'default' }],
    tweaks: { sound: 'default' },
    rule: { kind: 'underride', rule_id: '.m.rule.room_one_to_one' },
  });
});

test('a message in a larger room notifies silently (.m.rule.message)', () => {
  const result = evaluate()(context({ roomMemberCount: 3 }));
  assert.equal(result.notify, true);
  assert.deepEqual(result.tweaks, {});
  assert.equal(result.rule?.rule_id, '.m.rule.message');
});

test('a notice does not notify, even in a 1:1 room', () => {
  const result = evaluate({ msgtype: 'm.notice', body: 'beep' })(context({ roomMemberCount: 2 }));
  assert.equal(result.notify, false);
  assert.equal(result.highlight, false);
  assert.equal(result.rule?.rule_id, '.m.rule.suppress_notices');
});

test('an intentional mention of the user highlights', () => {
  const mention = evaluate({ msgtype: 'm.text', body: 'hi', 'm.mentions': { user_ids: [OTHER, ME] } })();
  assert.equal(mention.notify, true);
  assert.equal(mention.highlight, true);
  assert.deepEqual(mention.tweaks, { sound: 'default', highlight: true });
  assert.equal(mention.rule?.rule_id, '.m.rule.is_user_mention');
  // Since v1.17 the user's name in the body alone is not a mention.
  const bodyOnly = evaluate({ msgtype: 'm.text', body: `hi ${ME} and Me Myself` })();
  assert.equal(bodyOnly.highlight, false);
  assert.equal(bodyOnly.rule?.rule_id, '.m.rule.message');
});

test('@room highlights only when the sender has the notifications.room level', () => {
  const content = { msgtype: 'm.text', body: '@room', 'm.mentions': { room: true } };
  const low = evaluate(content)(context({ powerLevels: { users_default: 0 } }));
  assert.equal(low.highlight, false);
  assert.equal(low.rule?.rule_id, '.m.rule.message');
  const byLevels = evaluate(content)(context({ powerLevels: { users: { [OTHER]: 50 } } }));
  assert.equal(byLevels.rule?.rule_id, '.m.rule.is_room_mention');
  assert.equal(byLevels.highlight, true);
  const custom = { notifications: { room: 20 }, users_default: 10 };
  assert.equal(evaluate(content)(context({ powerLevels: custom })).highlight, false);
  assert.equal(evaluate(content)(context({ powerLevels: custom, senderPowerLevel: 20 })).highlight, true);
  // `"room": "true"` (a string) is not the boolean the rule asks for.
  assert.equal(evaluate({ 'm.mentions': { room: 'true' } })(context({ senderPowerLevel: 100 })).highlight, false);
});

test('the user is never notified of their own events', () => {
  const own = evaluatePushRules(DEFAULTS, message({ body: 'x', 'm.mentions': { user_ids: [ME] } }, { sender: ME }), context());
  assert.deepEqual(own, { notify: false, highlight: false, actions: [], tweaks: {} });
});

test('state events: invites for me, tombstones, member events, ACLs', () => {
  const event = (type: string, stateKey: string, content = {}) =>
    evaluatePushRules(DEFAULTS, message(content, { type, state_key: stateKey }), context());
  const invite = event('m.room.member', ME, { membership: 'invite' });
  assert.equal(invite.rule?.rule_id, '.m.rule.invite_for_me');
  assert.deepEqual([invite.notify, invite.highlight], [true, false]);
  assert.equal(event('m.room.member', '@third:hs1', { membership: 'invite' }).notify, false);
  assert.equal(event('m.room.member', OTHER, { membership: 'join' }).rule?.rule_id, '.m.rule.member_event');
  const tombstone = event('m.room.tombstone', '', { body: 'moved' });
  assert.deepEqual([tombstone.notify, tombstone.highlight], [true, true]);
  assert.equal(event('m.room.tombstone', 'x').notify, false);
  assert.equal(event('m.room.server_acl', '').rule?.rule_id, '.m.rule.room.server_acl');
  assert.equal(event('m.room.topic', '').notify, false);
});

test('reactions and edits are silent; calls ring; encrypted events notify', () => {
  const reaction = evaluatePushRules(DEFAULTS, message({}, { type: 'm.reaction' }), context({ roomMemberCount: 2 }));
  assert.equal(reaction.notify, false);
  const edit = evaluate({ msgtype: 'm.text', body: '* fix', 'm.relates_to': { rel_type: 'm.replace', event_id: '$e' } })();
  assert.equal(edit.rule?.rule_id, '.m.rule.suppress_edits');
  assert.equal(edit.notify, false);
  const call = evaluatePushRules(DEFAULTS, message({}, { type: 'm.call.invite' }), context());
  assert.deepEqual(call.tweaks, { sound: 'ring' });
  const encrypted = (count: number) =>
    evaluatePushRules(DEFAULTS, message({ ciphertext: 'x' }, { type: 'm.room.encrypted' }), context({ roomMemberCount: count }));
  assert.equal(encrypted(2).rule?.rule_id, '.m.rule.encrypted_room_one_to_one');
  assert.equal(encrypted(7).rule?.rule_id, '.m.rule.encrypted');
  assert.equal(evaluatePushRules(DEFAULTS, message({}, { type: 'm.custom' }), context()).notify, false);
});

test('an enabled master rule silences everything', () => {
  const muted = { ...DEFAULTS, override: DEFAULTS.override.map((r) => (r.rule_id === '.m.rule.master' ? { ...r, enabled: true } : r)) };
  const result = evaluatePushRules(muted, message({ body: 'x', 'm.mentions': { user_ids: [ME] } }), context());
  assert.equal(result.notify, false);
  assert.equal(result.rule?.rule_id, '.m.rule.master');
});

test('room_member_count: ==, <, >, <=, >= and the bare number', () => {
  const cases: Array<[string, number, boolean]> = [
    ['2', 2, true], ['2', 3, false], ['==2', 2, true], ['==2', 1, false],
    ['<10', 9, true], ['<10', 10, false], ['>10', 11, true], ['>10', 10, false],
    ['<=10', 10, true], ['<=10', 11, false], ['>=10', 10, true], ['>=10', 9, false],
    ['', 0, false], ['=2', 2, false], ['>= 2', 2, false], ['two', 2, false], ['-1', 0, false],
  ];
  for (const [is, count, expected] of cases) {
    assert.equal(memberCountMatches(is, count), expected, `${is} vs ${count}`);
    assert.equal(conditionMatches({ kind: 'room_member_count', is }, message(), context({ roomMemberCount: count })), expected);
  }
});

test('event_match: strings only, whole values except content.body', () => {
  const match = (key: string, pattern: string, content: Record<string, string | number | null>) =>
    conditionMatches({ kind: 'event_match', key, pattern }, message(content), context());
  assert.equal(match('content.topic', 'lunc?*', { topic: 'Lunch plans' }), true);
  assert.equal(match('content.topic', 'lunch', { topic: 'Lunch plans' }), false);
  assert.equal(match('content.body', 'lunch', { body: 'Lunch plans' }), true);
  assert.equal(match('content.topic', '*', { topic: null }), false);
  assert.equal(match('content.n', '*', { n: 1 }), false);
  assert.equal(match('content.missing', '*', {}), false);
  assert.equal(match('room_id', ROOM, {}), true);
});

test('event_property_is and event_property_contains compare exactly, without casts', () => {
  const is = (value: string | number | boolean | null, content: Record<string, unknown>) =>
    conditionMatches({ kind: 'event_property_is', key: 'content.m\\.federate', value }, message(content as never), context());
  assert.equal(is(true, { 'm.federate': true }), true);
  assert.equal(is(true, { 'm.federate': 'true' }), false);
  assert.equal(is(true, { 'm.federate': 1 }), false);
  assert.equal(is(null, { 'm.federate': null }), true);
  assert.equal(is(null, {}), false);
  assert.equal(is(1, { 'm.federate': 1.5 }), false);
  const contains = (value: string | number, list: unknown) =>
    conditionMatches({ kind: 'event_property_contains', key: 'content.alt_aliases', value }, message({ alt_aliases: list } as never), context());
  assert.equal(contains('#myroom:example.com', ['#somewhere:example.org', '#myroom:example.com']), true);
  assert.equal(contains(':example.com', ['#myroom:example.com']), false);
  assert.equal(contains('#a:b', '#a:b'), false);
  assert.equal(contains(3, [[3], { a: 3 }, 3]), true);
});

test('contains_display_name (deprecated) and unknown conditions', () => {
  const named = (body: string, displayName?: string) =>
    conditionMatches({ kind: 'contains_display_name' }, message({ body }), context({ displayName }));
  assert.equal(named('hey me myself, look', 'Me Myself'), true);
  assert.equal(named('hey me myselfish', 'Me Myself'), false);
  assert.equal(named('anything', ''), false);
  assert.equal(named('anything', undefined), false);
  assert.equal(conditionMatches({ kind: 'org.example.future' }, message(), context()), false);
  assert.equal(conditionMatches({ kind: 'event_match', key: 'type' }, message(), context()), false);
});

test('glob work per evaluation is bounded: once PUSH_MATCH_BUDGET is spent, later glob rules do not match', () => {
  const costly = { default: false, enabled: true, actions: ['notify' as const], pattern: `${'*a'.repeat(255)}*b` };
  const keyword = { rule_id: 'keyword', default: false, enabled: true, actions: ['notify' as const], pattern: 'a*' };
  const event = message({ msgtype: 'm.text', body: 'a'.repeat(10_000) });
  // A costly rule spends 10,000 characters × 17 words: one fits the budget, two do not.
  assert.ok(10_000 * 17 < PUSH_MATCH_BUDGET && 2 * 10_000 * 17 > PUSH_MATCH_BUDGET);
  const only = (content: PushRule[]) => ({ override: [], content, room: [], sender: [], underride: [] });
  const one = only([{ ...costly, rule_id: 'costly1' }, keyword]);
  const two = only([{ ...costly, rule_id: 'costly1' }, { ...costly, rule_id: 'costly2' }, keyword]);
  assert.equal(evaluatePushRules(one, event, context()).rule?.rule_id, 'keyword');
  assert.equal(evaluatePushRules(two, event, context()).rule, undefined);
});
