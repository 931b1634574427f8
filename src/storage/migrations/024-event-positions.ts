import { sql, type Kysely } from 'kysely';
import { dialectOf } from '../kysely-store/dialect.js';

/**
 * Event positions without a global lock (issue 14 section 5), PostgreSQL only: SQLite has one
 * writer, so its positions commit in order and its readable position is simply the highest one.
 *
 * A writer reserves its position with `hearth_reserve_event_pos()`: the next value of the events'
 * sequence, and a transaction-level advisory lock on that position (key space "HE", two-int form:
 * 0x4845 in the high half of the first key with the position's bits 32-47 in its low half, bits
 * 0-31 in the second key). PostgreSQL drops the lock at COMMIT, at ROLLBACK and when the writer's
 * connection is lost, so a crashed writer's position never holds readers back.
 *
 * `hearth_readable_event_pos()` is the highest position p such that no writer holds a position
 * <= p: every position up to it has committed (or was given up). Taking a value of the sequence
 * and locking it are two steps, so both functions hold a session lock on one more key around them,
 * exclusively when reserving and shared when reading (microseconds, never until COMMIT): a reader
 * never sees a position taken but not yet locked.
 */
/** The session lock key around reserving (any constant, unique to this use: "HEARPOS" in ASCII). */
const RESERVING = '20342345179352915';

export async function up(db: Kysely<unknown>): Promise<void> {
  if (dialectOf(db) !== 'postgres') return;
  const { rows } = await sql<{ seq: string }>`SELECT pg_get_serial_sequence('events', 'stream_pos') AS seq`.execute(db);
  const sequence = rows[0]!.seq;
  await sql.raw(`
    CREATE FUNCTION hearth_reserve_event_pos() RETURNS bigint LANGUAGE plpgsql AS $fn$
    DECLARE
      pos bigint;
    BEGIN
      PERFORM pg_advisory_lock(${RESERVING});
      BEGIN
        pos := nextval('${sequence}');
        PERFORM pg_advisory_xact_lock(
          ((18501::bigint << 16) | ((pos >> 32) & 65535))::int,
          ((pos & 4294967295) - CASE WHEN (pos & 2147483648) <> 0 THEN 4294967296 ELSE 0 END)::int);
      EXCEPTION WHEN OTHERS OR query_canceled THEN
        PERFORM pg_advisory_unlock(${RESERVING});
        RAISE;
      END;
      PERFORM pg_advisory_unlock(${RESERVING});
      RETURN pos;
    END
    $fn$`).execute(db);
  await sql.raw(`
    CREATE FUNCTION hearth_readable_event_pos() RETURNS bigint LANGUAGE plpgsql AS $fn$
    DECLARE
      taken bigint;
      held bigint;
    BEGIN
      PERFORM pg_advisory_lock_shared(${RESERVING});
      BEGIN
        SELECT CASE WHEN is_called THEN last_value ELSE 0 END INTO taken FROM ${sequence};
        SELECT min(((l.classid::bigint & 65535) << 32) | l.objid::bigint) INTO held FROM pg_locks l
          WHERE l.locktype = 'advisory' AND l.objsubid = 2 AND (l.classid::bigint >> 16) = 18501
            AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database());
      EXCEPTION WHEN OTHERS OR query_canceled THEN
        PERFORM pg_advisory_unlock_shared(${RESERVING});
        RAISE;
      END;
      PERFORM pg_advisory_unlock_shared(${RESERVING});
      RETURN COALESCE(held - 1, taken);
    END
    $fn$`).execute(db);
}
