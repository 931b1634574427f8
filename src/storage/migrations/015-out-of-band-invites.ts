import type { Kysely } from 'kysely';

/**
 * Rooms Hearth knows only out of band: another server invited a local user, and Hearth holds the
 * invite (and the user's rejection of it) but none of the room's state or history. Such a room is
 * a `rooms` row marked `out_of_band`; its member events are stored as events without state
 * entries. `invite_room_state` keeps the stripped state the inviting server sent, per invitee,
 * shown to the client in /sync's `invite_state`.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('rooms').addColumn('out_of_band', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema
    .createTable('invite_room_state')
    .addColumn('room_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('events_json', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('invite_room_state_pk', ['room_id', 'user_id'])
    .execute();
}
