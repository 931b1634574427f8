import type { ClientEvent } from '../../core/events/client-format.js';
import { RELATIONS_RECURSION_DEPTH } from '../../core/events/relations.js';
import type { EventId, RoomId } from '../../core/ids.js';
import { isFromIgnoredUser } from '../../core/ignored-users.js';
import { formatEventToken } from '../../core/tokens.js';
import type { Store } from '../../storage/store.js';
import type { Requester } from '../requester.js';
import { viewerOf } from '../rooms/bundled-aggregations.js';
import type { ClientEvents } from '../rooms/client-events.js';
import { tokenPosition, type RoomReads } from '../rooms/reads.js';
import type { RoomReadAccess } from '../rooms/room-access.js';
import { ignoredUsersOf } from '../user-data/ignored-users.js';

export interface RelationsQuery {
  relType?: string | undefined;
  eventType?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  dir: 'b' | 'f';
  limit: number;
  /** undefined when the client did not say (then no `recursion_depth` is answered). */
  recurse?: boolean | undefined;
}

export interface ThreadsQuery {
  include: 'all' | 'participated';
  from?: string | undefined;
  limit: number;
}

/**
 * `/relations` and `/threads` (spec: "Relationships between events", "Threading"): read as
 * /messages reads (its access check, history visibility, a departed user's bound, ignored users),
 * each event served with its bundled aggregations.
 */
export class Relations {
  constructor(private readonly deps: { store: Store; access: RoomReadAccess; events: ClientEvents; reads: RoomReads }) {}

  /**
   * Tokens mean what /messages' do ("every event at or before P" backwards, "after P" forwards), so
   * a /sync `prev_batch` or a /messages token works here too. A page hidden in part by history
   * visibility comes back short; `next_batch` still resumes after its last stored event.
   */
  async relations(requester: Requester, roomId: RoomId, eventId: EventId, q: RelationsQuery) {
    const access = await this.deps.access.check(requester.userId, roomId);
    const ignored = await ignoredUsersOf(this.deps.store, requester.userId);
    await this.deps.reads.visibleEvent(access, ignored, eventId);
    const from = q.from === undefined ? undefined : tokenPosition(q.from, 'from');
    const to = q.to === undefined ? undefined : tokenPosition(q.to, 'to');
    const depth = q.recurse ? RELATIONS_RECURSION_DEPTH : 1;
    const bounds = q.dir === 'b'
      ? { ...(from !== undefined ? { before: from + 1 } : {}), ...(to !== undefined ? { after: to } : {}) }
      : { ...(from !== undefined ? { after: from } : {}), ...(to !== undefined ? { before: to + 1 } : {}) };
    const page = q.limit === 0 ? [] : await this.deps.store.relations.page(roomId, eventId, {
      relType: q.relType, eventType: q.eventType, depth, dir: q.dir, limit: q.limit, upTo: access.upTo, ignored, ...bounds,
    });
    const visible = await this.deps.access.filter(access, page.map((p) => p.stored));
    const body: { chunk: ClientEvent[]; next_batch?: string; prev_batch?: string; recursion_depth?: number } = {
      chunk: await this.deps.events.format(visible, undefined, undefined, viewerOf(access, ignored)),
    };
    const last = page[page.length - 1];
    if (last && page.length === q.limit) body.next_batch = formatEventToken(q.dir === 'b' ? last.stored.pos - 1 : last.stored.pos);
    if (q.from !== undefined) body.prev_batch = q.from;
    if (q.recurse !== undefined) body.recursion_depth = depth;
    return body;
  }

  /** Thread roots by latest reply; a token names the latest reply of the last thread served. */
  async threads(requester: Requester, roomId: RoomId, q: ThreadsQuery) {
    const access = await this.deps.access.check(requester.userId, roomId);
    const ignored = await ignoredUsersOf(this.deps.store, requester.userId);
    const before = q.from === undefined ? undefined : tokenPosition(q.from, 'from');
    const threads = await this.deps.store.relations.threads(roomId, {
      limit: q.limit, before, upTo: access.upTo, ignored, ...(q.include === 'participated' ? { participant: requester.userId } : {}),
    });
    const roots = new Map((await this.deps.store.events.getMany(threads.map((t) => t.rootId))).map((e) => [e.event.event_id, e]));
    const ordered = threads.map((t) => roots.get(t.rootId)).filter((e) => e !== undefined);
    const visible = (await this.deps.access.filter(access, ordered)).filter((e) => !isFromIgnoredUser(e.event, ignored));
    const body: { chunk: ClientEvent[]; next_batch?: string } = {
      chunk: await this.deps.events.format(visible, undefined, undefined, viewerOf(access, ignored)),
    };
    const last = threads[threads.length - 1];
    if (last && threads.length === q.limit) body.next_batch = formatEventToken(last.latestPos);
    return body;
  }
}
