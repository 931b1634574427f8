import type { FastifyInstance } from 'fastify';
import { parseRoomEventFilter } from '../../core/filters/parse-filter.js';
import type { JsonObject } from '../../core/json.js';
import type { SearchKey } from '../../core/search.js';
import type { Services } from '../../services/services.js';
import { requesterOf } from '../auth.js';
import { SearchBody, SearchQuery } from '../schemas/search.js';

interface RoomEventsBody {
  search_term: string;
  keys?: SearchKey[];
  filter?: JsonObject;
  order_by?: 'recent' | 'rank';
  event_context?: { before_limit?: number; after_limit?: number; include_profile?: boolean };
  include_state?: boolean;
  groupings?: { group_by?: Array<{ key?: 'room_id' | 'sender' }> };
}

/** Server-side search: the `room_events` category (the only one the spec defines). */
export async function searchRoutes(app: FastifyInstance, { services }: { services: Services }): Promise<void> {
  app.post<{ Querystring: { next_batch?: string }; Body: { search_categories: { room_events?: RoomEventsBody } } }>(
    '/search', { schema: { querystring: SearchQuery, body: SearchBody }, config: { auth: 'required' } }, async (req) => {
      const c = req.body.search_categories.room_events;
      if (!c) return { search_categories: {} };
      const context = c.event_context;
      return services.search.roomEvents(requesterOf(req), {
        searchTerm: c.search_term,
        ...(c.keys ? { keys: c.keys } : {}),
        ...(c.filter ? { filter: parseRoomEventFilter(c.filter, 'filter') } : {}),
        ...(c.order_by ? { orderBy: c.order_by } : {}),
        ...(context ? { eventContext: { beforeLimit: context.before_limit, afterLimit: context.after_limit, includeProfile: context.include_profile } } : {}),
        includeState: c.include_state === true,
        groupBy: (c.groupings?.group_by ?? []).flatMap((g) => (g.key ? [g.key] : [])),
      }, req.query.next_batch);
    });
}
