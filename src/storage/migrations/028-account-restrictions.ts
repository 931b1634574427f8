import type { Kysely } from 'kysely';

/**
 * Account suspension and locking (spec v1.18 / v1.19, issue 18): both are reversible marks an admin
 * sets on a local account. A locked user's every authenticated request fails with M_USER_LOCKED; a
 * suspended user may read and leave, but not write (M_USER_SUSPENDED).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('users').addColumn('suspended', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('users').addColumn('locked', 'integer', (c) => c.notNull().defaultTo(0)).execute();
}
