import { sql, type Kysely } from 'kysely';
import type { RoomId } from '../../core/ids.js';
import type { StateStore, StoredEvent } from '../room-store.js';
import { EVENT_COLUMNS, toStoredEvent } from './events.js';
import type { Database } from './tables.js';

type Keys = ReadonlyArray<readonly [string, string]> | undefined;

export class KyselyStateStore implements StateStore {
  constructor(private readonly db: Kysely<Database>) {}

  private base(roomId: RoomId, keys: Keys) {
    let q = this.db.selectFrom('state_entries as s').innerJoin('events as e', 'e.event_id', 's.event_id')
      .select(EVENT_COLUMNS).where('s.room_id', '=', roomId);
    if (keys !== undefined) {
      if (keys.length === 0) return undefined;
      // A row-value IN over VALUES lets both databases use the (room, type, state key) index for every
      // pair; an OR of pairs makes SQLite scan the whole room state (O(members)).
      const pairs = sql.join(keys.map(([type, stateKey]) => sql`(${type}, ${stateKey})`));
      q = q.where(sql<boolean>`(s.type, s.state_key) in (values ${pairs})`);
    }
    return q;
  }

  async current(roomId: RoomId, keys?: Keys): Promise<StoredEvent[]> {
    const q = this.base(roomId, keys);
    if (!q) return [];
    const rows = await q.where('s.to_pos', 'is', null).orderBy('s.from_pos').execute();
    return rows.map(toStoredEvent);
  }

  async currentEvent(roomId: RoomId, type: string, stateKey: string): Promise<StoredEvent | undefined> {
    return (await this.current(roomId, [[type, stateKey]]))[0];
  }

  async at(roomId: RoomId, pos: number, keys?: Keys): Promise<StoredEvent[]> {
    const q = this.base(roomId, keys);
    if (!q) return [];
    const rows = await q.where('s.from_pos', '<=', pos)
      .where((eb) => eb.or([eb('s.to_pos', 'is', null), eb('s.to_pos', '>', pos)]))
      .orderBy('s.from_pos').execute();
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
    const rows = await q.where('s.from_pos', '<=', to)
      .where((eb) => eb.or([eb('s.to_pos', 'is', null), eb('s.to_pos', '>', from)]))
      .orderBy('s.from_pos').execute();
    return rows.map((r) => ({ pos: Number(r.stream_pos), event: toStoredEvent(r) }));
  }
}
