import { sql, type Kysely } from 'kysely';
import type { RoomId } from '../../core/ids.js';
import type { StateStore, StoredEvent } from '../room-store.js';
import { currentStateRow, EVENT_COLUMNS, toStoredEvent } from './events.js';
import type { Database } from './tables.js';

type Keys = ReadonlyArray<readonly [string, string]> | undefined;

export class KyselyStateStore implements StateStore {
  constructor(private readonly db: Kysely<Database>) {}

  private base(roomId: RoomId, keys: Keys) {
    let q = this.db.selectFrom('state_entries as s').innerJoin('events as e', 'e.event_id', 's.event_id')
      .select(EVENT_COLUMNS).where('s.room_id', '=', roomId);
    if (keys !== undefined) {
      if (keys.length === 0) return undefined;
      if (keys.length === 1) {
        const [[type, stateKey]] = keys as [readonly [string, string]];
        q = q.where('s.type', '=', type).where('s.state_key', '=', stateKey);
      } else {
        // A row-value IN over VALUES lets both databases use the (room, type, state key) index for every
        // pair; an OR of pairs makes SQLite scan the whole room state (O(members)).
        const pairs = sql.join(keys.map(([type, stateKey]) => sql`(${type}, ${stateKey})`));
        q = q.where(sql<boolean>`(s.type, s.state_key) in (values ${pairs})`);
      }
    }
    return q;
  }

  /**
   * Runs a state query in position order. Keyed queries are sorted here, not by SQL: an ORDER BY on
   * the position would tempt SQLite into walking the room's whole state history by position
   * instead of looking the few keys up.
   */
  private async run(q: NonNullable<ReturnType<KyselyStateStore['base']>>, keyed: boolean) {
    const rows = keyed ? await q.execute() : await q.orderBy('s.from_pos').execute();
    return keyed ? rows.sort((a, b) => Number(a.stream_pos) - Number(b.stream_pos)) : rows;
  }

  async current(roomId: RoomId, keys?: Keys): Promise<StoredEvent[]> {
    const q = this.base(roomId, keys);
    if (!q) return [];
    const rows = await this.run(q.where('s.to_pos', 'is', null), keys !== undefined);
    return rows.map(toStoredEvent);
  }

  async currentEvent(roomId: RoomId, type: string, stateKey: string): Promise<StoredEvent | undefined> {
    const [row] = await currentStateRow(this.db, { roomId, type, stateKey });
    return row ? toStoredEvent(row) : undefined;
  }

  async currentOfType(roomId: RoomId, type: string): Promise<StoredEvent[]> {
    // The (room, type, state key) index of current state: the room's members are not read.
    const rows = await this.db.selectFrom('state_entries as s').innerJoin('events as e', 'e.event_id', 's.event_id')
      .select(EVENT_COLUMNS).where('s.room_id', '=', roomId).where('s.type', '=', type).where('s.to_pos', 'is', null).execute();
    return rows.sort((a, b) => Number(a.stream_pos) - Number(b.stream_pos)).map(toStoredEvent);
  }

  async at(roomId: RoomId, pos: number, keys?: Keys): Promise<StoredEvent[]> {
    const q = this.base(roomId, keys);
    if (!q) return [];
    const rows = await this.run(q.where('s.from_pos', '<=', pos)
      .where((eb) => eb.or([eb('s.to_pos', 'is', null), eb('s.to_pos', '>', pos)])), keys !== undefined);
    return rows.map(toStoredEvent);
  }

  async changedBetween(roomId: RoomId, afterPos: number, atPos: number): Promise<StoredEvent[]> {
    const rows = await this.base(roomId, undefined)!
      .where('s.from_pos', '>', afterPos).where('s.from_pos', '<=', atPos)
      .where((eb) => eb.or([eb('s.to_pos', 'is', null), eb('s.to_pos', '>', atPos)]))
      .orderBy('s.from_pos').execute();
    return rows.map(toStoredEvent);
  }

  async changes(roomId: RoomId, type: string, stateKey: string, from: number, to: number) {
    const q = this.base(roomId, [[type, stateKey]])!;
    const rows = await this.run(q.where('s.from_pos', '<=', to)
      .where((eb) => eb.or([eb('s.to_pos', 'is', null), eb('s.to_pos', '>', from)])), true);
    return rows.map((r) => ({ pos: Number(r.stream_pos), event: toStoredEvent(r) }));
  }
}
