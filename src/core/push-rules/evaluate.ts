/**
 * Which rule applies to an event for one recipient, and what it asks for. The first enabled
 * rule that matches, in the order override, content, room, sender, underride (each list most
 * important first), decides; if none matches there is no notification.
 */
import type { JsonValue } from '../json.js';
import { bodyMatches, conditionMatches, type PushContext } from './conditions.js';
import type { GlobBudget } from './glob.js';
import { PUSH_RULE_KINDS, type PushAction, type PushEvent, type PushRule, type PushRuleKind, type PushRuleset } from './types.js';

export type { PushContext } from './conditions.js';

export interface PushEvaluation {
  /** The event counts towards `notification_count`. */
  readonly notify: boolean;
  /** The event also counts towards `highlight_count`: notify and a true `highlight` tweak. */
  readonly highlight: boolean;
  /** The matched rule's actions, historical `dont_notify` and `coalesce` removed. */
  readonly actions: readonly PushAction[];
  /** The tweaks those actions set, later ones winning; `highlight` given without a value is true. */
  readonly tweaks: Readonly<Record<string, JsonValue>>;
  /** The rule that decided, if any did. */
  readonly rule?: { readonly kind: PushRuleKind; readonly rule_id: string };
}

/**
 * The glob work (glob.ts word operations) one event's evaluation for one recipient may spend,
 * about 3 ms: a thousand-character message against a hundred rules of short patterns uses a
 * tenth of it. Once spent, the remaining glob conditions do not match, so a user whose rules
 * are too costly loses notifications rather than everyone losing the server.
 */
export const PUSH_MATCH_BUDGET = 1 << 18;

const NOTHING: PushEvaluation = { notify: false, highlight: false, actions: [], tweaks: {} };
/** Older spec versions' actions, which the spec says to ignore. */
const HISTORICAL_ACTIONS: ReadonlySet<string> = new Set(['dont_notify', 'coalesce']);

/**
 * Evaluate `ruleset` (as `mergeRules` builds it) against `event` for `ctx.userId`. A user is
 * never notified of their own events.
 */
export function evaluatePushRules(ruleset: PushRuleset, event: PushEvent, ctx: PushContext): PushEvaluation {
  if (event.sender === ctx.userId) return NOTHING;
  const budget: GlobBudget = { remaining: PUSH_MATCH_BUDGET };
  for (const kind of PUSH_RULE_KINDS) {
    for (const rule of ruleset[kind]) {
      if (rule.enabled && ruleMatches(kind, rule, event, ctx, budget)) return outcome(kind, rule);
    }
  }
  return NOTHING;
}

export function ruleMatches(kind: PushRuleKind, rule: PushRule, event: PushEvent, ctx: PushContext, budget?: GlobBudget): boolean {
  switch (kind) {
    case 'override':
    case 'underride':
      return (rule.conditions ?? []).every((condition) => conditionMatches(condition, event, ctx, budget));
    case 'content':
      return typeof rule.pattern === 'string' && bodyMatches(rule.pattern, event, budget);
    case 'room':
      return event.room_id === rule.rule_id;
    case 'sender':
      return event.sender === rule.rule_id;
  }
}

/** Drop the historical actions (the spec: `["dont_notify"]` is the same as `[]`). */
export function stripHistoricalActions(actions: readonly PushAction[]): PushAction[] {
  return actions.filter((action) => typeof action !== 'string' || !HISTORICAL_ACTIONS.has(action));
}

/** The tweaks `actions` set, later ones winning (also what a push gateway is sent). */
export function tweaksOf(actions: readonly PushAction[]): Record<string, JsonValue> {
  const tweaks: Record<string, JsonValue> = {};
  for (const action of actions) {
    if (typeof action === 'string' || typeof action.set_tweak !== 'string') continue;
    if (action.set_tweak === '__proto__') continue; // would replace the object's prototype
    // Defined with no value, `highlight` is true; other tweaks without a value carry none.
    if (action.value !== undefined) tweaks[action.set_tweak] = action.value;
    else if (action.set_tweak === 'highlight') tweaks['highlight'] = true;
  }
  return tweaks;
}

function outcome(kind: PushRuleKind, rule: PushRule): PushEvaluation {
  const actions = stripHistoricalActions(rule.actions);
  const tweaks = tweaksOf(actions);
  const notify = actions.includes('notify');
  return {
    notify,
    highlight: notify && tweaks['highlight'] === true,
    actions,
    tweaks,
    rule: { kind, rule_id: rule.rule_id },
  };
}
