import type { Kysely, Selectable } from 'kysely';
import type { JsonObject } from '../../core/json.js';
import type { OutboxItem, OutboxStore } from '../outbox-store.js';
import type { DialectName } from './dialect.js';
import type { Database, FederationOutboxTable } from './tables.js';

export class KyselyOutboxStore implements OutboxStore {
  constructor(private readonly db: Kysely<Database>, private readonly dialect: DialectName) {}

  async enqueue(item: Pick<OutboxItem, 'kind' | 'supersedeKey' | 'destinations' | 'payload' | 'createdTs'>): Promise<number> {
    // A new id, not an update in place: a worker holding the older item must not remove this one.
    await this.cancel(item.supersedeKey);
    const row = await this.db.insertInto('federation_outbox').values({
      supersede_key: item.supersedeKey,
      kind: item.kind,
      destinations: JSON.stringify(item.destinations),
      payload: JSON.stringify(item.payload),
      next_attempt_ts: item.createdTs,
      last_error: null,
      created_ts: item.createdTs,
    }).returning('id').executeTakeFirstOrThrow();
    return Number(row.id);
  }

  async cancel(supersedeKey: string): Promise<boolean> {
    const result = await this.db.deleteFrom('federation_outbox').where('supersede_key', '=', supersedeKey).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  async claimDue(now: number, leaseUntil: number, limit: number): Promise<OutboxItem[]> {
    let due = this.db.selectFrom('federation_outbox').select('id').where('next_attempt_ts', '<=', now)
      .orderBy('next_attempt_ts').orderBy('id').limit(limit);
    // PostgreSQL: concurrent claimers in other processes pass over rows being claimed. SQLite has one writer.
    if (this.dialect === 'postgres') due = due.forUpdate().skipLocked();
    const rows = await this.db.updateTable('federation_outbox').set({ next_attempt_ts: leaseUntil })
      .where('id', 'in', due).returningAll().execute();
    return rows.map(toItem).sort((a, b) => a.createdTs - b.createdTs || a.id - b.id);
  }

  async remove(id: number): Promise<boolean> {
    const result = await this.db.deleteFrom('federation_outbox').where('id', '=', id).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  async reschedule(id: number, nextAttemptTs: number, lastError: string): Promise<void> {
    await this.db.updateTable('federation_outbox')
      .set((eb) => ({ attempts: eb('attempts', '+', 1), next_attempt_ts: nextAttemptTs, last_error: lastError }))
      .where('id', '=', id).execute();
  }

  async get(supersedeKey: string): Promise<OutboxItem | undefined> {
    const row = await this.db.selectFrom('federation_outbox').selectAll().where('supersede_key', '=', supersedeKey).executeTakeFirst();
    return row ? toItem(row) : undefined;
  }

  async count(): Promise<number> {
    const row = await this.db.selectFrom('federation_outbox').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async nextDueTs(): Promise<number | undefined> {
    const row = await this.db.selectFrom('federation_outbox').select((eb) => eb.fn.min('next_attempt_ts').as('ts')).executeTakeFirst();
    return row?.ts === null || row?.ts === undefined ? undefined : Number(row.ts);
  }
}

function toItem(row: Selectable<FederationOutboxTable>): OutboxItem {
  return {
    id: Number(row.id),
    kind: row.kind,
    supersedeKey: row.supersede_key,
    destinations: JSON.parse(row.destinations) as string[],
    payload: JSON.parse(row.payload) as JsonObject,
    attempts: Number(row.attempts),
    nextAttemptTs: Number(row.next_attempt_ts),
    lastError: row.last_error,
    createdTs: Number(row.created_ts),
  };
}
