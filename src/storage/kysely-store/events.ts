import { sql, type Kysely, type Selectable } from 'kysely';
import type { DialectName } from './dialect.js';
import { relationOf } from '../../core/events/relations.js';
import { isInRoom, type RoomEvent } from '../../core/events/types.js';
import type { DeviceId, EventId, RoomId, UserId } from '../../core/ids.js';
import { CorruptEventError, type EventRef, type EventStore, type StoredEvent, type TxnKey } from '../room-store.js';
import { prepared } from './prepared.js';
import { indexForSearch } from './search.js';
import type { Database, EventsTable } from './tables.js';

export type EventRow = Pick<Selectable<EventsTable>, 'stream_pos' | 'json' | 'prev_state_json' | 'redacted_by'>;
export const EVENT_COLUMNS = ['e.stream_pos', 'e.json', 'e.prev_state_json', 'e.redacted_by'] as const;

function parseEvent(row: EventRow): RoomEvent {
  try {
    return JSON.parse(row.json) as RoomEvent;
  } catch {
    throw new CorruptEventError(Number(row.stream_pos));
  }
}

export function toStoredEvent(row: EventRow): StoredEvent {
  return {
    event: parseEvent(row),
    pos: Number(row.stream_pos),
    prevState: row.prev_state_json === null ? null : (JSON.parse(row.prev_state_json) as StoredEvent['prevState']),
    redactedBy: row.redacted_by as EventId | null,
  };
}

/** The current state event of a room for one (type, state key), if any. */
export const currentStateRow = prepared<{ roomId: string; type: string; stateKey: string }, EventRow>((db, slot) =>
  db.selectFrom('state_entries as s').innerJoin('events as e', 'e.event_id', 's.event_id')
    .select(EVENT_COLUMNS)
    .where('s.room_id', '=', slot('roomId')).where('s.type', '=', slot('type')).where('s.state_key', '=', slot('stateKey'))
    .where('s.to_pos', 'is', null));

// The statements every event write runs, compiled once (see prepared.ts).
// `pos` is the position reserved on PostgreSQL, or null on SQLite (which assigns the next one).
const insertEvent = prepared<Record<'pos' | 'eventId' | 'roomId' | 'type' | 'stateKey' | 'sender' | 'depth' | 'ts' | 'membership' | 'json' | 'prevStateJson', unknown>, { stream_pos: number }>((db, slot) =>
  db.insertInto('events').values({
    stream_pos: slot('pos'), event_id: slot('eventId'), room_id: slot('roomId'), type: slot('type'), state_key: slot('stateKey'), sender: slot('sender'),
    depth: slot('depth'), origin_server_ts: slot('ts'), membership: slot('membership'), json: slot('json'),
    prev_state_json: slot('prevStateJson'), redacted_by: null,
  }).returning('stream_pos'));
const endStateEntry = prepared<{ pos: number; roomId: string; type: string; stateKey: string }, never>((db, slot) =>
  db.updateTable('state_entries').set({ to_pos: slot('pos') })
    .where('room_id', '=', slot('roomId')).where('type', '=', slot('type')).where('state_key', '=', slot('stateKey'))
    .where('to_pos', 'is', null));
const insertStateEntry = prepared<{ roomId: string; type: string; stateKey: string; eventId: string; pos: number }, never>((db, slot) =>
  db.insertInto('state_entries').values({
    room_id: slot('roomId'), type: slot('type'), state_key: slot('stateKey'), event_id: slot('eventId'), from_pos: slot('pos'), to_pos: null,
  }));
type MembershipValues = { roomId: string; userId: string; membership: string; eventId: string; pos: number };
// Joining, being invited or knocking again un-forgets a room; leaving keeps the flag as it is.
const upsertMembership = (unforget: boolean) => prepared<MembershipValues, never>((db, slot) =>
  db.insertInto('memberships').values({
    room_id: slot('roomId'), user_id: slot('userId'), membership: slot('membership'), event_id: slot('eventId'), stream_pos: slot('pos'),
    forgotten: 0, forgotten_ts: null,
  }).onConflict((oc) => oc.columns(['room_id', 'user_id']).doUpdateSet((eb) => ({
    membership: slot('membership'), event_id: slot('eventId'), stream_pos: slot('pos'),
    forgotten: unforget ? 0 : eb.ref('memberships.forgotten'),
    forgotten_ts: unforget ? null : eb.ref('memberships.forgotten_ts'),
  }))));
const upsertUnforgetting = upsertMembership(true);
const upsertKeepingForgotten = upsertMembership(false);
const roomHead = prepared<{ roomId: string }, { event_id: string; depth: number; stream_pos: number }>((db, slot) =>
  db.selectFrom('events').select(['event_id', 'depth', 'stream_pos']).where('room_id', '=', slot('roomId')).orderBy('stream_pos', 'desc').limit(1));

export class KyselyEventStore implements EventStore {
  constructor(private readonly db: Kysely<Database>, private readonly dialect: DialectName) {}

  async append(event: RoomEvent): Promise<StoredEvent> {
    const reserved = await this.reservePos();
    const isState = typeof event.state_key === 'string';
    // An unreadable replaced event only costs clients the `prev_content` of this one.
    const replaced = isState
      ? await this.currentStateEvent(event.room_id, event.type, event.state_key!).catch((err: unknown) => {
        if (err instanceof CorruptEventError) return undefined;
        throw err;
      })
      : undefined;
    const prevState = replaced
      ? { replaces_state: replaced.event.event_id, prev_content: replaced.event.content, prev_sender: replaced.event.sender }
      : null;
    const membership = event.type === 'm.room.member' && typeof event.content.membership === 'string' ? event.content.membership : null;
    const [inserted] = await insertEvent(this.db, {
      pos: reserved, eventId: event.event_id, roomId: event.room_id, type: event.type, stateKey: event.state_key ?? null, sender: event.sender,
      depth: event.depth, ts: event.origin_server_ts, membership, json: JSON.stringify(event),
      prevStateJson: prevState ? JSON.stringify(prevState) : null,
    });
    const pos = Number(inserted!.stream_pos);

    if (isState) {
      const key = { roomId: event.room_id, type: event.type, stateKey: event.state_key! };
      await endStateEntry(this.db, { ...key, pos });
      await insertStateEntry(this.db, { ...key, eventId: event.event_id, pos });
    }
    if (membership !== null) await this.recordMembership(event, membership, pos);
    await this.recordRelation(event, pos);
    await indexForSearch(this.db, event, pos);
    return { event, pos, prevState: prevState as StoredEvent['prevState'], redactedBy: null };
  }

  async appendOutOfBand(event: RoomEvent): Promise<StoredEvent> {
    const membership = typeof event.content.membership === 'string' ? event.content.membership : null;
    if (event.type !== 'm.room.member' || typeof event.state_key !== 'string' || membership === null) {
      throw new Error('only member events are stored in out-of-band rooms');
    }
    const [inserted] = await insertEvent(this.db, {
      pos: await this.reservePos(), eventId: event.event_id, roomId: event.room_id, type: event.type, stateKey: event.state_key, sender: event.sender,
      depth: event.depth, ts: event.origin_server_ts, membership, json: JSON.stringify(event), prevStateJson: null,
    });
    const pos = Number(inserted!.stream_pos);
    await this.recordMembership(event, membership, pos);
    return { event, pos, prevState: null, redactedBy: null };
  }

  /**
   * /sync reads "everything up to position P", and transactions of different rooms commit in any
   * order on PostgreSQL. So a writer reserves its position (migration 024): readers read only up to
   * `readablePos`, below every position still being written, and no writer waits for another.
   * SQLite has one writer: positions commit in order, and the insert assigns the next one (null here).
   */
  private async reservePos(): Promise<number | null> {
    if (this.dialect !== 'postgres') return null;
    const { rows } = await sql<{ pos: number }>`SELECT hearth_reserve_event_pos() AS pos`.execute(this.db);
    return Number(rows[0]!.pos);
  }

  private async recordMembership(event: RoomEvent, membership: string, pos: number): Promise<void> {
    const unforget = isInRoom(membership);
    await (unforget ? upsertUnforgetting : upsertKeepingForgotten)(this.db, {
      roomId: event.room_id, userId: event.state_key!, membership, eventId: event.event_id, pos,
    });
  }

  private async recordRelation(event: RoomEvent, pos: number): Promise<void> {
    const relation = relationOf(event.content);
    if (!relation) return;
    await this.db.insertInto('event_relations').values({
      event_id: event.event_id, room_id: event.room_id, relates_to_id: relation.eventId, rel_type: relation.relType, type: event.type,
      sender: event.sender, origin_server_ts: event.origin_server_ts, stream_pos: pos, is_state: typeof event.state_key === 'string' ? 1 : 0,
    }).execute();
  }

  private async currentStateEvent(roomId: RoomId, type: string, stateKey: string): Promise<StoredEvent | undefined> {
    const [row] = await currentStateRow(this.db, { roomId, type, stateKey });
    return row ? toStoredEvent(row) : undefined;
  }

  async get(eventId: EventId): Promise<StoredEvent | undefined> {
    const row = await this.db.selectFrom('events as e').select(EVENT_COLUMNS).where('e.event_id', '=', eventId).executeTakeFirst();
    return row ? toStoredEvent(row) : undefined;
  }

  async getMany(eventIds: readonly EventId[]): Promise<StoredEvent[]> {
    if (eventIds.length === 0) return [];
    const rows = await this.db.selectFrom('events as e').select(EVENT_COLUMNS).where('e.event_id', 'in', [...eventIds]).orderBy('e.stream_pos').execute();
    return rows.map(toStoredEvent);
  }

  async head(roomId: RoomId): Promise<EventRef | undefined> {
    const [row] = await roomHead(this.db, { roomId });
    return row ? { eventId: row.event_id as EventId, depth: Number(row.depth), pos: Number(row.stream_pos) } : undefined;
  }

  async page(roomId: RoomId, o: { after?: number; before?: number; dir: 'f' | 'b'; limit: number }): Promise<StoredEvent[]> {
    let q = this.db.selectFrom('events as e').select(EVENT_COLUMNS).where('e.room_id', '=', roomId);
    if (o.after !== undefined) q = q.where('e.stream_pos', '>', o.after);
    if (o.before !== undefined) q = q.where('e.stream_pos', '<', o.before);
    const rows = await q.orderBy('e.stream_pos', o.dir === 'f' ? 'asc' : 'desc').limit(o.limit).execute();
    return rows.map(toStoredEvent);
  }

  async activeRoomsOf(userId: UserId, afterPos: number, upTo?: number): Promise<Map<RoomId, number>> {
    let q = this.db.selectFrom('events as e')
      .select(['e.room_id', (eb) => eb.fn.max('e.stream_pos').as('pos')])
      .where('e.stream_pos', '>', afterPos);
    if (upTo !== undefined) q = q.where('e.stream_pos', '<=', upTo);
    const rows = await q
      .where('e.room_id', 'in', (eb) => eb.selectFrom('memberships').select('room_id').where('user_id', '=', userId))
      .groupBy('e.room_id').execute();
    return new Map(rows.map((r) => [r.room_id as RoomId, Number(r.pos)]));
  }

  async readablePos(): Promise<number> {
    if (this.dialect !== 'postgres') return this.maxPos();
    const { rows } = await sql<{ pos: number }>`SELECT hearth_readable_event_pos() AS pos`.execute(this.db);
    return Number(rows[0]!.pos);
  }

  async maxPos(): Promise<number> {
    const row = await this.db.selectFrom('events').select((eb) => eb.fn.max('stream_pos').as('m')).executeTakeFirst();
    return Number(row?.m ?? 0);
  }

  async after(afterPos: number, upTo: number, limit: number): Promise<StoredEvent[]> {
    const rows = await this.db.selectFrom('events as e').select(EVENT_COLUMNS).where('e.stream_pos', '>', afterPos).where('e.stream_pos', '<=', upTo)
      .orderBy('e.stream_pos').limit(limit).execute();
    return rows.map(toStoredEvent);
  }

  async byTimestamp(roomId: RoomId, o: { ts: number; dir: 'f' | 'b'; upTo?: number; after?: { ts: number; pos: number }; limit: number }): Promise<StoredEvent[]> {
    const forward = o.dir === 'f';
    const cmp = forward ? '>' : '<';
    let q = this.db.selectFrom('events as e').select(EVENT_COLUMNS).where('e.room_id', '=', roomId)
      .where('e.origin_server_ts', forward ? '>=' : '<=', o.ts);
    if (o.upTo !== undefined) q = q.where('e.stream_pos', '<=', o.upTo);
    const after = o.after;
    if (after) {
      q = q.where((eb) => eb.or([eb('e.origin_server_ts', cmp, after.ts),
        eb.and([eb('e.origin_server_ts', '=', after.ts), eb('e.stream_pos', cmp, after.pos)])]));
    }
    const order = forward ? 'asc' : 'desc';
    const rows = await q.orderBy('e.origin_server_ts', order).orderBy('e.stream_pos', order).limit(o.limit).execute();
    return rows.map(toStoredEvent);
  }

  /** Also drops the event from the search index: a redacted event must not be found by its old text. */
  async markRedacted(eventId: EventId, redactionId: EventId): Promise<void> {
    await this.db.deleteFrom('event_search').where('stream_pos', 'in', (eb) => eb.selectFrom('events').select('stream_pos').where('event_id', '=', eventId)).execute();
    await this.db.updateTable('events').set({ redacted_by: redactionId }).where('event_id', '=', eventId).where('redacted_by', 'is', null).execute();
    // Redaction strips `m.relates_to` from the content: the event relates to nothing any more.
    await this.db.deleteFrom('event_relations').where('event_id', '=', eventId).execute();
  }

  async txnIdsFor(userId: UserId, deviceId: DeviceId, eventIds: readonly EventId[]): Promise<Map<EventId, string>> {
    if (eventIds.length === 0) return new Map();
    const rows = await this.db.selectFrom('event_txns').select(['event_id', 'txn_id'])
      .where('user_id', '=', userId).where('device_id', '=', deviceId).where('event_id', 'in', [...eventIds]).execute();
    return new Map(rows.map((r) => [r.event_id as EventId, r.txn_id]));
  }

  async findTxn(t: TxnKey): Promise<EventId | undefined> {
    const row = await this.db.selectFrom('event_txns').select('event_id')
      .where('user_id', '=', t.userId).where('device_id', '=', t.deviceId).where('scope', '=', t.scope).where('txn_id', '=', t.txnId)
      .executeTakeFirst();
    return row?.event_id as EventId | undefined;
  }

  async saveTxn(t: TxnKey, eventId: EventId, createdTs: number): Promise<void> {
    await this.db.insertInto('event_txns').values({
      user_id: t.userId, device_id: t.deviceId, scope: t.scope, txn_id: t.txnId, event_id: eventId, created_ts: createdTs,
    }).execute();
  }
}

