import type { Kysely, Selectable } from 'kysely';
import type { PresenceState } from '../../core/ephemeral/presence.js';
import type { UserId } from '../../core/ids.js';
import type { PresenceRecord, PresenceStore } from '../sync-store.js';
import { chunks } from './counters.js';
import type { PresenceTable } from './sync-tables.js';
import type { Database } from './tables.js';

function toRecord(r: Selectable<PresenceTable>): PresenceRecord {
  return {
    userId: r.user_id as UserId,
    presence: r.presence as PresenceState,
    statusMsg: r.status_msg,
    lastActiveTs: Number(r.last_active_ts),
    pos: Number(r.stream_pos),
  };
}

export class KyselyPresenceStore implements PresenceStore {
  constructor(private readonly db: Kysely<Database>) {}

  async put(r: PresenceRecord): Promise<void> {
    const changed = { presence: r.presence, status_msg: r.statusMsg, last_active_ts: r.lastActiveTs, stream_pos: r.pos };
    await this.db.insertInto('presence').values({ user_id: r.userId, ...changed })
      .onConflict((oc) => oc.column('user_id').doUpdateSet(changed))
      .execute();
  }

  async get(userId: UserId): Promise<PresenceRecord | undefined> {
    const row = await this.db.selectFrom('presence').selectAll().where('user_id', '=', userId).executeTakeFirst();
    return row ? toRecord(row) : undefined;
  }

  async touch(userId: UserId, lastActiveTs: number): Promise<void> {
    await this.db.updateTable('presence').set({ last_active_ts: lastActiveTs }).where('user_id', '=', userId).execute();
  }

  async changedSince(userIds: readonly UserId[], sincePos: number, upTo?: number): Promise<PresenceRecord[]> {
    const out: PresenceRecord[] = [];
    for (const part of chunks(userIds)) {
      let q = this.db.selectFrom('presence').selectAll().where('user_id', 'in', part).where('stream_pos', '>', sincePos);
      if (upTo !== undefined) q = q.where('stream_pos', '<=', upTo);
      out.push(...(await q.execute()).map(toRecord));
    }
    return out.sort((a, b) => a.pos - b.pos);
  }
}
