import type { Clock } from '../../core/clock.js';
import type { DeleteRoomParams, ShutdownResult } from '../../core/admin/room-deletion.js';
import { unknownError } from '../../core/errors.js';
import { IN_ROOM_MEMBERSHIPS } from '../../core/events/types.js';
import { domainOf, type DeviceId, type RoomId, type UserId } from '../../core/ids.js';
import type { Store } from '../../storage/store.js';
import type { RoomWriter } from '../events/room-writer.js';
import type { Join } from '../membership/join.js';
import type { Leave } from '../membership/leave.js';
import type { RoomCreation } from '../rooms/create-room.js';
import type { Requester } from '../requester.js';

/** Where a deletion has got to: a job stores it, so that a resumed deletion carries on from there. */
export type DeletionProgress = (status: 'shutting_down' | 'purging', result: ShutdownResult) => Promise<void>;

export const emptyShutdownResult = (): ShutdownResult => ({ kicked_users: [], failed_to_kick_users: [], local_aliases: [], new_room_id: null });

/** A user of this server acting through the admin API (no device, no token of their own). */
export function actingAs(userId: UserId): Requester {
  return { userId, deviceId: '' as DeviceId, isAdmin: false, tokenHash: '' };
}

/**
 * Deletes a room as Synapse's admin API does: blocks it if asked, moves every local member out
 * (a leave of their own through the Leave service, with the message as its reason, so /sync
 * delivers it as LEAVING.md says) and, with `new_room_user_id`, into a new room with the message,
 * takes its aliases (moved to the new room, else deleted) and directory entry away, then purges it
 * with the forgotten-room purge's `deleteRoom`. Every step can be run again: a resumed deletion
 * finds what is done already done.
 */
export class RoomDeletion {
  constructor(private readonly deps: {
    store: Store; clock: Clock; writer: RoomWriter; serverName: string; rooms: RoomCreation; join: Join; leave: Leave;
  }) {}

  async delete(admin: UserId, roomId: RoomId, params: DeleteRoomParams, progress: DeletionProgress, done: ShutdownResult = emptyShutdownResult()): Promise<ShutdownResult> {
    const { store, clock } = this.deps;
    const result: ShutdownResult = structuredClone(done);
    if (params.block) await store.roomBlocks.block(roomId, admin, clock.now());
    if (!(await store.rooms.get(roomId))) return result;
    const newRoom = params.newRoomUserId === null ? null : (result.new_room_id as RoomId | null) ?? await this.newRoom(params.newRoomUserId, params);
    result.new_room_id = newRoom;
    await progress('shutting_down', result);

    const local = (await store.memberships.members(roomId, IN_ROOM_MEMBERSHIPS)).filter((m) => domainOf(m.userId) === this.deps.serverName);
    for (const { userId } of local) {
      try {
        await this.deps.leave.leave(actingAs(userId), roomId, { reason: params.message });
        if (newRoom) await this.deps.join.joinRoom(actingAs(userId), newRoom, {});
        result.kicked_users.push(userId);
      } catch {
        // Synapse's answer lists them; the purge below then refuses unless forced.
        result.failed_to_kick_users.push(userId);
      }
      await progress('shutting_down', result);
    }

    for (const alias of await store.aliases.forRoom(roomId)) {
      await store.transaction(async (tx) => {
        await tx.aliases.delete(alias);
        if (newRoom && params.newRoomUserId) await tx.aliases.create(alias, newRoom, params.newRoomUserId, clock.now());
      });
      result.local_aliases.push(alias);
    }
    await store.rooms.setPublic(roomId, false);
    if (!params.purge) return result;

    await progress('purging', result);
    await store.transaction(async (tx) => {
      await tx.rooms.lock(roomId);
      const stillIn = (await tx.memberships.members(roomId, IN_ROOM_MEMBERSHIPS)).some((m) => domainOf(m.userId) === this.deps.serverName);
      if (stillIn && !params.forcePurge) throw unknownError(400, 'Local users are still in the room: not purged (force_purge purges anyway)');
      // The forgotten-room purge's deletion (LEAVING.md): no row of the room is left.
      await tx.purge.deleteRoom(roomId);
    });
    return result;
  }

  /** The room the members are moved to: public so that they can be joined to it, where they may not speak. */
  private async newRoom(creator: UserId, params: DeleteRoomParams): Promise<RoomId> {
    const { room_id } = await this.deps.rooms.create(actingAs(creator), {
      preset: 'public_chat', name: params.roomName, power_level_content_override: { users_default: -10 },
    });
    await this.deps.writer.write(room_id, (room) =>
      room.append({ type: 'm.room.message', sender: creator, content: { msgtype: 'm.text', body: params.message } }));
    return room_id;
  }
}
