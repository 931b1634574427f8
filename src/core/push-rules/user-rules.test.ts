import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrCode, MatrixError, type ErrCodeValue } from '../errors.js';
import { validateAgainstSpec } from '../../../test/helpers/spec-schema.js';
import { defaultPushRules } from './default-rules.js';
import { evaluatePushRules } from './evaluate.js';
import { deleteRule, findRule, getRule, insertRule, mergeRules, putRule, setActions, setEnabled } from './user-rules.js';
import { emptyUserPushRules, type UserPushRule } from './types.js';
import { validateNewRule } from './validate.js';
import { context, message, ME, OTHER, ROOM } from './test-support.js';

const DEFAULTS = defaultPushRules(ME);

function rejects(fn: () => unknown, status: number, errcode: ErrCodeValue): void {
  assert.throws(fn, (err: unknown) => err instanceof MatrixError && err.status === status && err.errcode === errcode);
}

const rule = (id: string, enabled = true): UserPushRule => ({ rule_id: id, enabled, actions: ['notify'], conditions: [] });
const ids = (list: readonly { rule_id: string }[]) => list.map((r) => r.rule_id);

test('insertRule: a new rule without position becomes the most important', () => {
  let list = insertRule([], rule('a'));
  list = insertRule(list, rule('b'));
  list = insertRule(list, rule('c'));
  assert.deepEqual(ids(list), ['c', 'b', 'a']);
});

test('insertRule: before makes it the next more important, after the next less important', () => {
  const list = [rule('a'), rule('b'), rule('c')];
  assert.deepEqual(ids(insertRule(list, rule('x'), { before: 'a' })), ['x', 'a', 'b', 'c']);
  assert.deepEqual(ids(insertRule(list, rule('x'), { before: 'c' })), ['a', 'b', 'x', 'c']);
  assert.deepEqual(ids(insertRule(list, rule('x'), { after: 'a' })), ['a', 'x', 'b', 'c']);
  assert.deepEqual(ids(insertRule(list, rule('x'), { after: 'c' })), ['a', 'b', 'c', 'x']);
  // Both given: `before` decides, as the spec says.
  assert.deepEqual(ids(insertRule(list, rule('x'), { before: 'b', after: 'c' })), ['a', 'x', 'b', 'c']);
  // Empty query values count as absent.
  assert.deepEqual(ids(insertRule(list, rule('x'), { before: '', after: '' })), ['x', 'a', 'b', 'c']);
  assert.deepEqual(ids(list), ['a', 'b', 'c'], 'the input is not mutated');
});

test('insertRule: updating keeps place and enabled state unless moved', () => {
  const list = [rule('a'), rule('b', false), rule('c')];
  const updated = insertRule(list, { ...rule('b'), actions: [] });
  assert.deepEqual(ids(updated), ['a', 'b', 'c']);
  assert.deepEqual(updated[1], { rule_id: 'b', enabled: false, actions: [], conditions: [] });
  assert.deepEqual(ids(insertRule(list, rule('b'), { after: 'c' })), ['a', 'c', 'b']);
  assert.deepEqual(ids(insertRule(list, rule('c'), { before: 'a' })), ['c', 'a', 'b']);
});

test('insertRule: an unknown or server-default anchor is the spec\'s 400 M_UNKNOWN', () => {
  const list = [rule('a')];
  rejects(() => insertRule(list, rule('x'), { before: 'nope' }), 400, ErrCode.unknown);
  rejects(() => insertRule(list, rule('x'), { after: '.m.rule.message' }), 400, ErrCode.unknown);
  rejects(() => insertRule(list, rule('a'), { before: 'a' }), 400, ErrCode.unknown);
});

test('mergeRules: master first, then user rules, then the other defaults of each kind', () => {
  let user = emptyUserPushRules();
  const custom = [{ kind: 'event_match', key: 'type', pattern: 'm.custom' }];
  user = putRule(user, 'override', validateNewRule('override', 'mine', { actions: ['notify'], conditions: custom }));
  user = putRule(user, 'underride', validateNewRule('underride', 'late', { actions: [] }));
  user = putRule(user, 'content', validateNewRule('content', 'cake', { actions: ['notify'], pattern: 'cake' }));
  user = putRule(user, 'room', validateNewRule('room', ROOM, { actions: [] }));
  user = putRule(user, 'sender', validateNewRule('sender', OTHER, { actions: ['notify'] }));
  const merged = mergeRules(DEFAULTS, user);
  assert.deepEqual(ids(merged.override).slice(0, 3), ['.m.rule.master', 'mine', '.m.rule.suppress_notices']);
  assert.deepEqual(ids(merged.underride), ['late', ...ids(DEFAULTS.underride)]);
  assert.deepEqual(merged.content, [{ rule_id: 'cake', default: false, enabled: true, actions: ['notify'], pattern: 'cake' }]);
  assert.deepEqual(merged.room, [{ rule_id: ROOM, default: false, enabled: true, actions: [] }]);
  assert.deepEqual(getRule(merged, 'override', 'mine'), { rule_id: 'mine', default: false, enabled: true, actions: ['notify'], conditions: custom });
  const body = { global: merged };
  assert.deepEqual(validateAgainstSpec({ method: 'GET', url: '/_matrix/client/v3/pushrules/', status: 200, body }), { ok: true });
  const one = getRule(merged, 'content', 'cake');
  assert.deepEqual(validateAgainstSpec({ method: 'GET', url: '/_matrix/client/v3/pushrules/global/content/cake', status: 200, body: one }), { ok: true });
  // The room rule silences the room, even 1:1 messages; the sender rule is below it.
  assert.equal(evaluatePushRules(merged, message(), context({ roomMemberCount: 2 })).rule?.rule_id, ROOM);
  // A content rule matches a word of the body before any underride rule.
  const cake = evaluatePushRules(merged, message({ body: 'Cake time' }, { room_id: '!other:hs1' }), context());
  assert.equal(cake.rule?.rule_id, 'cake');
});

test('setEnabled: disabling a default rule changes only that user\'s merged set', () => {
  const user = setEnabled(emptyUserPushRules(), DEFAULTS, { kind: 'override', ruleId: '.m.rule.suppress_notices' }, false);
  assert.deepEqual(user.defaults, [{ kind: 'override', rule_id: '.m.rule.suppress_notices', enabled: false }]);
  const merged = mergeRules(DEFAULTS, user);
  assert.equal(findRule(merged, 'override', '.m.rule.suppress_notices')?.enabled, false);
  assert.equal(findRule(DEFAULTS, 'override', '.m.rule.suppress_notices')?.enabled, true);
  const notice = evaluatePushRules(merged, message({ msgtype: 'm.notice', body: 'beep' }), context());
  assert.equal(notice.notify, true);
  assert.equal(notice.rule?.rule_id, '.m.rule.message');
  const again = setEnabled(user, DEFAULTS, { kind: 'override', ruleId: '.m.rule.suppress_notices' }, true);
  assert.equal(again.defaults.length, 1);
  assert.equal(findRule(mergeRules(DEFAULTS, again), 'override', '.m.rule.suppress_notices')?.enabled, true);
});

test('setEnabled and setActions on user rules; setActions on a default keeps its enabled override', () => {
  let user = putRule(emptyUserPushRules(), 'override', validateNewRule('override', 'mine', { actions: ['notify'] }));
  user = setEnabled(user, DEFAULTS, { kind: 'override', ruleId: 'mine' }, false);
  user = setActions(user, DEFAULTS, { kind: 'override', ruleId: 'mine' }, []);
  assert.deepEqual(user.rules.override, [{ rule_id: 'mine', enabled: false, actions: [], conditions: [] }]);
  const ref = { kind: 'underride', ruleId: '.m.rule.message' } as const;
  user = setEnabled(user, DEFAULTS, ref, false);
  user = setActions(user, DEFAULTS, ref, ['notify', { set_tweak: 'sound', value: 'ping' }]);
  assert.deepEqual(findRule(mergeRules(DEFAULTS, user), 'underride', '.m.rule.message'), {
    rule_id: '.m.rule.message',
    default: true,
    enabled: false,
    conditions: [{ kind: 'event_match', key: 'type', pattern: 'm.room.message' }],
    actions: ['notify', { set_tweak: 'sound', value: 'ping' }],
  });
});

test('unknown rules are 404 M_NOT_FOUND; default rules cannot be deleted', () => {
  const user = emptyUserPushRules();
  rejects(() => setEnabled(user, DEFAULTS, { kind: 'override', ruleId: 'nope' }, false), 404, ErrCode.notFound);
  rejects(() => setActions(user, DEFAULTS, { kind: 'content', ruleId: '.m.rule.message' }, []), 404, ErrCode.notFound);
  rejects(() => getRule(mergeRules(DEFAULTS, user), 'sender', OTHER), 404, ErrCode.notFound);
  rejects(() => deleteRule(user, 'underride', '.m.rule.message'), 404, ErrCode.notFound);
  const withRule = putRule(user, 'sender', validateNewRule('sender', OTHER, { actions: [] }));
  assert.deepEqual(deleteRule(withRule, 'sender', OTHER), user);
});
