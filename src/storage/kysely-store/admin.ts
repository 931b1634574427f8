import { sql, type Kysely, type Selectable } from 'kysely';
import type { RoomId, UserId } from '../../core/ids.js';
import type { JsonObject } from '../../core/json.js';
import {
  FINAL_JOB_STATUSES, SUMMARY_STATE_TYPES,
  type AdminJob, type AdminJobKind, type AdminJobStatus, type AdminJobStore, type RoomBlockStore, type RoomSummary, type RoomSummaryStore,
} from '../admin-store.js';
import type { AdminJobsTable, Database } from './tables.js';

export class KyselyRoomSummaryStore implements RoomSummaryStore {
  constructor(private readonly db: Kysely<Database>) {}

  /** Four queries whatever the number of rooms: the rooms, their member counts, state counts and summary state. */
  async summaries(serverName: string, roomId?: RoomId): Promise<RoomSummary[]> {
    const only = roomId !== undefined;
    const rooms = await this.db.selectFrom('rooms').selectAll().where('out_of_band', '=', 0)
      .$if(only, (q) => q.where('room_id', '=', roomId!)).execute();
    if (rooms.length === 0) return [];
    const members = await this.db.selectFrom('memberships').where('membership', '=', 'join').groupBy('room_id')
      .select((eb) => ['room_id', eb.fn.countAll<number>().as('joined'),
        sql<number>`sum(case when user_id like ${`%:${serverName}`} then 1 else 0 end)`.as('local')])
      .$if(only, (q) => q.where('room_id', '=', roomId!)).execute();
    const stateCounts = await this.db.selectFrom('state_entries').where('to_pos', 'is', null).groupBy('room_id')
      .select((eb) => ['room_id', eb.fn.countAll<number>().as('n')])
      .$if(only, (q) => q.where('room_id', '=', roomId!)).execute();
    const state = await this.db.selectFrom('state_entries as s').innerJoin('events as e', 'e.event_id', 's.event_id')
      .select(['s.room_id', 's.type', 'e.json'])
      .where('s.to_pos', 'is', null).where('s.state_key', '=', '').where('s.type', 'in', [...SUMMARY_STATE_TYPES])
      .$if(only, (q) => q.where('s.room_id', '=', roomId!)).execute();
    const memberCounts = new Map(members.map((m) => [m.room_id, m]));
    const stateCount = new Map(stateCounts.map((s) => [s.room_id, Number(s.n)]));
    const contents = new Map<string, Partial<Record<string, JsonObject>>>();
    for (const row of state) {
      const entry = contents.get(row.room_id) ?? {};
      entry[row.type] = contentOf(row.json);
      contents.set(row.room_id, entry);
    }
    return rooms.map((r) => ({
      roomId: r.room_id as RoomId,
      version: r.room_version,
      creator: r.creator as UserId,
      isPublic: Number(r.is_public) === 1,
      joinedMembers: Number(memberCounts.get(r.room_id)?.joined ?? 0),
      joinedLocalMembers: Number(memberCounts.get(r.room_id)?.local ?? 0),
      stateEvents: stateCount.get(r.room_id) ?? 0,
      state: contents.get(r.room_id) ?? {},
    }));
  }
}

/** An event's content; an unreadable event shows as no content (the room's state is damaged, the list still works). */
function contentOf(json: string): JsonObject {
  try {
    const content = (JSON.parse(json) as { content?: unknown }).content;
    return typeof content === 'object' && content !== null && !Array.isArray(content) ? content as JsonObject : {};
  } catch {
    return {};
  }
}

export class KyselyRoomBlockStore implements RoomBlockStore {
  constructor(private readonly db: Kysely<Database>) {}

  async get(roomId: RoomId): Promise<{ blockedBy: UserId } | undefined> {
    const row = await this.db.selectFrom('room_blocks').select('blocked_by').where('room_id', '=', roomId).executeTakeFirst();
    return row ? { blockedBy: row.blocked_by as UserId } : undefined;
  }

  async block(roomId: RoomId, blockedBy: UserId, ts: number): Promise<void> {
    await this.db.insertInto('room_blocks').values({ room_id: roomId, blocked_by: blockedBy, blocked_ts: ts })
      .onConflict((oc) => oc.column('room_id').doNothing()).execute();
  }

  async unblock(roomId: RoomId): Promise<void> {
    await this.db.deleteFrom('room_blocks').where('room_id', '=', roomId).execute();
  }
}

export class KyselyAdminJobStore implements AdminJobStore {
  constructor(private readonly db: Kysely<Database>) {}

  async create(job: Omit<AdminJob, 'error' | 'result'>): Promise<void> {
    await this.db.insertInto('admin_jobs').values({
      id: job.id, kind: job.kind, room_id: job.roomId, params: JSON.stringify(job.params), status: job.status,
      error: null, result: null, lease_until: 0, created_ts: job.createdTs, updated_ts: job.createdTs,
    }).execute();
  }

  async get(id: string): Promise<AdminJob | undefined> {
    const row = await this.db.selectFrom('admin_jobs').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toJob(row) : undefined;
  }

  async forRoom(roomId: RoomId, kind: AdminJobKind): Promise<AdminJob[]> {
    const rows = await this.db.selectFrom('admin_jobs').selectAll().where('room_id', '=', roomId).where('kind', '=', kind)
      .orderBy('created_ts').orderBy('id').execute();
    return rows.map(toJob);
  }

  async claim(id: string, now: number, leaseUntil: number): Promise<boolean> {
    // PostgreSQL re-checks the WHERE after waiting for a concurrent claimer's row lock, so one wins.
    const res = await this.db.updateTable('admin_jobs').set({ lease_until: leaseUntil })
      .where('id', '=', id).where('status', 'not in', [...FINAL_JOB_STATUSES]).where('lease_until', '<=', now).executeTakeFirst();
    return res.numUpdatedRows > 0n;
  }

  async claimable(now: number, limit: number): Promise<string[]> {
    const rows = await this.db.selectFrom('admin_jobs').select('id').where('status', 'not in', [...FINAL_JOB_STATUSES])
      .where('lease_until', '<=', now).orderBy('created_ts').orderBy('id').limit(limit).execute();
    return rows.map((r) => r.id);
  }

  async update(id: string, fields: { status: AdminJobStatus; error?: string | null; result?: JsonObject | null; leaseUntil: number; ts: number }): Promise<void> {
    await this.db.updateTable('admin_jobs').set({
      status: fields.status,
      lease_until: fields.leaseUntil,
      updated_ts: fields.ts,
      ...(fields.error !== undefined ? { error: fields.error } : {}),
      ...(fields.result !== undefined ? { result: fields.result === null ? null : JSON.stringify(fields.result) } : {}),
    }).where('id', '=', id).execute();
  }
}

function toJob(row: Selectable<AdminJobsTable>): AdminJob {
  return {
    id: row.id,
    kind: row.kind as AdminJobKind,
    roomId: row.room_id as RoomId,
    params: JSON.parse(row.params) as JsonObject,
    status: row.status as AdminJobStatus,
    error: row.error,
    result: row.result === null ? null : JSON.parse(row.result) as JsonObject,
    createdTs: Number(row.created_ts),
  };
}
