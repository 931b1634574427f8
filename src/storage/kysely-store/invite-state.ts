import type { Kysely } from 'kysely';
import type { StrippedStateEvent } from '../../core/federation/inbound-invite.js';
import type { RoomId, UserId } from '../../core/ids.js';
import type { InviteStateStore } from '../room-store.js';
import type { Database } from './tables.js';

export class KyselyInviteStateStore implements InviteStateStore {
  constructor(private readonly db: Kysely<Database>) {}

  async put(roomId: RoomId, userId: UserId, events: readonly StrippedStateEvent[]): Promise<void> {
    const eventsJson = JSON.stringify(events);
    await this.db.insertInto('invite_room_state').values({ room_id: roomId, user_id: userId, events_json: eventsJson })
      .onConflict((oc) => oc.columns(['room_id', 'user_id']).doUpdateSet({ events_json: eventsJson })).execute();
  }

  async get(roomId: RoomId, userId: UserId): Promise<StrippedStateEvent[] | undefined> {
    const row = await this.db.selectFrom('invite_room_state').select('events_json')
      .where('room_id', '=', roomId).where('user_id', '=', userId).executeTakeFirst();
    return row ? (JSON.parse(row.events_json) as StrippedStateEvent[]) : undefined;
  }
}
