import type { Kysely } from 'kysely';
import type { UserId } from '../../core/ids.js';
import type { JsonObject } from '../../core/json.js';
import { ConflictError } from '../errors.js';
import type { FilterStore } from '../sync-store.js';
import { isUniqueViolation } from './dialect.js';
import type { Database } from './tables.js';

export class KyselyFilterStore implements FilterStore {
  constructor(private readonly db: Kysely<Database>) {}

  async create(userId: UserId, filterId: string, filter: JsonObject): Promise<void> {
    try {
      await this.db.insertInto('filters').values({ user_id: userId, filter_id: filterId, json: JSON.stringify(filter) }).execute();
    } catch (err) {
      if (isUniqueViolation(err)) throw new ConflictError(`filter ${filterId}`);
      throw err;
    }
  }

  async get(userId: UserId, filterId: string): Promise<JsonObject | undefined> {
    const row = await this.db.selectFrom('filters').select('json').where('user_id', '=', userId).where('filter_id', '=', filterId).executeTakeFirst();
    return row ? (JSON.parse(row.json) as JsonObject) : undefined;
  }

  async trim(userId: UserId, keep: number): Promise<number> {
    // IDs come from one counter, so their numeric order is the order the filters were made in.
    const rows = await this.db.selectFrom('filters').select('filter_id').where('user_id', '=', userId).execute();
    const oldest = rows.map((r) => r.filter_id).sort((a, b) => Number(a) - Number(b)).slice(0, Math.max(0, rows.length - keep));
    if (oldest.length === 0) return 0;
    await this.db.deleteFrom('filters').where('user_id', '=', userId).where('filter_id', 'in', oldest).execute();
    return oldest.length;
  }
}
