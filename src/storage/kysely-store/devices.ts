import type { Kysely } from 'kysely';
import type { DeviceId, UserId } from '../../core/ids.js';
import type { Device, DeviceStore } from '../store.js';
import type { Database, DevicesTable } from './tables.js';
import { deleteDeviceE2eeData } from './e2ee.js';

function toDevice(row: DevicesTable): Device {
  return {
    userId: row.user_id as UserId,
    deviceId: row.device_id as DeviceId,
    displayName: row.display_name,
    lastSeenTs: row.last_seen_ts,
    lastSeenIp: row.last_seen_ip,
    createdTs: row.created_ts,
  };
}

export class KyselyDeviceStore implements DeviceStore {
  constructor(private readonly db: Kysely<Database>) {}

  async upsert(d: Pick<Device, 'userId' | 'deviceId' | 'displayName' | 'createdTs'>): Promise<void> {
    await this.db.insertInto('devices')
      .values({ user_id: d.userId, device_id: d.deviceId, display_name: d.displayName, created_ts: d.createdTs, last_seen_ts: null, last_seen_ip: null })
      .onConflict((oc) => oc.columns(['user_id', 'device_id']).doNothing())
      .execute();
  }

  async get(userId: UserId, deviceId: DeviceId): Promise<Device | undefined> {
    const row = await this.db.selectFrom('devices').selectAll()
      .where('user_id', '=', userId).where('device_id', '=', deviceId).executeTakeFirst();
    return row ? toDevice(row) : undefined;
  }

  async list(userId: UserId): Promise<Device[]> {
    const rows = await this.db.selectFrom('devices').selectAll().where('user_id', '=', userId).orderBy('device_id').execute();
    return rows.map(toDevice);
  }

  async count(userId: UserId): Promise<number> {
    const row = await this.db.selectFrom('devices').select((eb) => eb.fn.countAll().as('n')).where('user_id', '=', userId).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async setDisplayName(userId: UserId, deviceId: DeviceId, displayName: string | null): Promise<boolean> {
    const res = await this.db.updateTable('devices').set({ display_name: displayName })
      .where('user_id', '=', userId).where('device_id', '=', deviceId).executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  }

  async touch(userId: UserId, deviceId: DeviceId, ts: number, ip: string | null): Promise<void> {
    await this.db.updateTable('devices').set({ last_seen_ts: ts, last_seen_ip: ip })
      .where('user_id', '=', userId).where('device_id', '=', deviceId).execute();
  }

  async delete(userId: UserId, deviceId: DeviceId): Promise<boolean> {
    await this.db.deleteFrom('access_tokens').where('user_id', '=', userId).where('device_id', '=', deviceId).execute();
    await this.db.deleteFrom('refresh_tokens').where('user_id', '=', userId).where('device_id', '=', deviceId).execute();
    await deleteDeviceE2eeData(this.db, userId, { deviceId });
    await this.db.deleteFrom('pushers').where('user_id', '=', userId).where('device_id', '=', deviceId).execute();
    const res = await this.db.deleteFrom('devices').where('user_id', '=', userId).where('device_id', '=', deviceId).executeTakeFirst();
    return Number(res.numDeletedRows) > 0;
  }

  async deleteAll(userId: UserId, keep?: DeviceId): Promise<void> {
    let tokens = this.db.deleteFrom('access_tokens').where('user_id', '=', userId);
    let refreshTokens = this.db.deleteFrom('refresh_tokens').where('user_id', '=', userId);
    let devices = this.db.deleteFrom('devices').where('user_id', '=', userId);
    let pushers = this.db.deleteFrom('pushers').where('user_id', '=', userId);
    if (keep !== undefined) {
      tokens = tokens.where('device_id', '!=', keep);
      refreshTokens = refreshTokens.where('device_id', '!=', keep);
      devices = devices.where('device_id', '!=', keep);
      pushers = pushers.where('device_id', '!=', keep);
    }
    await tokens.execute();
    await refreshTokens.execute();
    await pushers.execute();
    await deleteDeviceE2eeData(this.db, userId, keep === undefined ? {} : { except: keep });
    await devices.execute();
  }
}
