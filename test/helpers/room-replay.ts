import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import { checkEventAuth } from '../../src/core/auth-rules/check-event.js';
import { stateLookupOf } from '../../src/core/auth-rules/auth-events.js';
import type { RoomEvent } from '../../src/core/events/types.js';
import { getRoomVersion } from '../../src/core/room-versions.js';
import type { RawDatabase } from './db-scan.js';

/** What a raw read of one room returns: its events in stream order and its current state rows. */
export interface RoomDump {
  roomId: string;
  roomVersion: string;
  /** Every event of the room in `stream_pos` order, parsed from the stored JSON. */
  events: Array<{ pos: number; depth: number; eventId: string; event: RoomEvent }>;
  /** `state_entries` rows with `to_pos` null, as "type\u0000state_key" -> event_id. */
  current: Map<string, string>;
  /** `memberships` rows, user_id -> { membership, forgotten }. */
  memberships: Map<string, { membership: string; forgotten: boolean; eventId: string }>;
}

export const stateKey = (type: string, key: string): string => `${type}\u0000${key}`;

type Row = Record<string, unknown>;

async function query(database: RawDatabase, statements: Array<{ sql: string; params: unknown[] }>): Promise<Row[][]> {
  if (database.kind === 'sqlite') {
    const db = new SqliteDatabase(database.path, { readonly: true });
    try {
      return statements.map((s) => db.prepare(s.sql.replace(/\$\d+/g, '?')).all(...s.params) as Row[]);
    } finally {
      db.close();
    }
  }
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    // One snapshot for all statements, so that events and state are read consistently.
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
    const out: Row[][] = [];
    for (const s of statements) out.push((await client.query(s.sql, s.params)).rows as Row[]);
    await client.query('COMMIT');
    return out;
  } finally {
    await client.end();
  }
}

/** Reads every room (or the given ones) directly from the database, behind the server's back. */
export async function dumpRooms(database: RawDatabase, roomIds?: string[]): Promise<RoomDump[]> {
  const [rooms, events, state, members] = await query(database, [
    { sql: 'SELECT room_id, room_version FROM rooms ORDER BY room_id', params: [] },
    { sql: 'SELECT room_id, stream_pos, depth, event_id, json FROM events ORDER BY stream_pos', params: [] },
    { sql: 'SELECT room_id, type, state_key, event_id FROM state_entries WHERE to_pos IS NULL', params: [] },
    { sql: 'SELECT room_id, user_id, membership, forgotten, event_id FROM memberships', params: [] },
  ]);
  const out = new Map<string, RoomDump>();
  for (const r of rooms!) {
    const roomId = String(r.room_id);
    if (roomIds && !roomIds.includes(roomId)) continue;
    out.set(roomId, { roomId, roomVersion: String(r.room_version), events: [], current: new Map(), memberships: new Map() });
  }
  for (const e of events!) {
    const dump = out.get(String(e.room_id));
    if (!dump) continue;
    // A half-written event would fail to parse here.
    const event = JSON.parse(String(e.json)) as RoomEvent;
    dump.events.push({ pos: Number(e.stream_pos), depth: Number(e.depth), eventId: String(e.event_id), event });
  }
  for (const s of state!) {
    const dump = out.get(String(s.room_id));
    if (!dump) continue;
    const key = stateKey(String(s.type), String(s.state_key));
    if (dump.current.has(key)) throw new Error(`two current state rows for ${key} in ${dump.roomId}`);
    dump.current.set(key, String(s.event_id));
  }
  for (const m of members!) {
    const dump = out.get(String(m.room_id));
    if (!dump) continue;
    dump.memberships.set(String(m.user_id), { membership: String(m.membership), forgotten: Number(m.forgotten) !== 0, eventId: String(m.event_id) });
  }
  return [...out.values()];
}

/** Applies each state event in order; the resulting "type\u0000state_key" -> event map. */
export function replayState(events: readonly RoomEvent[]): Map<string, RoomEvent> {
  const state = new Map<string, RoomEvent>();
  for (const event of events) if (typeof event.state_key === 'string') state.set(stateKey(event.type, event.state_key), event);
  return state;
}

/**
 * Checks one room's structure: a single line (each event's prev_events is exactly the previous
 * event, depth +1), event IDs matching the rows, current state rows equal to the replay, and the
 * memberships table agreeing with the member state. Returns problems as strings.
 */
export function lineProblems(dump: RoomDump): string[] {
  const problems: string[] = [];
  let prev: RoomDump['events'][number] | undefined;
  for (const row of dump.events) {
    const { event } = row;
    if (event.event_id !== row.eventId) problems.push(`row ${row.pos}: json event_id ${event.event_id} != column ${row.eventId}`);
    if (event.room_id !== dump.roomId) problems.push(`row ${row.pos}: room ${event.room_id}`);
    if (Number(event.depth) !== row.depth) problems.push(`row ${row.pos}: depth column ${row.depth} != json ${event.depth}`);
    const prevEvents = (event as unknown as { prev_events: unknown }).prev_events;
    if (!prev) {
      if (event.type !== 'm.room.create') problems.push(`first event ${row.eventId} is ${event.type}`);
      if (!Array.isArray(prevEvents) || prevEvents.length !== 0) problems.push(`create event has prev_events ${JSON.stringify(prevEvents)}`);
    } else {
      if (JSON.stringify(prevEvents) !== JSON.stringify([prev.eventId])) {
        problems.push(`${row.eventId} (pos ${row.pos}) prev_events ${JSON.stringify(prevEvents)}, expected [${prev.eventId}]`);
      }
      if (row.depth !== prev.depth + 1) problems.push(`${row.eventId} depth ${row.depth} after ${prev.depth}`);
    }
    prev = row;
  }
  const replay = replayState(dump.events.map((e) => e.event));
  const replayIds = new Map([...replay].map(([k, e]) => [k, e.event_id as string]));
  for (const [k, id] of replayIds) if (dump.current.get(k) !== id) problems.push(`state ${k.replace('\u0000', '|')}: replay ${id}, table ${dump.current.get(k)}`);
  for (const [k, id] of dump.current) if (!replayIds.has(k)) problems.push(`state ${k.replace('\u0000', '|')}: table ${id} not in replay`);
  for (const [k, e] of replay) {
    if (e.type !== 'm.room.member') continue;
    const m = dump.memberships.get(e.state_key!);
    const want = (e.content as { membership?: string }).membership;
    if (!m || m.membership !== want || m.eventId !== e.event_id) problems.push(`memberships row for ${k.split('\u0000')[1]}: ${JSON.stringify(m)} vs ${want} ${e.event_id}`);
  }
  return problems;
}

/** Checks every event of the room against the state before it (rebuilt by replay), with the room's version. */
export function authProblems(dump: RoomDump): string[] {
  const version = getRoomVersion(dump.roomVersion);
  if (!version) return [`unknown room version ${dump.roomVersion}`];
  const problems: string[] = [];
  const state = new Map<string, RoomEvent>();
  for (const { event } of dump.events) {
    const result = checkEventAuth(event, stateLookupOf(state.values()), version);
    if (!result.allowed) problems.push(`${event.event_id} ${event.type} ${event.sender} -> ${event.state_key ?? ''}: rule ${result.rule}: ${result.reason}`);
    if (typeof event.state_key === 'string') state.set(stateKey(event.type, event.state_key), event);
  }
  return problems;
}
