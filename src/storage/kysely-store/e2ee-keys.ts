import type { Kysely } from 'kysely';
import type { DeviceId, UserId } from '../../core/ids.js';
import type { JsonObject, JsonValue } from '../../core/json.js';
import type {
  CrossSigningKeyRecord, CrossSigningKeyStore, CrossSigningKeyType, DeviceKeyStore, DeviceKeysRecord,
  FallbackKeyStore, OneTimeKeyStore, PublishedKey,
} from '../e2ee-store.js';
import { chunks } from './counters.js';
import type { Database } from './tables.js';

const parse = (json: string) => JSON.parse(json) as JsonValue;

export class KyselyDeviceKeyStore implements DeviceKeyStore {
  constructor(private readonly db: Kysely<Database>) {}

  async put(userId: UserId, deviceId: DeviceId, keys: JsonObject): Promise<void> {
    const json = JSON.stringify(keys);
    await this.db.insertInto('e2e_device_keys').values({ user_id: userId, device_id: deviceId, json })
      .onConflict((oc) => oc.columns(['user_id', 'device_id']).doUpdateSet({ json }))
      .execute();
  }

  async get(userId: UserId, deviceId: DeviceId): Promise<JsonObject | undefined> {
    const row = await this.db.selectFrom('e2e_device_keys').select('json')
      .where('user_id', '=', userId).where('device_id', '=', deviceId).executeTakeFirst();
    return row ? (parse(row.json) as JsonObject) : undefined;
  }

  async ofUsers(userIds: readonly UserId[]): Promise<DeviceKeysRecord[]> {
    const out: DeviceKeysRecord[] = [];
    for (const part of chunks(userIds)) {
      // Joined with devices: keys never outlive their device.
      const rows = await this.db.selectFrom('e2e_device_keys as k')
        .innerJoin('devices as d', (j) => j.onRef('d.user_id', '=', 'k.user_id').onRef('d.device_id', '=', 'k.device_id'))
        .select(['k.user_id', 'k.device_id', 'k.json', 'd.display_name'])
        .where('k.user_id', 'in', part).orderBy('k.user_id').orderBy('k.device_id').execute();
      for (const r of rows) {
        out.push({ userId: r.user_id as UserId, deviceId: r.device_id as DeviceId, keys: parse(r.json) as JsonObject, displayName: r.display_name });
      }
    }
    return out;
  }

  async deviceIdsWithKeys(userId: UserId): Promise<DeviceId[]> {
    const rows = await this.db.selectFrom('e2e_device_keys').select('device_id').where('user_id', '=', userId).execute();
    return rows.map((r) => r.device_id as DeviceId);
  }
}

export class KyselyOneTimeKeyStore implements OneTimeKeyStore {
  constructor(private readonly db: Kysely<Database>) {}

  async find(userId: UserId, deviceId: DeviceId, keys: ReadonlyArray<Pick<PublishedKey, 'algorithm' | 'keyId'>>): Promise<PublishedKey[]> {
    const out: PublishedKey[] = [];
    for (const part of chunks(keys.map((k) => k.keyId))) {
      const rows = await this.db.selectFrom('e2e_one_time_keys').select(['algorithm', 'key_id', 'json'])
        .where('user_id', '=', userId).where('device_id', '=', deviceId).where('key_id', 'in', part).execute();
      for (const r of rows) {
        if (keys.some((k) => k.algorithm === r.algorithm && k.keyId === r.key_id)) out.push({ algorithm: r.algorithm, keyId: r.key_id, value: parse(r.json) });
      }
    }
    return out;
  }

  async add(userId: UserId, deviceId: DeviceId, keys: readonly PublishedKey[]): Promise<void> {
    for (const part of chunks(keys, 100)) {
      await this.db.insertInto('e2e_one_time_keys')
        .values(part.map((k) => ({ user_id: userId, device_id: deviceId, algorithm: k.algorithm, key_id: k.keyId, json: JSON.stringify(k.value) })))
        .execute();
    }
  }

  async counts(userId: UserId, deviceId: DeviceId): Promise<Record<string, number>> {
    const rows = await this.db.selectFrom('e2e_one_time_keys')
      .select(['algorithm', (eb) => eb.fn.countAll().as('n')])
      .where('user_id', '=', userId).where('device_id', '=', deviceId).groupBy('algorithm').execute();
    return Object.fromEntries(rows.map((r) => [r.algorithm, Number(r.n)]));
  }

  async claim(userId: UserId, deviceId: DeviceId, algorithm: string): Promise<PublishedKey | undefined> {
    // Each round either claims a key or finds that a concurrent claimer took it first, so this ends.
    for (;;) {
      const row = await this.db.selectFrom('e2e_one_time_keys').select(['seq', 'key_id', 'json'])
        .where('user_id', '=', userId).where('device_id', '=', deviceId).where('algorithm', '=', algorithm)
        .orderBy('seq').limit(1).executeTakeFirst();
      if (!row) return undefined;
      const res = await this.db.deleteFrom('e2e_one_time_keys').where('seq', '=', row.seq).executeTakeFirst();
      if (Number(res.numDeletedRows) === 1) return { algorithm, keyId: row.key_id, value: parse(row.json) };
    }
  }
}

export class KyselyFallbackKeyStore implements FallbackKeyStore {
  constructor(private readonly db: Kysely<Database>) {}

  async put(userId: UserId, deviceId: DeviceId, key: PublishedKey): Promise<void> {
    const json = JSON.stringify(key.value);
    const where = { user_id: userId, device_id: deviceId, algorithm: key.algorithm };
    const current = await this.db.selectFrom('e2e_fallback_keys').select(['key_id', 'json'])
      .where('user_id', '=', userId).where('device_id', '=', deviceId).where('algorithm', '=', key.algorithm).executeTakeFirst();
    if (current && current.key_id === key.keyId && current.json === json) return;
    await this.db.insertInto('e2e_fallback_keys').values({ ...where, key_id: key.keyId, json, used: 0 })
      .onConflict((oc) => oc.columns(['user_id', 'device_id', 'algorithm']).doUpdateSet({ key_id: key.keyId, json, used: 0 }))
      .execute();
  }

  async claim(userId: UserId, deviceId: DeviceId, algorithm: string): Promise<PublishedKey | undefined> {
    const row = await this.db.updateTable('e2e_fallback_keys').set({ used: 1 })
      .where('user_id', '=', userId).where('device_id', '=', deviceId).where('algorithm', '=', algorithm)
      .returning(['key_id', 'json']).executeTakeFirst();
    return row ? { algorithm, keyId: row.key_id, value: parse(row.json) } : undefined;
  }

  async algorithms(userId: UserId, deviceId: DeviceId): Promise<string[]> {
    const rows = await this.db.selectFrom('e2e_fallback_keys').select('algorithm')
      .where('user_id', '=', userId).where('device_id', '=', deviceId).orderBy('algorithm').execute();
    return rows.map((r) => r.algorithm);
  }

  async unusedAlgorithms(userId: UserId, deviceId: DeviceId): Promise<string[]> {
    const rows = await this.db.selectFrom('e2e_fallback_keys').select('algorithm')
      .where('user_id', '=', userId).where('device_id', '=', deviceId).where('used', '=', 0).orderBy('algorithm').execute();
    return rows.map((r) => r.algorithm);
  }
}

export class KyselyCrossSigningKeyStore implements CrossSigningKeyStore {
  constructor(private readonly db: Kysely<Database>) {}

  async put(userId: UserId, type: CrossSigningKeyType, key: JsonObject): Promise<void> {
    const json = JSON.stringify(key);
    await this.db.insertInto('e2e_cross_signing_keys').values({ user_id: userId, key_type: type, json })
      .onConflict((oc) => oc.columns(['user_id', 'key_type']).doUpdateSet({ json }))
      .execute();
  }

  async get(userId: UserId, type: CrossSigningKeyType): Promise<JsonObject | undefined> {
    const row = await this.db.selectFrom('e2e_cross_signing_keys').select('json')
      .where('user_id', '=', userId).where('key_type', '=', type).executeTakeFirst();
    return row ? (parse(row.json) as JsonObject) : undefined;
  }

  async ofUsers(userIds: readonly UserId[], types: readonly CrossSigningKeyType[]): Promise<CrossSigningKeyRecord[]> {
    if (types.length === 0) return [];
    const out: CrossSigningKeyRecord[] = [];
    for (const part of chunks(userIds)) {
      const rows = await this.db.selectFrom('e2e_cross_signing_keys').select(['user_id', 'key_type', 'json'])
        .where('user_id', 'in', part).where('key_type', 'in', [...types]).execute();
      for (const r of rows) out.push({ userId: r.user_id as UserId, type: r.key_type as CrossSigningKeyType, key: parse(r.json) as JsonObject });
    }
    return out;
  }
}
