/**
 * Request bodies of the push rule API, checked and normalised (pushrules.yaml). Body errors are
 * 400 `M_BAD_JSON`, a missing required field 400 `M_MISSING_PARAM` (the house mapping of schema
 * errors), a rule ID the spec forbids 400 `M_INVALID_PARAM` (the spec names no code for it).
 */
import { badJson, invalidParam, missingParam } from '../errors.js';
import { parseUserId } from '../ids.js';
import { isJsonObject, type JsonObject, type JsonValue } from '../json.js';
import { stripHistoricalActions } from './evaluate.js';
import type { PushAction, PushCondition, PushRuleKind, SetTweakAction, UserPushRule } from './types.js';

const MEMBER_COUNT = /^(==|<=|>=|<|>)?[0-9]+$/;

/**
 * The longest pattern (and condition key) a rule may carry, in UTF-16 code units. A keyword or a
 * glob of a few words fits many times over; matching costs one word operation per 32 positions
 * per character of the text (glob.ts), so 512 keeps a 64 KiB body under about 1.1 M operations.
 * The spec sets no limit; neither does it forbid one.
 */
export const MAX_PUSH_PATTERN_LENGTH = 512;
/** Conditions per rule: the server's own rules use at most four. */
export const MAX_PUSH_RULE_CONDITIONS = 20;

/**
 * The spec: an ID starting with '.' is reserved for server-default rules, '/' and '\' are not
 * allowed; a room rule's ID is the room's ID and a sender rule's the user's.
 */
export function validateRuleId(kind: PushRuleKind, ruleId: string): void {
  if (ruleId === '') throw invalidParam('rule_id must not be empty');
  if (ruleId.startsWith('.')) throw invalidParam('rule_ids starting with "." are reserved for server-default rules');
  if (/[/\\]/.test(ruleId)) throw invalidParam('rule_id must not contain "/" or "\\"');
  // Room IDs are opaque from room version 12 on (no server name), so only the sigil is checked.
  if (kind === 'room' && (!ruleId.startsWith('!') || ruleId.length < 2)) {
    throw invalidParam('The rule_id of a room rule must be a room ID');
  }
  if (kind === 'sender' && parseUserId(ruleId) === undefined) {
    throw invalidParam('The rule_id of a sender rule must be a user ID');
  }
}

/**
 * The body of `PUT /pushrules/global/{kind}/{ruleId}` as a new, enabled user rule. Only the
 * fields of its kind are kept: `conditions` for override/underride, `pattern` for content.
 */
export function validateNewRule(kind: PushRuleKind, ruleId: string, body: unknown): UserPushRule {
  validateRuleId(kind, ruleId);
  if (!isJsonObject(body)) throw badJson('The push rule must be a JSON object');
  const actions = validateActions(body['actions']);
  switch (kind) {
    case 'override':
    case 'underride':
      return { rule_id: ruleId, enabled: true, actions, conditions: validateConditions(body['conditions']) };
    case 'content': {
      const pattern = body['pattern'];
      if (pattern === undefined) throw missingParam('Content rules need a pattern');
      if (typeof pattern !== 'string') throw badJson('pattern must be a string');
      checkLength('pattern', pattern);
      return { rule_id: ruleId, enabled: true, actions, pattern };
    }
    case 'room':
    case 'sender':
      return { rule_id: ruleId, enabled: true, actions };
  }
}

/** An `actions` array (rule bodies and `PUT .../actions`), historical actions removed. */
export function validateActions(value: unknown): PushAction[] {
  if (value === undefined) throw missingParam('Missing actions');
  if (!Array.isArray(value)) throw badJson('actions must be an array');
  return stripHistoricalActions(value.map(validateAction));
}

function validateAction(action: unknown): PushAction {
  if (action === 'notify' || action === 'dont_notify' || action === 'coalesce') return action;
  if (isJsonObject(action) && typeof action['set_tweak'] === 'string') return { ...action, set_tweak: action['set_tweak'] } satisfies SetTweakAction;
  throw badJson(`Unrecognised action: ${JSON.stringify(action) ?? 'undefined'}`);
}

/** The body of `PUT .../actions`. */
export function validateActionsBody(body: unknown): PushAction[] {
  if (!isJsonObject(body)) throw badJson('The body must be a JSON object');
  return validateActions(body['actions']);
}

/** The body of `PUT .../enabled`. */
export function validateEnabledBody(body: unknown): boolean {
  if (!isJsonObject(body)) throw badJson('The body must be a JSON object');
  const enabled = body['enabled'];
  if (enabled === undefined) throw missingParam('Missing enabled');
  if (typeof enabled !== 'boolean') throw badJson('enabled must be a boolean');
  return enabled;
}

function validateConditions(value: unknown): PushCondition[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw badJson('conditions must be an array');
  if (value.length > MAX_PUSH_RULE_CONDITIONS) throw invalidParam(`A rule has at most ${MAX_PUSH_RULE_CONDITIONS} conditions`);
  return value.map(validateCondition);
}

/**
 * Known kinds must carry their parameters with the right types; conditions of unknown kinds
 * are stored whole (the spec makes them never match, which disables the rule).
 */
function validateCondition(condition: unknown): PushCondition {
  if (!isJsonObject(condition) || typeof condition['kind'] !== 'string') {
    throw badJson('Each condition must be an object with a string kind');
  }
  const kind = condition['kind'];
  switch (kind) {
    case 'event_match':
      return { kind, key: stringField(condition, 'key'), pattern: stringField(condition, 'pattern') };
    case 'event_property_is':
    case 'event_property_contains':
      return { kind, key: stringField(condition, 'key'), value: scalarField(condition, 'value') };
    case 'room_member_count': {
      const is = stringField(condition, 'is');
      if (!MEMBER_COUNT.test(is)) throw badJson('room_member_count needs is: an integer with an optional ==, <, >, <= or >=');
      return { kind, is };
    }
    case 'sender_notification_permission':
      return { kind, key: stringField(condition, 'key') };
    case 'contains_display_name':
      return { kind };
    default:
      return { ...condition, kind };
  }
}

function stringField(condition: JsonObject, field: string): string {
  const value = condition[field];
  if (typeof value !== 'string') throw badJson(`A ${String(condition['kind'])} condition needs a string ${field}`);
  checkLength(field, value);
  return value;
}

function scalarField(condition: JsonObject, field: string): string | number | boolean | null {
  const value: JsonValue | undefined = condition[field];
  const scalar =
    value === null ||
    typeof value === 'string' ||
    typeof value === 'boolean' ||
    (typeof value === 'number' && Number.isSafeInteger(value));
  if (!scalar) {
    throw badJson(`A ${String(condition['kind'])} condition needs a ${field}: a string, integer, boolean or null`);
  }
  return value as string | number | boolean | null;
}

function checkLength(field: string, value: string): void {
  if (value.length > MAX_PUSH_PATTERN_LENGTH) throw invalidParam(`${field} is longer than ${MAX_PUSH_PATTERN_LENGTH} characters`);
}
