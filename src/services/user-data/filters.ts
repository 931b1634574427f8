import { forbidden, notFound } from '../../core/errors.js';
import { parseFilter } from '../../core/filters/parse-filter.js';
import type { UserId } from '../../core/ids.js';
import type { JsonObject } from '../../core/json.js';
import type { Store } from '../../storage/store.js';
import type { Quotas } from '../quotas.js';
import type { Requester } from '../requester.js';

/**
 * Stored filters (`/user/{userId}/filter`). A filter is validated when uploaded and kept exactly
 * as the client sent it (unknown and unstable fields included), so that downloading it returns
 * what was uploaded. IDs are decimal numbers, so never start with `{` (which marks inline filters).
 * A user keeps at most `quotas.filters`: a new one replaces the oldest rather than being refused,
 * since clients make a filter at every start (and would stop working if refused), while the oldest
 * is the one least likely to be in use.
 */
export class Filters {
  constructor(private readonly deps: { store: Store; quotas: Quotas }) {}

  async create(requester: Requester, userId: UserId, filter: JsonObject): Promise<{ filter_id: string }> {
    if (requester.userId !== userId) throw forbidden('Cannot create filters for other users');
    parseFilter(filter);
    const filterId = await this.deps.store.transaction(async (tx) => {
      const id = String(await tx.counters.next('filter_ids'));
      await tx.filters.create(userId, id, filter);
      await this.deps.quotas.trimFilters(tx, userId);
      return id;
    });
    return { filter_id: filterId };
  }

  async get(requester: Requester, userId: UserId, filterId: string): Promise<JsonObject> {
    if (requester.userId !== userId) throw forbidden('Cannot read filters of other users');
    const filter = await this.stored(userId, filterId);
    if (!filter) throw notFound('Unknown filter');
    return filter;
  }

  /** A stored filter definition (for `/sync?filter=<id>`), or undefined. Parse it with `parseFilter`. */
  async stored(userId: UserId, filterId: string): Promise<JsonObject | undefined> {
    return this.deps.store.filters.get(userId, filterId);
  }
}
