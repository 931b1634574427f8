import { sql, type Generated, type Kysely, type Selectable } from 'kysely';
import type { EventId, RoomId, UserId } from '../../core/ids.js';
import type { RoomEvent } from '../../core/events/types.js';
import { searchableText } from '../../core/search.js';
import type { Report, ReportStore, ReportTarget, SearchHit, SearchQuery, SearchStore } from '../search-store.js';
import { containing } from './accounts.js';
import type { DialectName } from './dialect.js';
import { EVENT_COLUMNS, toStoredEvent } from './events.js';
import type { Database } from './tables.js';

export interface EventSearchTable {
  stream_pos: number;
  room_id: string;
  key: string;
  words: string;
}

export interface ReportsTable {
  id: Generated<number>;
  reporter: string;
  room_id: string | null;
  event_id: string | null;
  target_user_id: string | null;
  reason: string | null;
  score: number | null;
  received_ts: number;
}

/** Indexes an event being stored, if it has searchable text (called by `events.append`, in its transaction). */
export async function indexForSearch(db: Kysely<Database>, event: RoomEvent, pos: number): Promise<void> {
  const text = searchableText(event);
  if (text) await db.insertInto('event_search').values({ stream_pos: pos, room_id: event.room_id, key: text.key, words: text.words }).execute();
}

/**
 * One query for both dialects; only the text match and its rank differ (migration 022): FTS5's
 * `bm25` (smaller is better, hence negated) over the `event_search_fts` table joined by rowid, or
 * PostgreSQL's `ts_rank` over the GIN-indexed `to_tsvector('simple', words)`. Words are letters and
 * digits only (`searchWords`), so quoting them is enough for either query syntax.
 */
export class KyselySearchStore implements SearchStore {
  constructor(private readonly db: Kysely<Database>, private readonly dialect: DialectName) {}

  async find(q: SearchQuery): Promise<SearchHit[]> {
    if (q.ranges.length === 0 || q.words.length === 0 || q.keys.length === 0 || q.limit <= 0) return [];
    const pg = this.dialect === 'postgres';
    const tsQuery = sql`to_tsquery('simple', ${q.words.join(' & ')})`;
    const tsVector = sql`to_tsvector('simple', s.words)`;
    let query = this.db.selectFrom('event_search as s')
      .innerJoin('events as e', 'e.stream_pos', 's.stream_pos')
      .select(EVENT_COLUMNS)
      .select(pg ? sql<number>`ts_rank(${tsVector}, ${tsQuery})`.as('rank') : sql<number>`-bm25(event_search_fts)`.as('rank'))
      .where('s.key', 'in', [...q.keys])
      .where('e.redacted_by', 'is', null)
      .where('s.room_id', 'in', q.ranges.map((r) => r.roomId));
    // One CASE for the rooms read up to a leave, not an OR per room: SQLite refuses expressions
    // nested over 1,000 deep, which a chain of ORs becomes for a user of a few hundred rooms.
    const bounded = q.ranges.filter((r) => r.upTo !== undefined);
    if (bounded.length > 0) {
      const cases = sql.join(bounded.map((r) => sql`WHEN ${r.roomId} THEN ${r.upTo}`), sql` `);
      query = query.where(sql<boolean>`s.stream_pos <= CASE s.room_id ${cases} ELSE s.stream_pos END`);
    }
    if (pg) {
      query = query.where(sql<boolean>`${tsVector} @@ ${tsQuery}`);
    } else {
      const match = q.words.map((w) => `"${w}"`).join(' ');
      query = query.innerJoin(sql<{ rowid: number }>`event_search_fts`.as('event_search_fts'), (j) => j.on(sql<boolean>`event_search_fts.rowid = s.stream_pos`))
        .where(sql<boolean>`event_search_fts MATCH ${match}`);
    }
    if (q.beforePos !== undefined) query = query.where('s.stream_pos', '<', q.beforePos);
    query = q.order === 'rank' ? query.orderBy('rank', 'desc').orderBy('s.stream_pos', 'desc') : query.orderBy('s.stream_pos', 'desc');
    const rows = await query.limit(q.limit).offset(q.offset ?? 0).execute();
    return rows.map((row) => ({ stored: toStoredEvent(row), rank: Number(row.rank) }));
  }
}

export class KyselyReportStore implements ReportStore {
  constructor(private readonly db: Kysely<Database>) {}

  async add(report: Omit<Report, 'id'>): Promise<number> {
    const t = report.target;
    const row = await this.db.insertInto('reports').values({
      reporter: report.reporter,
      room_id: t.kind === 'user' ? null : t.roomId,
      event_id: t.kind === 'event' ? t.eventId : null,
      target_user_id: t.kind === 'user' ? t.userId : null,
      reason: report.reason, score: report.score, received_ts: report.receivedTs,
    }).returning('id').executeTakeFirstOrThrow();
    return Number(row.id);
  }

  async list(o: { beforeId?: number; limit: number }): Promise<Report[]> {
    let q = this.db.selectFrom('reports').selectAll();
    if (o.beforeId !== undefined) q = q.where('id', '<', o.beforeId);
    const rows = await q.orderBy('id', 'desc').limit(o.limit).execute();
    return rows.map(reportOf);
  }

  async eventReports(o: { offset: number; limit: number; dir: 'f' | 'b'; reporter?: string; roomId?: string }): Promise<{ reports: Report[]; total: number }> {
    const matching = this.db.selectFrom('reports').where('event_id', 'is not', null)
      .$if(o.reporter !== undefined, (q) => q.where(sql<boolean>`lower(reporter) like ${containing(o.reporter ?? '')} escape '!'`))
      .$if(o.roomId !== undefined, (q) => q.where(sql<boolean>`lower(room_id) like ${containing(o.roomId ?? '')} escape '!'`));
    const [rows, count] = await Promise.all([
      matching.selectAll().orderBy('id', o.dir === 'b' ? 'desc' : 'asc').limit(o.limit).offset(o.offset).execute(),
      matching.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { reports: rows.map(reportOf), total: Number(count.n) };
  }

  async get(id: number): Promise<Report | undefined> {
    const row = await this.db.selectFrom('reports').selectAll().where('id', '=', id).executeTakeFirst();
    return row && reportOf(row);
  }

  async delete(id: number): Promise<boolean> {
    const result = await this.db.deleteFrom('reports').where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}

function reportOf(r: Selectable<ReportsTable>): Report {
  return {
    id: Number(r.id), reporter: r.reporter as UserId, reason: r.reason, score: r.score === null ? null : Number(r.score),
    receivedTs: Number(r.received_ts), target: targetOf(r),
  };
}

function targetOf(r: { room_id: string | null; event_id: string | null; target_user_id: string | null }): ReportTarget {
  if (r.target_user_id !== null) return { kind: 'user', userId: r.target_user_id as UserId };
  if (r.event_id !== null) return { kind: 'event', roomId: r.room_id as RoomId, eventId: r.event_id as EventId };
  return { kind: 'room', roomId: r.room_id as RoomId };
}
