import { deleteRoomParamsJson, parseDeleteRoomParams, type ShutdownResult } from '../../core/admin/room-deletion.js';
import { invalidParam, notFound } from '../../core/errors.js';
import type { RoomId, UserId } from '../../core/ids.js';
import type { JsonObject } from '../../core/json.js';
import { FINAL_JOB_STATUSES, type AdminJob } from '../../storage/admin-store.js';
import type { Store } from '../../storage/store.js';
import type { Requester } from '../requester.js';
import type { AdminJobs, JobHandler } from './admin-jobs.js';
import { emptyShutdownResult, type RoomDeletion } from './room-deletion.js';
import { requireAdmin } from './admin-access.js';

/** The status of a v2 deletion as Synapse shows it. */
export interface DeleteStatus {
  status: string;
  error?: string;
  shutdown_room: ShutdownResult;
}

/** `DELETE /_synapse/admin/v1/rooms/{roomId}` (at once), `/v2/...` (a job) and the v2 status endpoints. */
export class DeleteRoomRequests {
  constructor(private readonly deps: { store: Store; serverName: string; deletion: RoomDeletion; jobs: AdminJobs }) {}

  /** v1: the deletion runs within the request. An unknown room may only be blocked, as Synapse allows. */
  async deleteNow(requester: Requester, roomId: RoomId, body: unknown): Promise<ShutdownResult> {
    requireAdmin(requester);
    const params = parseDeleteRoomParams(body, this.deps.serverName);
    if (!params.block && !(await this.deps.store.rooms.get(roomId))) throw invalidParam('Unknown room');
    return this.deps.deletion.delete(requester.userId, roomId, params, async () => {});
  }

  /** v2: stores the job and answers at once; one deletion of a room at a time. */
  async start(requester: Requester, roomId: RoomId, body: unknown): Promise<{ delete_id: string }> {
    requireAdmin(requester);
    const params = parseDeleteRoomParams(body, this.deps.serverName);
    if (!(await this.deps.store.rooms.get(roomId))) throw invalidParam('Unknown room');
    const jobs = await this.deps.store.adminJobs.forRoom(roomId, 'delete_room');
    if (jobs.some((j) => !FINAL_JOB_STATUSES.includes(j.status))) throw invalidParam('A deletion of this room is already under way');
    const stored = { ...deleteRoomParamsJson(params), requested_by: requester.userId };
    return { delete_id: await this.deps.jobs.enqueue('delete_room', roomId, 'shutting_down', stored) };
  }

  async statusOfRoom(requester: Requester, roomId: RoomId): Promise<{ results: Array<DeleteStatus & { delete_id: string }> }> {
    requireAdmin(requester);
    const jobs = await this.deps.store.adminJobs.forRoom(roomId, 'delete_room');
    if (jobs.length === 0) throw notFound('No deletion of this room');
    return { results: jobs.map((j) => ({ delete_id: j.id, ...statusOf(j) })) };
  }

  async status(requester: Requester, deleteId: string): Promise<DeleteStatus> {
    requireAdmin(requester);
    const job = await this.deps.store.adminJobs.get(deleteId);
    if (!job || job.kind !== 'delete_room') throw notFound('No deletion with this ID');
    return statusOf(job);
  }
}

/** Runs a stored deletion, from where its stored result says it got to. */
export function deleteRoomJob(deps: { deletion: RoomDeletion; serverName: string }): JobHandler {
  return async (job, progress) => {
    const params = parseDeleteRoomParams(job.params, deps.serverName);
    const done = (job.result ?? undefined) as ShutdownResult | undefined;
    const result = await deps.deletion.delete(job.params.requested_by as UserId, job.roomId, params,
      (status, r) => progress(status, r as unknown as JsonObject), done);
    return result as unknown as JsonObject;
  };
}

function statusOf(job: AdminJob): DeleteStatus {
  return {
    status: job.status,
    ...(job.error === null ? {} : { error: job.error }),
    shutdown_room: (job.result as unknown as ShutdownResult | null) ?? emptyShutdownResult(),
  };
}
