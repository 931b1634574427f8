/**
 * The server-default ("predefined") push rules of spec v1.19, in the order the spec lists them
 * (Client-Server API, "Push Rules" > "Predefined Rules"). Since v1.17 (MSC4210) there are no
 * legacy body-mention rules: `.m.rule.contains_display_name`, `.m.rule.roomnotif` and the
 * content rule `.m.rule.contains_user_name` are gone, so the content list is empty and the
 * display name plays no part here.
 */
import type { PushAction, PushCondition, PushRule, PushRuleset } from './types.js';

export const MASTER_RULE_ID = '.m.rule.master';

const NOTIFY_DEFAULT_SOUND: readonly PushAction[] = ['notify', { set_tweak: 'sound', value: 'default' }];

const match = (key: string, pattern: string): PushCondition => ({ kind: 'event_match', key, pattern });
const propertyIs = (key: string, value: string | boolean): PushCondition => ({ kind: 'event_property_is', key, value });
const memberCount = (is: string): PushCondition => ({ kind: 'room_member_count', is });

function rule(ruleId: string, conditions: PushCondition[], actions: readonly PushAction[], enabled = true): PushRule {
  return { rule_id: ruleId, default: true, enabled, conditions, actions: [...actions] };
}

function overrideRules(userId: string): PushRule[] {
  return [
    rule(MASTER_RULE_ID, [], [], false),
    rule('.m.rule.suppress_notices', [match('content.msgtype', 'm.notice')], []),
    rule(
      '.m.rule.invite_for_me',
      [match('type', 'm.room.member'), match('content.membership', 'invite'), match('state_key', userId)],
      NOTIFY_DEFAULT_SOUND,
    ),
    rule('.m.rule.member_event', [match('type', 'm.room.member')], []),
    rule(
      '.m.rule.is_user_mention',
      [{ kind: 'event_property_contains', key: 'content.m\\.mentions.user_ids', value: userId }],
      [...NOTIFY_DEFAULT_SOUND, { set_tweak: 'highlight' }],
    ),
    rule(
      '.m.rule.is_room_mention',
      [propertyIs('content.m\\.mentions.room', true), { kind: 'sender_notification_permission', key: 'room' }],
      ['notify', { set_tweak: 'highlight' }],
    ),
    rule('.m.rule.tombstone', [match('type', 'm.room.tombstone'), match('state_key', '')], [
      'notify',
      { set_tweak: 'highlight' },
    ]),
    rule('.m.rule.reaction', [match('type', 'm.reaction')], []),
    rule('.m.rule.room.server_acl', [match('type', 'm.room.server_acl'), match('state_key', '')], []),
    rule('.m.rule.suppress_edits', [propertyIs('content.m\\.relates_to.rel_type', 'm.replace')], []),
  ];
}

function underrideRules(): PushRule[] {
  return [
    rule('.m.rule.call', [match('type', 'm.call.invite')], ['notify', { set_tweak: 'sound', value: 'ring' }]),
    rule(
      '.m.rule.encrypted_room_one_to_one',
      [memberCount('2'), match('type', 'm.room.encrypted')],
      NOTIFY_DEFAULT_SOUND,
    ),
    rule('.m.rule.room_one_to_one', [memberCount('2'), match('type', 'm.room.message')], NOTIFY_DEFAULT_SOUND),
    rule('.m.rule.message', [match('type', 'm.room.message')], ['notify']),
    rule('.m.rule.encrypted', [match('type', 'm.room.encrypted')], ['notify']),
  ];
}

/** The predefined rule set for `userId`: fresh objects on every call, so callers may keep them. */
export function defaultPushRules(userId: string): PushRuleset {
  return { override: overrideRules(userId), content: [], room: [], sender: [], underride: underrideRules() };
}
