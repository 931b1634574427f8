/**
 * Push rules as the Client-Server API serves them (`GET /pushrules/`, definitions/push_rule*.yaml,
 * push_condition.yaml) and as Hearth stores a user's own changes to them.
 */
import type { JsonObject, JsonValue } from '../json.js';

/** The kinds of rule, in the order they are evaluated. */
export type PushRuleKind = 'override' | 'content' | 'room' | 'sender' | 'underride';
export const PUSH_RULE_KINDS: readonly PushRuleKind[] = ['override', 'content', 'room', 'sender', 'underride'];

export function isPushRuleKind(value: string): value is PushRuleKind {
  return (PUSH_RULE_KINDS as readonly string[]).includes(value);
}

/** `{ "set_tweak": name, "value"?: ... }`; other keys a client sent are kept as they came. */
export interface SetTweakAction {
  readonly set_tweak: string;
  readonly value?: JsonValue;
}

/** `"notify"` (or an action we pass through untouched) or a tweak. */
export type PushAction = string | SetTweakAction;

/**
 * A condition of an `override` or `underride` rule. Which fields are required depends on `kind`;
 * a condition of a kind we do not know is kept whole (it never matches).
 */
export interface PushCondition {
  readonly kind: string;
  readonly key?: string;
  readonly pattern?: string;
  readonly is?: string;
  readonly value?: string | number | boolean | null;
  readonly [extra: string]: JsonValue | undefined;
}

/** One rule as served: `definitions/push_rule.yaml`. */
export interface PushRule {
  readonly rule_id: string;
  readonly default: boolean;
  readonly enabled: boolean;
  readonly actions: readonly PushAction[];
  /** `override` and `underride` rules only. */
  readonly conditions?: readonly PushCondition[];
  /** `content` rules only. */
  readonly pattern?: string;
}

/** `definitions/push_ruleset.yaml`; every list is ordered most important first. */
export type PushRuleset = Readonly<Record<PushRuleKind, readonly PushRule[]>>;

/** A rule the user created with `PUT /pushrules/global/{kind}/{ruleId}`. Its ID never starts with '.'. */
export interface UserPushRule {
  readonly rule_id: string;
  readonly enabled: boolean;
  readonly actions: readonly PushAction[];
  readonly conditions?: readonly PushCondition[];
  readonly pattern?: string;
}

/** The user's changes to one server-default rule (`/enabled` and `/actions`). */
export interface DefaultRuleOverride {
  readonly kind: PushRuleKind;
  readonly rule_id: string;
  readonly enabled?: boolean;
  readonly actions?: readonly PushAction[];
}

/**
 * Everything a user changed, JSON-serialisable for storage: their own rules per kind, most
 * important first, and their changes to server-default rules. Defaults themselves are never
 * stored, so a server upgrade that changes them reaches every user.
 */
export interface UserPushRules {
  readonly rules: Readonly<Record<PushRuleKind, readonly UserPushRule[]>>;
  readonly defaults: readonly DefaultRuleOverride[];
}

export function emptyUserPushRules(): UserPushRules {
  return { rules: { override: [], content: [], room: [], sender: [], underride: [] }, defaults: [] };
}

/** The minimal shape of an event that push rules read; `RoomEvent` is one. */
export interface PushEvent {
  readonly type: string;
  readonly sender: string;
  readonly room_id: string;
  readonly content: JsonObject;
  readonly state_key?: string;
}
