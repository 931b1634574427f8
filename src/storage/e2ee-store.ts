import type { BackupKeyData } from '../core/e2ee/key-backup.js';
import type { DeviceId, RoomId, UserId } from '../core/ids.js';
import type { JsonObject, JsonValue } from '../core/json.js';

/**
 * The storage contracts of end-to-end encryption. The server never sees plaintext: it keeps the
 * public keys and the opaque to-device messages clients upload, as JSON, and hands them out.
 * Deleting a device (DeviceStore.delete/deleteAll) removes its keys and its to-device inbox too.
 */
export interface E2eeStore {
  readonly deviceKeys: DeviceKeyStore;
  readonly oneTimeKeys: OneTimeKeyStore;
  readonly fallbackKeys: FallbackKeyStore;
  readonly crossSigning: CrossSigningKeyStore;
  readonly toDevice: ToDeviceStore;
  readonly deviceLists: DeviceListStore;
  readonly keyBackups: KeyBackupStore;
}

export interface DeviceKeysRecord {
  userId: UserId;
  deviceId: DeviceId;
  keys: JsonObject;
  displayName: string | null;
}

export interface DeviceKeyStore {
  /** Creates or replaces the identity keys of a device. */
  put(userId: UserId, deviceId: DeviceId, keys: JsonObject): Promise<void>;
  get(userId: UserId, deviceId: DeviceId): Promise<JsonObject | undefined>;
  /** Identity keys of the users' existing devices, with the devices' display names. */
  ofUsers(userIds: readonly UserId[]): Promise<DeviceKeysRecord[]>;
  /** Devices of the user that have published identity keys. */
  deviceIdsWithKeys(userId: UserId): Promise<DeviceId[]>;
}

/** A one-time or fallback key: `<algorithm>:<keyId>` and its value (a string or a signed key object). */
export interface PublishedKey {
  algorithm: string;
  keyId: string;
  value: JsonValue;
}

export interface OneTimeKeyStore {
  /** The device's stored keys among `keys` (matched by algorithm and key ID), to tell a retry from a clash. */
  find(userId: UserId, deviceId: DeviceId, keys: ReadonlyArray<Pick<PublishedKey, 'algorithm' | 'keyId'>>): Promise<PublishedKey[]>;
  /** Adds keys; keys are claimed in the order they were added. */
  add(userId: UserId, deviceId: DeviceId, keys: readonly PublishedKey[]): Promise<void>;
  /** Unclaimed keys of the device, per algorithm (algorithms without keys are absent). */
  counts(userId: UserId, deviceId: DeviceId): Promise<Record<string, number>>;
  /** Removes and returns the device's oldest key of the algorithm. A key is returned at most once, even to concurrent callers. */
  claim(userId: UserId, deviceId: DeviceId, algorithm: string): Promise<PublishedKey | undefined>;
}

export interface FallbackKeyStore {
  /** Sets the device's fallback key of the key's algorithm (one per algorithm); re-uploading the same key keeps its `used` mark. */
  put(userId: UserId, deviceId: DeviceId, key: PublishedKey): Promise<void>;
  /** Returns the device's fallback key of the algorithm and marks it used (it stays available). */
  claim(userId: UserId, deviceId: DeviceId, algorithm: string): Promise<PublishedKey | undefined>;
  /** Algorithms for which the device has a fallback key, used or not. */
  algorithms(userId: UserId, deviceId: DeviceId): Promise<string[]>;
  /** Algorithms for which the device has a fallback key not yet handed out. */
  unusedAlgorithms(userId: UserId, deviceId: DeviceId): Promise<string[]>;
}

export type CrossSigningKeyType = 'master' | 'self_signing' | 'user_signing';

export interface CrossSigningKeyRecord {
  userId: UserId;
  type: CrossSigningKeyType;
  key: JsonObject;
}

export interface CrossSigningKeyStore {
  /** Creates or replaces the user's key of this type. */
  put(userId: UserId, type: CrossSigningKeyType, key: JsonObject): Promise<void>;
  get(userId: UserId, type: CrossSigningKeyType): Promise<JsonObject | undefined>;
  ofUsers(userIds: readonly UserId[], types: readonly CrossSigningKeyType[]): Promise<CrossSigningKeyRecord[]>;
}

export interface ToDeviceMessage {
  sender: UserId;
  type: string;
  content: JsonObject;
  pos: number;
}

export interface ToDeviceDelivery {
  userId: UserId;
  deviceId: DeviceId;
  content: JsonObject;
}

export interface ToDeviceStore {
  /** Records a sending device's transaction ID; false when it was recorded before (a retry). */
  claimTxn(userId: UserId, deviceId: DeviceId, txnId: string, ts: number): Promise<boolean>;
  /** Queues one message per recipient device, all at stream position `pos`, queued at `ts`. */
  add(pos: number, sender: UserId, type: string, deliveries: readonly ToDeviceDelivery[], ts: number): Promise<void>;
  /** The device's messages at positions in (after, upTo], oldest first, at most `limit`. */
  pending(userId: UserId, deviceId: DeviceId, after: number, upTo: number, limit: number): Promise<ToDeviceMessage[]>;
  /** How many undelivered messages each of these users' devices holds (devices with none are absent). */
  pendingCounts(userIds: readonly UserId[]): Promise<Array<{ userId: UserId; deviceId: DeviceId; count: number }>>;
  /** Deletes the device's messages at positions <= `pos` (the client acknowledged them). */
  deleteThrough(userId: UserId, deviceId: DeviceId, pos: number): Promise<void>;
}

export interface DeviceListStore {
  /** Records that the user's devices or keys changed at position `pos` of the `device_lists` stream. */
  markChanged(userId: UserId, pos: number): Promise<void>;
  /** Users whose devices or keys changed at positions in (after, upTo]. */
  changedBetween(after: number, upTo: number): Promise<UserId[]>;
  /** The users among `candidates` (every user when omitted) who share a joined room with `userId`. */
  sharingRoomWith(userId: UserId, candidates?: readonly UserId[]): Promise<Set<UserId>>;
}

export interface BackupVersionRecord {
  version: number;
  algorithm: string;
  authData: JsonObject;
  /** Bumped whenever the version's keys change. */
  etag: number;
  /** How many keys the version holds. */
  count: number;
}

export interface BackedUpKey extends BackupKeyData {
  roomId: RoomId;
  sessionId: string;
}

/** Which keys of a version: all, one room's, or one session's. */
export interface BackupKeyScope {
  roomId?: RoomId;
  sessionId?: string;
}

/**
 * Server-side key backups, per user. Versions are numbered from 1 and never reused: a deleted
 * version is remembered (without its keys). Writes keep each version's `etag` and `count` in step
 * with its keys; callers serialise a user's writes with `lock` inside a transaction.
 */
export interface KeyBackupStore {
  /** Holds the user's backup lock until the transaction ends (PostgreSQL; SQLite has one writer). */
  lock(userId: UserId): Promise<void>;
  /** Creates a version numbered one above any the user ever had (deleted ones too); returns its number. */
  createVersion(userId: UserId, algorithm: string, authData: JsonObject): Promise<number>;
  /** A version that exists and is not deleted; without `version`, the current one (the highest such). */
  getVersion(userId: UserId, version?: number): Promise<BackupVersionRecord | undefined>;
  /** Replaces the `auth_data` of a version that is not deleted; false when there is none. */
  setAuthData(userId: UserId, version: number, authData: JsonObject): Promise<boolean>;
  /** Marks the version deleted and deletes its keys: 'deleted', 'already' (deleted before) or 'unknown'. */
  deleteVersion(userId: UserId, version: number): Promise<'deleted' | 'already' | 'unknown'>;
  /** The version's keys in `scope`, by room then session. */
  keys(userId: UserId, version: number, scope?: BackupKeyScope): Promise<BackedUpKey[]>;
  /** The stored keys among the given (room, session) pairs. */
  find(userId: UserId, version: number, ids: ReadonlyArray<Pick<BackedUpKey, 'roomId' | 'sessionId'>>): Promise<BackedUpKey[]>;
  /**
   * Stores `added` (sessions without a key in the version) and `replaced` (sessions with one) and,
   * when either is non-empty, bumps the etag and adjusts the count. Returns the version's etag and count.
   */
  saveKeys(userId: UserId, version: number, added: readonly BackedUpKey[], replaced: readonly BackedUpKey[]): Promise<{ etag: number; count: number }>;
  /** Deletes the version's keys in `scope` (bumping the etag when any went). Returns the version's etag and count. */
  deleteKeys(userId: UserId, version: number, scope?: BackupKeyScope): Promise<{ etag: number; count: number }>;
  /** Deletes every version and key of the user (account deactivation). */
  deleteAll(userId: UserId): Promise<void>;
}
