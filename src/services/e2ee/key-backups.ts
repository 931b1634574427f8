import {
  checkBackupAuthData, checkBackupSession, isBetterBackupKey, MAX_BACKUP_KEYS_PER_REQUEST, parseBackupVersion,
} from '../../core/e2ee/key-backup.js';
import { invalidParam, notFound, tooLarge, wrongRoomKeysVersion } from '../../core/errors.js';
import type { UserId } from '../../core/ids.js';
import type { JsonObject } from '../../core/json.js';
import type { BackedUpKey, BackupKeyScope, BackupVersionRecord, KeyBackupStore, Store } from '../../storage/store.js';
import type { Requester } from '../requester.js';

export interface BackupVersionInfo {
  version: string;
  algorithm: string;
  auth_data: JsonObject;
  count: number;
  etag: string;
}

/** The reply to every change of a backup's keys. */
export interface BackupTally {
  etag: string;
  count: number;
}

const unknownVersion = () => notFound('Unknown backup version');
const tallyOf = (t: { etag: number; count: number }): BackupTally => ({ etag: String(t.etag), count: t.count });

/**
 * Server-side key backups (spec v1.19, "Server-side key backups"; `/room_keys/...`). The keys are
 * encrypted by the client: the server keeps them per user and version, and of two keys for one
 * session keeps the better one (`isBetterBackupKey`). Keys may only be written to the current
 * version (the newest not deleted); a write to another is 403 M_WRONG_ROOM_KEYS_VERSION naming the
 * current one. Every change of a user's backups runs in a transaction holding the user's backup
 * lock, so concurrent uploads from the user's devices neither lose a better key nor miscount.
 */
export class KeyBackups {
  constructor(private readonly deps: { store: Store }) {}

  async createVersion(requester: Requester, algorithm: string, authData: JsonObject): Promise<{ version: string }> {
    checkBackupAuthData(algorithm, authData);
    const version = await this.locked(requester.userId, (kb) => kb.createVersion(requester.userId, algorithm, authData));
    return { version: String(version) };
  }

  /** A version's description; without `rawVersion`, the current version's. */
  async getVersion(requester: Requester, rawVersion?: string): Promise<BackupVersionInfo> {
    const version = rawVersion === undefined ? undefined : parseBackupVersion(rawVersion);
    if (rawVersion !== undefined && version === undefined) throw unknownVersion();
    const info = await this.deps.store.e2ee.keyBackups.getVersion(requester.userId, version);
    if (!info) throw rawVersion === undefined ? notFound('No current backup version') : unknownVersion();
    return { version: String(info.version), algorithm: info.algorithm, auth_data: info.authData, count: info.count, etag: String(info.etag) };
  }

  /** Replaces a version's `auth_data`; its algorithm cannot change, and a `version` in the body must be the path's. */
  async updateVersion(requester: Requester, rawVersion: string, body: { algorithm: string; authData: JsonObject; version?: string }): Promise<void> {
    if (body.version !== undefined && body.version !== rawVersion) throw invalidParam('The version in the body does not match the version in the path');
    const version = parseBackupVersion(rawVersion);
    if (version === undefined) throw unknownVersion();
    await this.locked(requester.userId, async (kb) => {
      const info = await kb.getVersion(requester.userId, version);
      if (!info) throw unknownVersion();
      if (info.algorithm !== body.algorithm) throw invalidParam('Algorithm does not match');
      checkBackupAuthData(body.algorithm, body.authData);
      await kb.setAuthData(requester.userId, version, body.authData);
    });
  }

  /** Deletes a version and its keys. Deleting a version deleted before succeeds (the spec asks so); an unknown one is 404. */
  async deleteVersion(requester: Requester, rawVersion: string): Promise<void> {
    const version = parseBackupVersion(rawVersion);
    if (version === undefined) throw unknownVersion();
    const outcome = await this.locked(requester.userId, (kb) => kb.deleteVersion(requester.userId, version));
    if (outcome === 'unknown') throw unknownVersion();
  }

  /** Adds keys to the current version, each replacing the stored key of its session only when it is better. */
  async putKeys(requester: Requester, rawVersion: string, keys: readonly BackedUpKey[]): Promise<BackupTally> {
    if (keys.length > MAX_BACKUP_KEYS_PER_REQUEST) throw tooLarge(`At most ${MAX_BACKUP_KEYS_PER_REQUEST} keys may be uploaded in one request`);
    for (const k of keys) checkBackupSession(k.sessionId, k);
    const userId = requester.userId;
    return this.locked(userId, async (kb) => {
      const current = await kb.getVersion(userId);
      if (!current) throw notFound('No current backup version');
      if (parseBackupVersion(rawVersion) !== current.version) throw wrongRoomKeysVersion(String(current.version));
      const idOf = (k: BackedUpKey) => `${k.roomId}\u0000${k.sessionId}`;
      const stored = new Map((await kb.find(userId, current.version, keys)).map((k) => [idOf(k), k]));
      const added: BackedUpKey[] = [];
      const replaced: BackedUpKey[] = [];
      for (const k of keys) {
        const old = stored.get(idOf(k));
        if (!old) added.push(k);
        else if (isBetterBackupKey(old, k)) replaced.push(k);
      }
      return tallyOf(await kb.saveKeys(userId, current.version, added, replaced));
    });
  }

  /** The keys of any existing version (not only the current one) in `scope`. */
  async getKeys(requester: Requester, rawVersion: string, scope: BackupKeyScope = {}): Promise<BackedUpKey[]> {
    const { keyBackups } = this.deps.store.e2ee;
    const info = await this.existing(keyBackups, requester.userId, rawVersion);
    return keyBackups.keys(requester.userId, info.version, scope);
  }

  /** One session's key: 404 M_NOT_FOUND when the version or the key is not there. */
  async getKey(requester: Requester, rawVersion: string, scope: Required<BackupKeyScope>): Promise<BackedUpKey> {
    const [key] = await this.getKeys(requester, rawVersion, scope);
    if (!key) throw notFound('Key not found');
    return key;
  }

  /** Deletes keys in `scope` from any existing version. */
  async deleteKeys(requester: Requester, rawVersion: string, scope: BackupKeyScope = {}): Promise<BackupTally> {
    const userId = requester.userId;
    return this.locked(userId, async (kb) => {
      const info = await this.existing(kb, userId, rawVersion);
      return tallyOf(await kb.deleteKeys(userId, info.version, scope));
    });
  }

  private async existing(kb: KeyBackupStore, userId: UserId, rawVersion: string): Promise<BackupVersionRecord> {
    const version = parseBackupVersion(rawVersion);
    const info = version === undefined ? undefined : await kb.getVersion(userId, version);
    if (!info) throw unknownVersion();
    return info;
  }

  private locked<T>(userId: UserId, fn: (kb: KeyBackupStore) => Promise<T>): Promise<T> {
    return this.deps.store.transaction(async (tx) => {
      await tx.e2ee.keyBackups.lock(userId);
      return fn(tx.e2ee.keyBackups);
    });
  }
}
