/**
 * The only file that branches on SQLite vs PostgreSQL inside the store: driver error shapes
 * and the few SQL spellings that differ.
 */
export type DialectName = 'sqlite' | 'postgres';

/** Whether a driver error is a unique/primary-key violation. */
export function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}

/** Which dialect a Kysely instance speaks (migrations need it for the few DDL differences). */
export function dialectOf(db: { getExecutor(): { adapter: unknown } }): DialectName {
  const name = (db.getExecutor().adapter as { constructor: { name: string } }).constructor.name;
  return name.startsWith('Postgres') ? 'postgres' : 'sqlite';
}
