import type { Kysely } from 'kysely';
import type { E2eeStore } from '../e2ee-store.js';
import { KyselyCrossSigningKeyStore, KyselyDeviceKeyStore, KyselyFallbackKeyStore, KyselyOneTimeKeyStore } from './e2ee-keys.js';
import type { DialectName } from './dialect.js';
import { KyselyDeviceListStore, KyselyToDeviceStore } from './e2ee-streams.js';
import { KyselyKeyBackupStore } from './key-backups.js';
import type { Database } from './tables.js';

export class KyselyE2eeStore implements E2eeStore {
  readonly deviceKeys: KyselyDeviceKeyStore;
  readonly oneTimeKeys: KyselyOneTimeKeyStore;
  readonly fallbackKeys: KyselyFallbackKeyStore;
  readonly crossSigning: KyselyCrossSigningKeyStore;
  readonly toDevice: KyselyToDeviceStore;
  readonly deviceLists: KyselyDeviceListStore;
  readonly keyBackups: KyselyKeyBackupStore;

  constructor(db: Kysely<Database>, dialect: DialectName) {
    this.deviceKeys = new KyselyDeviceKeyStore(db);
    this.oneTimeKeys = new KyselyOneTimeKeyStore(db);
    this.fallbackKeys = new KyselyFallbackKeyStore(db);
    this.crossSigning = new KyselyCrossSigningKeyStore(db);
    this.toDevice = new KyselyToDeviceStore(db);
    this.deviceLists = new KyselyDeviceListStore(db);
    this.keyBackups = new KyselyKeyBackupStore(db, dialect);
  }
}

/** The per-device tables: what goes with a device when it is deleted. */
const DEVICE_TABLES = ['e2e_device_keys', 'e2e_one_time_keys', 'e2e_fallback_keys', 'e2e_to_device_inbox', 'e2e_to_device_txns'] as const;

/**
 * Deletes the end-to-end data (keys, to-device inbox, transaction IDs) of one device of a user,
 * or of all of them but `except`. Called by the device store alongside the devices themselves.
 */
export async function deleteDeviceE2eeData(db: Kysely<Database>, userId: string, which: { deviceId: string } | { except?: string }): Promise<void> {
  for (const table of DEVICE_TABLES) {
    let q = db.deleteFrom(table).where('user_id', '=', userId);
    if ('deviceId' in which) q = q.where('device_id', '=', which.deviceId);
    else if (which.except !== undefined) q = q.where('device_id', '!=', which.except);
    await q.execute();
  }
}
