import { sql, type Kysely, type Selectable } from 'kysely';
import { ConflictError } from '../errors.js';
import type { RegistrationToken, RegistrationTokenStore } from '../store.js';
import { isUniqueViolation } from './dialect.js';
import type { Database, RegistrationTokensTable } from './tables.js';

function toToken(row: Selectable<RegistrationTokensTable>): RegistrationToken {
  return { token: row.token, usesAllowed: row.uses_allowed, pending: row.pending, completed: row.completed, expiryTime: row.expiry_time };
}

export class KyselyRegistrationTokenStore implements RegistrationTokenStore {
  constructor(private readonly db: Kysely<Database>) {}

  async create(t: Pick<RegistrationToken, 'token' | 'usesAllowed' | 'expiryTime'>): Promise<void> {
    try {
      await this.db.insertInto('registration_tokens').values({ token: t.token, uses_allowed: t.usesAllowed, expiry_time: t.expiryTime }).execute();
    } catch (err) {
      if (isUniqueViolation(err)) throw new ConflictError(`registration token ${t.token}`);
      throw err;
    }
  }

  async get(token: string): Promise<RegistrationToken | undefined> {
    const row = await this.db.selectFrom('registration_tokens').selectAll().where('token', '=', token).executeTakeFirst();
    return row ? toToken(row) : undefined;
  }

  async list(): Promise<RegistrationToken[]> {
    return (await this.db.selectFrom('registration_tokens').selectAll().orderBy('token').execute()).map(toToken);
  }

  async update(token: string, fields: { usesAllowed?: number | null; expiryTime?: number | null }): Promise<RegistrationToken | undefined> {
    const set: { uses_allowed?: number | null; expiry_time?: number | null } = {};
    if (fields.usesAllowed !== undefined) set.uses_allowed = fields.usesAllowed;
    if (fields.expiryTime !== undefined) set.expiry_time = fields.expiryTime;
    if (Object.keys(set).length > 0) await this.db.updateTable('registration_tokens').set(set).where('token', '=', token).execute();
    return this.get(token);
  }

  async delete(token: string): Promise<boolean> {
    const res = await this.db.deleteFrom('registration_tokens').where('token', '=', token).executeTakeFirst();
    return Number(res.numDeletedRows) > 0;
  }

  async reserve(token: string, now: number): Promise<boolean> {
    const res = await this.db.updateTable('registration_tokens')
      .set({ pending: sql`pending + 1` })
      .where('token', '=', token)
      .where((eb) => eb.or([eb('uses_allowed', 'is', null), eb(sql`pending + completed`, '<', eb.ref('uses_allowed'))]))
      .where((eb) => eb.or([eb('expiry_time', 'is', null), eb('expiry_time', '>', now)]))
      .executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  }

  async finish(token: string, outcome: 'completed' | 'released'): Promise<void> {
    await this.db.updateTable('registration_tokens')
      .set(outcome === 'completed' ? { pending: sql`pending - 1`, completed: sql`completed + 1` } : { pending: sql`pending - 1` })
      .where('token', '=', token).where('pending', '>', 0)
      .execute();
  }
}
