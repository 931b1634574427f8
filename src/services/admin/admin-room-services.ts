import type { Clock } from '../../core/clock.js';
import type { Store } from '../../storage/store.js';
import type { RoomWriter } from '../events/room-writer.js';
import type { Invite } from '../membership/invite.js';
import type { Join } from '../membership/join.js';
import type { Leave } from '../membership/leave.js';
import type { PurgeLogger } from '../purge/forgotten-rooms.js';
import type { ClientEvents } from '../rooms/client-events.js';
import type { RoomCreation } from '../rooms/create-room.js';
import { AdminJobs } from './admin-jobs.js';
import { deleteRoomJob, DeleteRoomRequests } from './delete-room.js';
import { RoomBlocks } from './room-blocks.js';
import { RoomDeletion } from './room-deletion.js';
import { AdminRoomMembership } from './room-membership.js';
import { PurgeHistoryRequests, purgeHistoryJob } from './purge-history.js';
import { AdminRooms } from './rooms.js';

/** The room side of Synapse's admin API (src/http/admin.ts, src/http/admin-rooms.ts). */
export interface AdminRoomServices {
  /** The room list, details, members and state. */
  readonly views: AdminRooms;
  readonly blocks: RoomBlocks;
  readonly deletions: DeleteRoomRequests;
  /** make_room_admin and the admin join. */
  readonly membership: AdminRoomMembership;
  readonly purgeHistory: PurgeHistoryRequests;
  /** Deletions and history purges run in the background; started and stopped by the app. */
  readonly jobs: AdminJobs;
}

export function createAdminRoomServices(deps: {
  store: Store; clock: Clock; serverName: string; writer: RoomWriter; events: ClientEvents;
  rooms: RoomCreation; join: Join; leave: Leave; invite: Invite; logger: PurgeLogger;
}): AdminRoomServices {
  const { store, clock, serverName } = deps;
  const deletion = new RoomDeletion(deps);
  const jobs = new AdminJobs({ store, clock, logger: deps.logger, handlers: {
    delete_room: deleteRoomJob({ deletion, serverName }),
    purge_history: purgeHistoryJob({ store, serverName }),
  } });
  return {
    views: new AdminRooms(deps),
    blocks: new RoomBlocks(deps),
    deletions: new DeleteRoomRequests({ store, serverName, deletion, jobs }),
    membership: new AdminRoomMembership(deps),
    purgeHistory: new PurgeHistoryRequests({ store, serverName, jobs }),
    jobs,
  };
}
