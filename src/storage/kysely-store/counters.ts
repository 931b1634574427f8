import type { Kysely } from 'kysely';
import type { StreamCounters, StreamName } from '../sync-store.js';
import type { Database } from './tables.js';

export class KyselyStreamCounters implements StreamCounters {
  constructor(private readonly db: Kysely<Database>) {}

  async next(name: StreamName): Promise<number> {
    // One statement, so two first uses cannot both insert; the updated row stays locked until commit.
    const row = await this.db.insertInto('stream_counters').values({ name, value: 1 })
      .onConflict((oc) => oc.column('name').doUpdateSet((eb) => ({ value: eb('stream_counters.value', '+', 1) })))
      .returning('value').executeTakeFirstOrThrow();
    return Number(row.value);
  }

  async current(name: StreamName): Promise<number> {
    const row = await this.db.selectFrom('stream_counters').select('value').where('name', '=', name).executeTakeFirst();
    return Number(row?.value ?? 0);
  }
}

/** Lists bound into `IN (...)` are cut into pieces of this size (both dialects cap bound parameters). */
export const IN_CHUNK = 500;

export function chunks<T>(items: readonly T[], size = IN_CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
