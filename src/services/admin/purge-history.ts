import { badJson, invalidParam, notFound } from '../../core/errors.js';
import { parseEventId, type RoomId } from '../../core/ids.js';
import { isJsonObject } from '../../core/json.js';
import type { Store } from '../../storage/store.js';
import type { Requester } from '../requester.js';
import type { AdminJobs, JobHandler } from './admin-jobs.js';
import { requireAdmin } from './admin-access.js';

/**
 * `POST /_synapse/admin/v1/purge_history/{roomId}[/{eventId}]` and its status: removes a room's
 * timeline events before a point, as a job. State events are never removed (so neither the create
 * event nor anything the room's state, current or past, rests on); events sent by this server's users only with
 * `delete_local_events`.
 */
export class PurgeHistoryRequests {
  constructor(private readonly deps: { store: Store; serverName: string; jobs: AdminJobs }) {}

  async start(requester: Requester, roomId: RoomId, eventIdInPath: string | undefined, body: unknown): Promise<{ purge_id: string }> {
    requireAdmin(requester);
    if (!isJsonObject(body)) throw badJson('The body must be a JSON object');
    const deleteLocal = body.delete_local_events ?? false;
    if (typeof deleteLocal !== 'boolean') throw badJson('delete_local_events must be a boolean');
    if (!(await this.deps.store.rooms.get(roomId))) throw notFound('Room not found');
    const rawEventId = eventIdInPath ?? body.purge_up_to_event_id;
    let point: { pos: number } | { ts: number };
    if (rawEventId !== undefined) {
      const eventId = typeof rawEventId === 'string' ? parseEventId(rawEventId) : undefined;
      const stored = eventId ? await this.deps.store.events.get(eventId) : undefined;
      if (!stored || stored.event.room_id !== roomId) throw invalidParam('The event is not in this room');
      point = { pos: stored.pos };
    } else if (typeof body.purge_up_to_ts === 'number' && Number.isSafeInteger(body.purge_up_to_ts)) {
      point = { ts: body.purge_up_to_ts };
    } else {
      throw invalidParam('Give purge_up_to_event_id (or the event ID in the path) or purge_up_to_ts, an integer');
    }
    return { purge_id: await this.deps.jobs.enqueue('purge_history', roomId, 'active', { ...point, delete_local_events: deleteLocal }) };
  }

  async status(requester: Requester, purgeId: string): Promise<{ status: string; error?: string }> {
    requireAdmin(requester);
    const job = await this.deps.store.adminJobs.get(purgeId);
    if (!job || job.kind !== 'purge_history') throw notFound('No purge with this ID');
    return { status: job.status, ...(job.error === null ? {} : { error: job.error }) };
  }
}

/** Runs a stored history purge: one statement per table, under the room's lock (so no event is written meanwhile). */
export function purgeHistoryJob(deps: { store: Store; serverName: string }): JobHandler {
  return async (job) => {
    const { pos, ts, delete_local_events: deleteLocal } = job.params;
    const before = { ...(typeof pos === 'number' ? { pos } : {}), ...(typeof ts === 'number' ? { ts } : {}) };
    const deleted = await deps.store.transaction(async (tx) => {
      await tx.rooms.lock(job.roomId);
      return tx.purge.deleteHistory(job.roomId, before, deleteLocal === true ? null : deps.serverName);
    });
    return { deleted_events: deleted };
  };
}
