import type { ExpressionBuilder, Kysely, Selectable } from 'kysely';
import type { DeviceId, EventId, RoomId, UserId } from '../../core/ids.js';
import type { JsonObject } from '../../core/json.js';
import type {
  ListedNotification, NewPusher, NotificationRecord, NotificationStore, PusherKey, PusherRecord, PusherStore,
} from '../push-store.js';
import type { NotificationsTable, PushersTable } from './push-tables.js';
import type { Database } from './tables.js';

/** The receipt types that mark a notification read (spec: "Receipts", unread counts). */
const READ_RECEIPTS = ['m.read', 'm.read.private'];
const PROGRESS = 'notifications';

export class KyselyPusherStore implements PusherStore {
  constructor(private readonly db: Kysely<Database>) {}

  async list(userId: UserId): Promise<PusherRecord[]> {
    const rows = await this.db.selectFrom('pushers').selectAll().where('user_id', '=', userId).orderBy('app_id').orderBy('pushkey').execute();
    return rows.map(toPusher);
  }

  async set(p: NewPusher, o: { append: boolean; fromPos: number }): Promise<void> {
    if (!o.append) {
      await this.db.deleteFrom('pushers').where('app_id', '=', p.appId).where('pushkey', '=', p.pushkey).where('user_id', '!=', p.userId).execute();
    }
    const fields = {
      device_id: p.deviceId, kind: p.kind, app_display_name: p.appDisplayName, device_display_name: p.deviceDisplayName,
      profile_tag: p.profileTag, lang: p.lang, data: JSON.stringify(p.data), pushkey_ts: p.pushkeyTs,
    };
    await this.db.insertInto('pushers')
      .values({ user_id: p.userId, app_id: p.appId, pushkey: p.pushkey, ...fields, delivered_pos: o.fromPos, failures: 0, next_attempt_ts: 0 })
      .onConflict((oc) => oc.columns(['user_id', 'app_id', 'pushkey']).doUpdateSet(fields))
      .execute();
  }

  async delete(appId: string, pushkeys: readonly string[], userId: UserId): Promise<number> {
    if (pushkeys.length === 0) return 0;
    const result = await this.db.deleteFrom('pushers').where('user_id', '=', userId).where('app_id', '=', appId)
      .where('pushkey', 'in', pushkeys).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async due(now: number, limit: number): Promise<PusherRecord[]> {
    const rows = await this.db.selectFrom('pushers as p').selectAll('p').where('p.next_attempt_ts', '<=', now)
      .where(({ exists, selectFrom }) => exists(selectFrom('notifications as n').select('n.stream_pos')
        .whereRef('n.user_id', '=', 'p.user_id').whereRef('n.stream_pos', '>', 'p.delivered_pos')))
      .orderBy('p.next_attempt_ts').limit(limit).execute();
    return rows.map(toPusher);
  }

  async advance(key: PusherKey, pos: number): Promise<void> {
    await this.db.updateTable('pushers').set({ delivered_pos: pos, failures: 0, next_attempt_ts: 0 })
      .where('user_id', '=', key.userId).where('app_id', '=', key.appId).where('pushkey', '=', key.pushkey).execute();
  }

  async fail(key: PusherKey, nextAttemptTs: number): Promise<void> {
    await this.db.updateTable('pushers').set((eb) => ({ failures: eb('failures', '+', 1), next_attempt_ts: nextAttemptTs }))
      .where('user_id', '=', key.userId).where('app_id', '=', key.appId).where('pushkey', '=', key.pushkey).execute();
  }
}

export class KyselyNotificationStore implements NotificationStore {
  constructor(private readonly db: Kysely<Database>) {}

  async add(records: readonly NotificationRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.db.insertInto('notifications').values(records.map((r) => ({
      user_id: r.userId, stream_pos: r.pos, room_id: r.roomId, event_id: r.eventId,
      highlight: r.highlight ? 1 : 0, actions: JSON.stringify(r.actions), ts: r.ts,
    }))).onConflict((oc) => oc.columns(['user_id', 'stream_pos']).doNothing()).execute();
  }

  async list(userId: UserId, o: { beforePos?: number; limit: number; onlyHighlight: boolean }): Promise<ListedNotification[]> {
    let query = this.db.selectFrom('notifications as n').selectAll('n').select((eb) => readExpression(eb).as('read'))
      .where('n.user_id', '=', userId)
      .where(({ not, exists, selectFrom }) => not(exists(selectFrom('memberships as m').select('m.room_id')
        .whereRef('m.room_id', '=', 'n.room_id').whereRef('m.user_id', '=', 'n.user_id').where('m.forgotten', '=', 1))));
    if (o.beforePos !== undefined) query = query.where('n.stream_pos', '<', o.beforePos);
    if (o.onlyHighlight) query = query.where('n.highlight', '=', 1);
    const rows = await query.orderBy('n.stream_pos', 'desc').limit(o.limit).execute();
    return rows.map((row) => ({ ...toNotification(row), read: Boolean(row.read) }));
  }

  async after(userId: UserId, afterPos: number, limit: number): Promise<NotificationRecord[]> {
    const rows = await this.db.selectFrom('notifications').selectAll().where('user_id', '=', userId).where('stream_pos', '>', afterPos)
      .orderBy('stream_pos').limit(limit).execute();
    return rows.map(toNotification);
  }

  async unreadCount(userId: UserId): Promise<number> {
    const row = await this.db.selectFrom('notifications as n').select((eb) => eb.fn.countAll<number>().as('count'))
      .where('n.user_id', '=', userId)
      .where((eb) => eb.not(readExpression(eb)))
      // Only rooms the user is in, and only after their own latest membership event: a room they
      // left no longer counts towards their badge, and what they sent reads the room up to there.
      .where(({ exists, selectFrom }) => exists(selectFrom('memberships as m').select('m.room_id')
        .whereRef('m.room_id', '=', 'n.room_id').whereRef('m.user_id', '=', 'n.user_id').where('m.membership', '=', 'join')
        .whereRef('m.stream_pos', '<', 'n.stream_pos')))
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }

  async progress(): Promise<number> {
    const row = await this.db.selectFrom('push_progress').select('pos').where('name', '=', PROGRESS).executeTakeFirst();
    return row ? Number(row.pos) : 0;
  }

  async setProgress(pos: number): Promise<void> {
    await this.db.insertInto('push_progress').values({ name: PROGRESS, pos })
      .onConflict((oc) => oc.column('name').doUpdateSet({ pos })).execute();
  }
}

/** Whether the user's read receipt in the notification's room is at or after its event. */
function readExpression(eb: ExpressionBuilder<Database & { n: NotificationsTable }, 'n'>) {
  return eb.exists(eb.selectFrom('receipts as r').innerJoin('events as e', 'e.event_id', 'r.event_id').select('r.event_id')
    .whereRef('r.room_id', '=', 'n.room_id').whereRef('r.user_id', '=', 'n.user_id')
    .where('r.receipt_type', 'in', READ_RECEIPTS).whereRef('e.stream_pos', '>=', 'n.stream_pos'));
}

function toPusher(row: Selectable<PushersTable>): PusherRecord {
  return {
    userId: row.user_id as UserId, appId: row.app_id, pushkey: row.pushkey, deviceId: row.device_id as DeviceId,
    kind: row.kind, appDisplayName: row.app_display_name, deviceDisplayName: row.device_display_name,
    profileTag: row.profile_tag, lang: row.lang, data: JSON.parse(row.data) as JsonObject, pushkeyTs: Number(row.pushkey_ts),
    deliveredPos: Number(row.delivered_pos), failures: Number(row.failures), nextAttemptTs: Number(row.next_attempt_ts),
  };
}

function toNotification(row: Selectable<NotificationsTable>): NotificationRecord {
  return {
    userId: row.user_id as UserId, roomId: row.room_id as RoomId, eventId: row.event_id as EventId, pos: Number(row.stream_pos),
    highlight: row.highlight === 1 || Number(row.highlight) === 1, actions: JSON.parse(row.actions) as unknown[], ts: Number(row.ts),
  };
}
