import { roomEntry } from '../../core/admin/room-list.js';
import { notFound } from '../../core/errors.js';
import type { EventId, RoomId } from '../../core/ids.js';
import type { JsonObject } from '../../core/json.js';
import type { Report } from '../../storage/search-store.js';
import type { Store } from '../../storage/store.js';
import type { Requester } from '../requester.js';
import { requireAdmin } from './admin-access.js';

export interface EventReportQuery {
  from: number;
  limit: number;
  dir: 'f' | 'b';
  user_id?: string;
  room_id?: string;
}

/** One event report as Synapse's admin API shows it (event_reports.md). */
export interface EventReportEntry {
  id: number;
  received_ts: number;
  room_id: RoomId;
  name: string | null;
  canonical_alias: string | null;
  event_id: string;
  user_id: string;
  reason: string | null;
  score: number | null;
  sender: string | null;
}

/** `GET`/`DELETE /_synapse/admin/v1/event_reports[/{reportId}]`: the reports of events users made (POST /report). */
export class AdminEventReports {
  constructor(private readonly deps: { store: Store; serverName: string }) {}

  async list(requester: Requester, q: EventReportQuery): Promise<{ event_reports: EventReportEntry[]; total: number; next_token?: number }> {
    requireAdmin(requester);
    const { reports, total } = await this.deps.store.reports.eventReports({
      offset: q.from, limit: q.limit, dir: q.dir,
      ...(q.user_id === undefined ? {} : { reporter: q.user_id }),
      ...(q.room_id === undefined ? {} : { roomId: q.room_id }),
    });
    const rooms = new Map<RoomId, Promise<RoomNames>>();
    const entries = await Promise.all(reports.map(async (report) => {
      const roomId = targetOf(report).roomId;
      if (!rooms.has(roomId)) rooms.set(roomId, this.roomNames(roomId));
      return this.entry(report, await rooms.get(roomId)!);
    }));
    const next = q.from + entries.length;
    // As Synapse: a next_token only while more reports follow.
    return { event_reports: entries, total, ...(next < total && entries.length > 0 ? { next_token: next } : {}) };
  }

  async get(requester: Requester, id: number): Promise<EventReportEntry & { event_json: JsonObject | null }> {
    requireAdmin(requester);
    const report = await this.eventReport(id);
    const entry = await this.entry(report, await this.roomNames(targetOf(report).roomId));
    const stored = await this.deps.store.events.get(targetOf(report).eventId);
    return { ...entry, event_json: stored ? (stored.event as unknown as JsonObject) : null };
  }

  async delete(requester: Requester, id: number): Promise<Record<string, never>> {
    requireAdmin(requester);
    await this.eventReport(id);
    if (!(await this.deps.store.reports.delete(id))) throw notFound('Event report not found');
    return {};
  }

  private async eventReport(id: number): Promise<Report> {
    const report = await this.deps.store.reports.get(id);
    if (report?.target.kind !== 'event') throw notFound('Event report not found');
    return report;
  }

  private async roomNames(roomId: RoomId): Promise<RoomNames> {
    const [facts] = await this.deps.store.roomSummaries.summaries(this.deps.serverName, roomId);
    if (!facts) return { name: null, canonical_alias: null };
    const { name, canonical_alias } = roomEntry(facts);
    return { name, canonical_alias };
  }

  private async entry(report: Report, names: RoomNames): Promise<EventReportEntry> {
    const eventId = targetOf(report).eventId;
    const stored = await this.deps.store.events.get(eventId);
    return {
      id: report.id, received_ts: report.receivedTs, room_id: targetOf(report).roomId, ...names,
      event_id: eventId, user_id: report.reporter, reason: report.reason, score: report.score,
      sender: stored?.event.sender ?? null,
    };
  }
}

type RoomNames = { name: string | null; canonical_alias: string | null };

/** The reported event: the store's eventReports() and eventReport() return only reports of events. */
function targetOf(report: Report): { roomId: RoomId; eventId: EventId } {
  if (report.target.kind !== 'event') throw new Error('not an event report');
  return report.target;
}
