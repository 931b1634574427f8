import type { Kysely } from 'kysely';
import type { UserId } from '../../core/ids.js';
import type { UserPushRules } from '../../core/push-rules/types.js';
import type { PushRuleStore } from '../sync-store.js';
import type { Database } from './tables.js';

export class KyselyPushRuleStore implements PushRuleStore {
  constructor(private readonly db: Kysely<Database>) {}

  async get(userId: UserId): Promise<UserPushRules | undefined> {
    const row = await this.db.selectFrom('push_rules').select('json').where('user_id', '=', userId).executeTakeFirst();
    return row ? (JSON.parse(row.json) as UserPushRules) : undefined;
  }

  async getMany(userIds: readonly UserId[]): Promise<Map<UserId, UserPushRules>> {
    if (userIds.length === 0) return new Map();
    const rows = await this.db.selectFrom('push_rules').select(['user_id', 'json']).where('user_id', 'in', userIds).execute();
    return new Map(rows.map((r) => [r.user_id as UserId, JSON.parse(r.json) as UserPushRules]));
  }

  async put(userId: UserId, rules: UserPushRules): Promise<void> {
    const json = JSON.stringify(rules);
    await this.db.insertInto('push_rules').values({ user_id: userId, json })
      .onConflict((oc) => oc.column('user_id').doUpdateSet({ json }))
      .execute();
  }
}
