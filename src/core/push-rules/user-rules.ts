/**
 * A user's push rules: the server defaults, the user's own rules and their changes to defaults,
 * and the pure updates behind `PUT`/`DELETE /pushrules/global/{kind}/{ruleId}[/enabled|/actions]`.
 * Every update returns a new `UserPushRules`; nothing is mutated.
 */
import { invalidParam, notFound, unknownError, type MatrixError } from '../errors.js';
import { MASTER_RULE_ID } from './default-rules.js';
import type { DefaultRuleOverride, PushAction, PushRule, PushRuleKind, PushRuleset, UserPushRule, UserPushRules } from './types.js';

export interface RulePosition {
  /** Make the rule the next more important one than this user rule. Wins over `after`. */
  readonly before?: string | undefined;
  /** Make the rule the next less important one than this user rule. */
  readonly after?: string | undefined;
}

/**
 * A user's own rules, all kinds together. Every rule is evaluated for every event the user may
 * be notified of, so their number bounds that work; 100 is far above what clients create
 * (one per keyword, muted room or muted sender).
 */
export const MAX_USER_PUSH_RULES = 100;

const ruleNotFound = (): MatrixError => notFound('The push rule was not found.');

/**
 * The ruleset served by `GET /pushrules/` and evaluated for notifications. User rules come
 * before the server defaults of their kind, except that `.m.rule.master` stays first of all.
 */
export function mergeRules(defaults: PushRuleset, userRules: UserPushRules): PushRuleset {
  const merged = (kind: PushRuleKind): PushRule[] => {
    const own = userRules.rules[kind].map((rule) => served(kind, rule));
    const server = defaults[kind].map((rule) => applyOverride(rule, findOverride(userRules, kind, rule.rule_id)));
    if (kind !== 'override') return [...own, ...server];
    const master = server.filter((rule) => rule.rule_id === MASTER_RULE_ID);
    return [...master, ...own, ...server.filter((rule) => rule.rule_id !== MASTER_RULE_ID)];
  };
  return {
    override: merged('override'),
    content: merged('content'),
    room: merged('room'),
    sender: merged('sender'),
    underride: merged('underride'),
  };
}

/** A rule of a merged ruleset, or undefined (for `GET .../{kind}/{ruleId}` and friends). */
export function findRule(ruleset: PushRuleset, kind: PushRuleKind, ruleId: string): PushRule | undefined {
  return ruleset[kind].find((rule) => rule.rule_id === ruleId);
}

/** As `findRule`, but 404 `M_NOT_FOUND` when there is no such rule. */
export function getRule(ruleset: PushRuleset, kind: PushRuleKind, ruleId: string): PushRule {
  const rule = findRule(ruleset, kind, ruleId);
  if (!rule) throw ruleNotFound();
  return rule;
}

/**
 * Insert `rule` into a list of user rules, or update the rule of the same ID. `before`/`after`
 * name user rules (server-default rules cannot be anchors); an unknown anchor is the 400
 * `M_UNKNOWN` of the spec's example. Without either, a new rule becomes the most important one
 * and an updated rule keeps its place. An updated rule keeps its `enabled` state: only new
 * rules are enabled by default.
 */
export function insertRule(list: readonly UserPushRule[], rule: UserPushRule, position: RulePosition = {}): UserPushRule[] {
  const oldIndex = list.findIndex((r) => r.rule_id === rule.rule_id);
  const existing = list[oldIndex];
  const updated = existing ? { ...rule, enabled: existing.enabled } : rule;
  const rest = list.filter((r) => r.rule_id !== rule.rule_id);
  const before = position.before || undefined;
  const after = before === undefined ? position.after || undefined : undefined;
  let at: number;
  if (before !== undefined || after !== undefined) {
    const anchor = (before ?? after) as string;
    const anchorIndex = rest.findIndex((r) => r.rule_id === anchor);
    if (anchorIndex === -1) throw unknownError(400, `before/after rule not found: ${anchor}`);
    at = before !== undefined ? anchorIndex : anchorIndex + 1;
  } else {
    at = existing ? oldIndex : 0;
  }
  return [...rest.slice(0, at), updated, ...rest.slice(at)];
}

/** `PUT /pushrules/global/{kind}/{ruleId}` with a rule from `validateNewRule`. */
export function putRule(userRules: UserPushRules, kind: PushRuleKind, rule: UserPushRule, position: RulePosition = {}): UserPushRules {
  const isNew = !userRules.rules[kind].some((r) => r.rule_id === rule.rule_id);
  const count = Object.values(userRules.rules).reduce((sum, list) => sum + list.length, 0);
  if (isNew && count >= MAX_USER_PUSH_RULES) throw invalidParam(`A user has at most ${MAX_USER_PUSH_RULES} push rules`);
  return withList(userRules, kind, insertRule(userRules.rules[kind], rule, position));
}

/** `DELETE /pushrules/global/{kind}/{ruleId}`: user rules only; 404 for anything else. */
export function deleteRule(userRules: UserPushRules, kind: PushRuleKind, ruleId: string): UserPushRules {
  const list = userRules.rules[kind];
  if (!list.some((r) => r.rule_id === ruleId)) throw ruleNotFound();
  return withList(userRules, kind, list.filter((r) => r.rule_id !== ruleId));
}

/** A rule named by kind and ID, as in `/pushrules/global/{kind}/{ruleId}`. */
export interface RuleRef {
  readonly kind: PushRuleKind;
  readonly ruleId: string;
}

/** `PUT .../enabled`, for a user rule or a server-default one; 404 when neither exists. */
export function setEnabled(userRules: UserPushRules, defaults: PushRuleset, ref: RuleRef, enabled: boolean): UserPushRules {
  return change(userRules, defaults, ref, { enabled });
}

/** `PUT .../actions` (actions from `validateActions`), for a user or server-default rule. */
export function setActions(
  userRules: UserPushRules,
  defaults: PushRuleset,
  ref: RuleRef,
  actions: readonly PushAction[],
): UserPushRules {
  return change(userRules, defaults, ref, { actions: [...actions] });
}

type RuleChange = { enabled: boolean } | { actions: PushAction[] };

function change(userRules: UserPushRules, defaults: PushRuleset, { kind, ruleId }: RuleRef, patch: RuleChange): UserPushRules {
  const list = userRules.rules[kind];
  if (list.some((r) => r.rule_id === ruleId)) {
    return withList(userRules, kind, list.map((r) => (r.rule_id === ruleId ? { ...r, ...patch } : r)));
  }
  if (!defaults[kind].some((r) => r.rule_id === ruleId)) throw ruleNotFound();
  const old = findOverride(userRules, kind, ruleId);
  const next: DefaultRuleOverride = { ...old, kind, rule_id: ruleId, ...patch };
  const others = userRules.defaults.filter((o) => o !== old);
  return { ...userRules, defaults: [...others, next] };
}

function withList(userRules: UserPushRules, kind: PushRuleKind, list: UserPushRule[]): UserPushRules {
  return { ...userRules, rules: { ...userRules.rules, [kind]: list } };
}

function findOverride(userRules: UserPushRules, kind: PushRuleKind, ruleId: string): DefaultRuleOverride | undefined {
  return userRules.defaults.find((o) => o.kind === kind && o.rule_id === ruleId);
}

function applyOverride(rule: PushRule, override: DefaultRuleOverride | undefined): PushRule {
  if (!override) return rule;
  return {
    ...rule,
    enabled: override.enabled ?? rule.enabled,
    actions: override.actions ? [...override.actions] : rule.actions,
  };
}

/** A user rule as served: `conditions` only on override/underride, `pattern` only on content. */
function served(kind: PushRuleKind, rule: UserPushRule): PushRule {
  const base = { rule_id: rule.rule_id, default: false, enabled: rule.enabled, actions: [...rule.actions] };
  if (kind === 'override' || kind === 'underride') return { ...base, conditions: [...(rule.conditions ?? [])] };
  if (kind === 'content' && rule.pattern !== undefined) return { ...base, pattern: rule.pattern };
  return base;
}
