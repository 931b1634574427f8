import type { Kysely } from 'kysely';

/**
 * Synapse's admin API for users and registration tokens (issue 19).
 *
 * - `users.erased`: the account was deactivated with `erase` (its profile was removed with it).
 * - `access_tokens.valid_until_ts`: when a token stops working (null: never); only the admin's
 *   "log in as a user" sets one.
 * - `registration_tokens`: tokens an admin created for `m.login.registration_token`, besides the
 *   configured ones. `pending` counts registrations that passed the token stage and are being
 *   created, `completed` those created; a token is used up when the two reach `uses_allowed`.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('users').addColumn('erased', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('access_tokens').addColumn('valid_until_ts', 'bigint').execute();
  await db.schema
    .createTable('registration_tokens')
    .addColumn('token', 'text', (c) => c.primaryKey())
    .addColumn('uses_allowed', 'bigint')
    .addColumn('pending', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('completed', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('expiry_time', 'bigint')
    .execute();
}
