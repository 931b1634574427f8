import type { Kysely } from 'kysely';
import type { DeviceId, UserId } from '../../core/ids.js';
import type { JsonObject } from '../../core/json.js';
import type { DeviceListStore, ToDeviceDelivery, ToDeviceMessage, ToDeviceStore } from '../e2ee-store.js';
import { chunks } from './counters.js';
import type { Database } from './tables.js';

export class KyselyToDeviceStore implements ToDeviceStore {
  constructor(private readonly db: Kysely<Database>) {}

  async claimTxn(userId: UserId, deviceId: DeviceId, txnId: string, ts: number): Promise<boolean> {
    const res = await this.db.insertInto('e2e_to_device_txns')
      .values({ user_id: userId, device_id: deviceId, txn_id: txnId, created_ts: ts })
      .onConflict((oc) => oc.columns(['user_id', 'device_id', 'txn_id']).doNothing())
      .executeTakeFirst();
    return Number(res.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async add(pos: number, sender: UserId, type: string, deliveries: readonly ToDeviceDelivery[], ts: number): Promise<void> {
    for (const part of chunks(deliveries, 100)) {
      await this.db.insertInto('e2e_to_device_inbox').values(part.map((d) => ({
        user_id: d.userId, device_id: d.deviceId, stream_pos: pos, sender, type, content: JSON.stringify(d.content), created_ts: ts,
      }))).execute();
    }
  }

  async pending(userId: UserId, deviceId: DeviceId, after: number, upTo: number, limit: number): Promise<ToDeviceMessage[]> {
    const rows = await this.db.selectFrom('e2e_to_device_inbox').select(['stream_pos', 'sender', 'type', 'content'])
      .where('user_id', '=', userId).where('device_id', '=', deviceId)
      .where('stream_pos', '>', after).where('stream_pos', '<=', upTo)
      .orderBy('stream_pos').limit(limit).execute();
    return rows.map((r) => ({ sender: r.sender as UserId, type: r.type, content: JSON.parse(r.content) as JsonObject, pos: Number(r.stream_pos) }));
  }

  async pendingCounts(userIds: readonly UserId[]): Promise<Array<{ userId: UserId; deviceId: DeviceId; count: number }>> {
    const out: Array<{ userId: UserId; deviceId: DeviceId; count: number }> = [];
    for (const part of chunks(userIds)) {
      const rows = await this.db.selectFrom('e2e_to_device_inbox')
        .select(['user_id', 'device_id', (eb) => eb.fn.countAll<number | string | bigint>().as('n')])
        .where('user_id', 'in', part).groupBy(['user_id', 'device_id']).execute();
      for (const r of rows) out.push({ userId: r.user_id as UserId, deviceId: r.device_id as DeviceId, count: Number(r.n) });
    }
    return out;
  }

  async deleteThrough(userId: UserId, deviceId: DeviceId, pos: number): Promise<void> {
    await this.db.deleteFrom('e2e_to_device_inbox')
      .where('user_id', '=', userId).where('device_id', '=', deviceId).where('stream_pos', '<=', pos).execute();
  }
}

export class KyselyDeviceListStore implements DeviceListStore {
  constructor(private readonly db: Kysely<Database>) {}

  async markChanged(userId: UserId, pos: number): Promise<void> {
    await this.db.insertInto('e2e_device_list_changes').values({ user_id: userId, stream_pos: pos })
      .onConflict((oc) => oc.column('user_id').doUpdateSet({ stream_pos: pos }))
      .execute();
  }

  async changedBetween(after: number, upTo: number): Promise<UserId[]> {
    const rows = await this.db.selectFrom('e2e_device_list_changes').select('user_id')
      .where('stream_pos', '>', after).where('stream_pos', '<=', upTo).orderBy('stream_pos').execute();
    return rows.map((r) => r.user_id as UserId);
  }

  async sharingRoomWith(userId: UserId, candidates?: readonly UserId[]): Promise<Set<UserId>> {
    const base = () => this.db.selectFrom('memberships as mine')
      .innerJoin('memberships as other', 'other.room_id', 'mine.room_id')
      .select('other.user_id').distinct()
      .where('mine.user_id', '=', userId).where('mine.membership', '=', 'join').where('other.membership', '=', 'join');
    const out = new Set<UserId>();
    if (candidates === undefined) {
      for (const r of await base().execute()) out.add(r.user_id as UserId);
      return out;
    }
    for (const part of chunks(candidates)) {
      for (const r of await base().where('other.user_id', 'in', part).execute()) out.add(r.user_id as UserId);
    }
    return out;
  }
}
