import { sql, type Kysely } from 'kysely';
import type { EventId, RoomId, UserId } from '../../core/ids.js';
import type { RelationAggregates, RelationRecord, RelationStore, RelationView, StoredEvent } from '../room-store.js';
import { EVENT_COLUMNS, toStoredEvent } from './events.js';
import type { Database } from './tables.js';

type PageOptions = Parameters<RelationStore['page']>[2];

/** The reader's bounds on relating events: up to their last visible position, none from ignored senders. */
function bounded<Q extends { where: (...args: never[]) => Q }>(query: Q, view: RelationView, column: string): Q {
  const q = query as unknown as { where(c: string, op: string, v: unknown): Q };
  let out = view.upTo === undefined ? query : q.where(`${column}.stream_pos`, '<=', view.upTo);
  if (view.ignored && view.ignored.size > 0) out = (out as unknown as typeof q).where(`${column}.sender`, 'not in', [...view.ignored]);
  return out;
}

export class KyselyRelationStore implements RelationStore {
  constructor(private readonly db: Kysely<Database>) {}

  async page(roomId: RoomId, parentId: EventId, o: PageOptions): Promise<Array<{ stored: StoredEvent; depth: number }>> {
    // The relating events down to `depth` levels: each level relates to an event of the one above.
    let q = this.db.withRecursive('related(event_id, depth)', (db) => db.selectFrom('event_relations')
      .select(['event_id', sql<number>`1`.as('depth')])
      .where('room_id', '=', roomId).where('relates_to_id', '=', parentId)
      .unionAll(db.selectFrom('event_relations as c').innerJoin('related as p', 'p.event_id', 'c.relates_to_id')
        .select(['c.event_id', sql<number>`p.depth + 1`.as('depth')])
        .where('c.room_id', '=', roomId).where('p.depth', '<', o.depth)))
      .selectFrom('related as d')
      .innerJoin('event_relations as r', 'r.event_id', 'd.event_id')
      .innerJoin('events as e', 'e.event_id', 'd.event_id')
      .select([...EVENT_COLUMNS, 'd.depth']);
    q = bounded(q, o, 'r');
    if (o.relType !== undefined) q = q.where('r.rel_type', '=', o.relType);
    if (o.eventType !== undefined) q = q.where('r.type', '=', o.eventType);
    if (o.after !== undefined) q = q.where('e.stream_pos', '>', o.after);
    if (o.before !== undefined) q = q.where('e.stream_pos', '<', o.before);
    const rows = await q.orderBy('e.stream_pos', o.dir === 'f' ? 'asc' : 'desc').limit(o.limit).execute();
    return rows.map((r) => ({ stored: toStoredEvent(r), depth: Number(r.depth) }));
  }

  async aggregates(parents: ReadonlyArray<{ roomId: RoomId; eventId: EventId }>, participant: UserId, view: RelationView): Promise<RelationAggregates> {
    const out: RelationAggregates = { threads: new Map(), edits: new Map(), references: new Map() };
    if (parents.length === 0) return out;
    const rooms = [...new Set(parents.map((p) => p.roomId))];
    const ids = [...new Set(parents.map((p) => p.eventId))];
    const of = (rel: string) => bounded(this.db.selectFrom('event_relations as r')
      .where('r.room_id', 'in', rooms).where('r.relates_to_id', 'in', ids).where('r.rel_type', '=', rel), view, 'r');

    const threads = await of('m.thread')
      .select(['r.relates_to_id', (eb) => eb.fn.countAll<number>().as('n'), (eb) => eb.fn.max('r.stream_pos').as('latest'),
        sql<number>`max(case when r.sender = ${participant} then 1 else 0 end)`.as('mine')])
      .groupBy('r.relates_to_id').execute();
    const latestPositions = threads.map((t) => Number(t.latest));
    const latest = latestPositions.length === 0 ? [] : (await this.db.selectFrom('events as e').select(EVENT_COLUMNS)
      .where('e.stream_pos', 'in', latestPositions).execute()).map(toStoredEvent);
    const byPos = new Map(latest.map((e) => [e.pos, e]));
    for (const t of threads) {
      out.threads.set(t.relates_to_id as EventId, { count: Number(t.n), latest: byPos.get(Number(t.latest)), participated: Number(t.mine) === 1 });
    }

    // Only edits by the original's sender, of its type, can be valid: others are not even read.
    const edits = await of('m.replace').innerJoin('events as o', (j) => j.onRef('o.event_id', '=', 'r.relates_to_id')
      .onRef('o.sender', '=', 'r.sender').onRef('o.type', '=', 'r.type'))
      .select(['r.event_id', 'r.relates_to_id', 'r.rel_type', 'r.type', 'r.sender', 'r.origin_server_ts', 'r.stream_pos', 'r.is_state'])
      .orderBy('r.stream_pos').execute();
    for (const e of edits) {
      const record: RelationRecord = {
        eventId: e.event_id as EventId, relatesToId: e.relates_to_id as EventId, relType: e.rel_type, type: e.type,
        sender: e.sender as UserId, originServerTs: Number(e.origin_server_ts), pos: Number(e.stream_pos), isState: e.is_state === 1,
      };
      const list = out.edits.get(record.relatesToId) ?? [];
      list.push(record);
      out.edits.set(record.relatesToId, list);
    }

    const references = await of('m.reference').select(['r.event_id', 'r.relates_to_id']).orderBy('r.stream_pos').execute();
    for (const r of references) {
      const list = out.references.get(r.relates_to_id as EventId) ?? [];
      list.push(r.event_id as EventId);
      out.references.set(r.relates_to_id as EventId, list);
    }
    return out;
  }

  async threads(roomId: RoomId, o: Parameters<RelationStore['threads']>[1]): Promise<Array<{ rootId: EventId; latestPos: number }>> {
    let q = bounded(this.db.selectFrom('event_relations as r')
      .innerJoin('events as root', 'root.event_id', 'r.relates_to_id')
      .where('r.room_id', '=', roomId).where('root.room_id', '=', roomId).where('r.rel_type', '=', 'm.thread'), o, 'r')
      .select(['r.relates_to_id', (eb) => eb.fn.max('r.stream_pos').as('latest')])
      .groupBy(['r.relates_to_id', 'root.sender']);
    if (o.before !== undefined) q = q.having((eb) => eb.fn.max('r.stream_pos'), '<', o.before);
    if (o.participant !== undefined) {
      q = q.having(sql<number>`max(case when r.sender = ${o.participant} or root.sender = ${o.participant} then 1 else 0 end)`, '=', 1);
    }
    const rows = await q.orderBy('latest', 'desc').limit(o.limit).execute();
    return rows.map((r) => ({ rootId: r.relates_to_id as EventId, latestPos: Number(r.latest) }));
  }
}
