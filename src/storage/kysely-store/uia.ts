import type { Kysely } from 'kysely';
import type { UserId } from '../../core/ids.js';
import type { UiaSession, UiaStore } from '../store.js';
import type { Database } from './tables.js';

export class KyselyUiaStore implements UiaStore {
  constructor(private readonly db: Kysely<Database>) {}

  async create(s: UiaSession): Promise<void> {
    await this.db.insertInto('uia_sessions').values({
      session_id: s.sessionId, purpose: s.purpose, user_id: s.userId, completed: JSON.stringify(s.completed), created_ts: s.createdTs,
    }).execute();
  }

  async get(sessionId: string): Promise<UiaSession | undefined> {
    const row = await this.db.selectFrom('uia_sessions').selectAll().where('session_id', '=', sessionId).executeTakeFirst();
    if (!row) return undefined;
    return {
      sessionId: row.session_id,
      purpose: row.purpose,
      userId: row.user_id as UserId | null,
      completed: JSON.parse(row.completed) as string[],
      createdTs: row.created_ts,
    };
  }

  async setCompleted(sessionId: string, completed: string[]): Promise<void> {
    await this.db.updateTable('uia_sessions').set({ completed: JSON.stringify(completed) }).where('session_id', '=', sessionId).execute();
  }

  async delete(sessionId: string): Promise<void> {
    await this.db.deleteFrom('uia_sessions').where('session_id', '=', sessionId).execute();
  }

  async deleteOlderThan(ts: number): Promise<void> {
    await this.db.deleteFrom('uia_sessions').where('created_ts', '<', ts).execute();
  }
}
