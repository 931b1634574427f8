import type { UserId } from '../../core/ids.js';
import type { JsonObject } from '../../core/json.js';
import { defaultPushRules } from '../../core/push-rules/default-rules.js';
import type { PushAction, PushRule, PushRuleKind, PushRuleset, UserPushRules } from '../../core/push-rules/types.js';
import { emptyUserPushRules } from '../../core/push-rules/types.js';
import {
  deleteRule, getRule, mergeRules, putRule, setActions, setEnabled, type RulePosition,
} from '../../core/push-rules/user-rules.js';
import { validateActionsBody, validateEnabledBody, validateNewRule } from '../../core/push-rules/validate.js';
import type { Store } from '../../storage/store.js';
import type { Notifier } from '../notifier.js';
import type { Requester } from '../requester.js';

/** The account data type under which clients also see their push rules (in /sync). */
export const PUSH_RULES_TYPE = 'm.push_rules';

/**
 * The push rule API (`/pushrules/...`). Only the user's own rules and their changes to the
 * server defaults are stored; what is served is always merged with the current defaults.
 */
export class PushRules {
  constructor(private readonly deps: { store: Store; notifier: Notifier }) {}

  /** `GET /pushrules/`; also the content of the `m.push_rules` account data. */
  async all(userId: UserId): Promise<{ global: PushRuleset }> {
    return { global: await this.ruleset(userId) };
  }

  /** `GET /pushrules/global/`: the user's merged ruleset (what notifications are evaluated against). */
  async ruleset(userId: UserId): Promise<PushRuleset> {
    return mergeRules(defaultPushRules(userId), await this.userRules(userId));
  }

  /** The merged rulesets of many users, read in one query (push evaluation of one event for a room's members). */
  async rulesets(userIds: readonly UserId[]): Promise<Map<UserId, PushRuleset>> {
    const stored = await this.deps.store.pushRules.getMany(userIds);
    return new Map(userIds.map((u) => [u, mergeRules(defaultPushRules(u), stored.get(u) ?? emptyUserPushRules())]));
  }

  async rule(requester: Requester, kind: PushRuleKind, ruleId: string): Promise<PushRule> {
    return getRule(await this.ruleset(requester.userId), kind, ruleId);
  }

  async enabled(requester: Requester, kind: PushRuleKind, ruleId: string): Promise<{ enabled: boolean }> {
    return { enabled: (await this.rule(requester, kind, ruleId)).enabled };
  }

  async actions(requester: Requester, kind: PushRuleKind, ruleId: string): Promise<{ actions: readonly PushAction[] }> {
    return { actions: (await this.rule(requester, kind, ruleId)).actions };
  }

  async put(requester: Requester, kind: PushRuleKind, ruleId: string, body: unknown, position: RulePosition): Promise<void> {
    const rule = validateNewRule(kind, ruleId, body);
    await this.update(requester.userId, (rules) => putRule(rules, kind, rule, position));
  }

  async delete(requester: Requester, kind: PushRuleKind, ruleId: string): Promise<void> {
    await this.update(requester.userId, (rules) => deleteRule(rules, kind, ruleId));
  }

  async setEnabled(requester: Requester, kind: PushRuleKind, ruleId: string, body: unknown): Promise<void> {
    const enabled = validateEnabledBody(body);
    const defaults = defaultPushRules(requester.userId);
    await this.update(requester.userId, (rules) => setEnabled(rules, defaults, { kind, ruleId }, enabled));
  }

  async setActions(requester: Requester, kind: PushRuleKind, ruleId: string, body: unknown): Promise<void> {
    const actions = validateActionsBody(body);
    const defaults = defaultPushRules(requester.userId);
    await this.update(requester.userId, (rules) => setActions(rules, defaults, { kind, ruleId }, actions));
  }

  private async userRules(userId: UserId): Promise<UserPushRules> {
    return (await this.deps.store.pushRules.get(userId)) ?? emptyUserPushRules();
  }

  /**
   * Read-modify-write of the user's rules, also written as `m.push_rules` account data so that
   * /sync delivers the change. The account data position is taken first: its counter row lock
   * (PostgreSQL) serialises concurrent updates, so none is lost.
   */
  private async update(userId: UserId, change: (rules: UserPushRules) => UserPushRules): Promise<void> {
    const pos = await this.deps.store.transaction(async (tx) => {
      const pos = await tx.counters.next('account_data');
      const rules = change((await tx.pushRules.get(userId)) ?? emptyUserPushRules());
      await tx.pushRules.put(userId, rules);
      const content = { global: mergeRules(defaultPushRules(userId), rules) } as unknown as JsonObject;
      await tx.accountData.put({ userId, roomId: '', type: PUSH_RULES_TYPE, content, pos });
      return pos;
    });
    this.deps.notifier.announce({ pos, userIds: [userId] });
  }
}
