import type { Kysely, Selectable } from 'kysely';
import type { Membership } from '../../core/events/types.js';
import type { EventId, RoomId, UserId } from '../../core/ids.js';
import type { MembershipRecord, MembershipStore } from '../room-store.js';
import { prepared } from './prepared.js';
import type { Database, MembershipsTable } from './tables.js';

function toRecord(r: Selectable<MembershipsTable>): MembershipRecord {
  return {
    roomId: r.room_id as RoomId,
    userId: r.user_id as UserId,
    membership: r.membership as Membership,
    eventId: r.event_id as EventId,
    pos: Number(r.stream_pos),
    forgotten: r.forgotten === 1,
  };
}

const membershipOf = prepared<{ roomId: RoomId; userId: UserId }, Selectable<MembershipsTable>>((db, slot) =>
  db.selectFrom('memberships').selectAll().where('room_id', '=', slot('roomId')).where('user_id', '=', slot('userId')));

export class KyselyMembershipStore implements MembershipStore {
  constructor(private readonly db: Kysely<Database>) {}

  async get(roomId: RoomId, userId: UserId): Promise<MembershipRecord | undefined> {
    const [row] = await membershipOf(this.db, { roomId, userId });
    return row ? toRecord(row) : undefined;
  }

  async roomsOf(userId: UserId, memberships: readonly Membership[]): Promise<MembershipRecord[]> {
    if (memberships.length === 0) return [];
    const rows = await this.db.selectFrom('memberships').selectAll()
      .where('user_id', '=', userId).where('membership', 'in', [...memberships]).orderBy('stream_pos').execute();
    return rows.map(toRecord);
  }

  async members(roomId: RoomId, memberships?: readonly Membership[], limit?: number): Promise<MembershipRecord[]> {
    let q = this.db.selectFrom('memberships').selectAll().where('room_id', '=', roomId);
    if (memberships) {
      if (memberships.length === 0) return [];
      q = q.where('membership', 'in', [...memberships]);
    }
    q = q.orderBy('stream_pos');
    if (limit !== undefined) q = q.limit(limit);
    return (await q.execute()).map(toRecord);
  }

  async counts(roomId: RoomId): Promise<Partial<Record<Membership, number>>> {
    const rows = await this.db.selectFrom('memberships')
      .select(['membership', (eb) => eb.fn.countAll<number | string>().as('n')])
      .where('room_id', '=', roomId).groupBy('membership').execute();
    return Object.fromEntries(rows.map((r) => [r.membership, Number(r.n)]));
  }

  async joinPositions(roomId: RoomId, userId: UserId): Promise<number[]> {
    // Through the user's own state history (primary-key order), not a scan of the room's events.
    const rows = await this.db.selectFrom('state_entries as s').innerJoin('events as e', 'e.event_id', 's.event_id')
      .select(['s.from_pos', 'e.membership'])
      .where('s.room_id', '=', roomId).where('s.type', '=', 'm.room.member').where('s.state_key', '=', userId)
      .orderBy('s.from_pos').execute();
    // A join that follows a join (a per-room profile change) is not a join: the user was in already.
    return rows.filter((r, i) => r.membership === 'join' && rows[i - 1]?.membership !== 'join').map((r) => Number(r.from_pos));
  }

  async setForgotten(roomId: RoomId, userId: UserId, ts: number | null): Promise<void> {
    await this.db.updateTable('memberships').set({ forgotten: ts === null ? 0 : 1, forgotten_ts: ts })
      .where('room_id', '=', roomId).where('user_id', '=', userId).execute();
  }
}
