import type { ChangeChannel } from './change-channel.js';
import type { DeviceId, RoomId, UserId } from '../core/ids.js';
import type { AliasStore, EventStore, InviteStateStore, MembershipStore, RelationStore, RoomStore, StateStore } from './room-store.js';
import type { AccountDataStore, FilterStore, PresenceStore, PushRuleStore, ReceiptStore, StreamCounters } from './sync-store.js';

export type * from './room-store.js';
export type * from './sync-store.js';
export type * from './purge-store.js';
export type * from './e2ee-store.js';
export type * from './outbox-store.js';
export type * from './media-store.js';
export type * from './push-store.js';
export type * from './admin-store.js';
export type * from './search-store.js';
import type { PurgeStore } from './purge-store.js';
import type { E2eeStore } from './e2ee-store.js';
import type { OutboxStore } from './outbox-store.js';
import type { MediaStore } from './media-store.js';
import type { NotificationStore, PusherStore } from './push-store.js';
import type { AdminJobStore, RoomBlockStore, RoomSummaryStore } from './admin-store.js';
import type { ReportStore, SearchStore } from './search-store.js';

/** A local user as the user directory shows them: their global profile. */
export interface DirectoryUser {
  userId: UserId;
  displayname: string | null;
  avatarUrl: string | null;
}

/** Who can find whom: queries over memberships and profiles, answered by the database. */
export interface UserDirectoryStore {
  /**
   * Local, not deactivated users every one of whose `words` (lower case) begins the user ID's
   * localpart or a word of the display name. Unless `everyone`, only users joined to a room the
   * searcher is joined to or to a room published in the room directory. In user ID order, at most `limit`.
   */
  search(searcher: UserId, words: readonly string[], options: { everyone: boolean; limit: number }): Promise<DirectoryUser[]>;
  /** Rooms both users are joined to, in room ID order, after `after` (null: from the start), at most `limit`. */
  mutualRooms(a: UserId, b: UserId, after: RoomId | null, limit: number): Promise<RoomId[]>;
  /** How many rooms both users are joined to. */
  countMutualRooms(a: UserId, b: UserId): Promise<number>;
}

/** Other servers' verified public keys (the key ring's persistent cache). */
export interface ServerKeyStore {
  /** Stores `serverName`'s keys (key ID to the key and the time up to which it verifies signatures), replacing those with the same IDs; others stay. */
  put(serverName: string, keys: Readonly<Record<string, { key: string; validUntilTs: number }>>): Promise<void>;
  /** Every stored key of `serverName`, by key ID. */
  get(serverName: string): Promise<Record<string, { key: string; validUntilTs: number }>>;
}

/**
 * The Store: everything Hearth keeps, grouped by domain. One implementation (kysely-store/)
 * serves SQLite and PostgreSQL; services depend only on this interface.
 */
export interface Store {
  readonly accounts: AccountStore;
  readonly devices: DeviceStore;
  readonly tokens: TokenStore;
  readonly uia: UiaStore;
  readonly rooms: RoomStore;
  readonly events: EventStore;
  readonly state: StateStore;
  readonly memberships: MembershipStore;
  readonly aliases: AliasStore;
  readonly purge: PurgeStore;
  readonly accountData: AccountDataStore;
  readonly receipts: ReceiptStore;
  readonly presence: PresenceStore;
  readonly filters: FilterStore;
  readonly pushRules: PushRuleStore;
  readonly counters: StreamCounters;
  readonly e2ee: E2eeStore;
  readonly serverKeys: ServerKeyStore;
  readonly outbox: OutboxStore;
  /** Stripped state of out-of-band invites (rooms of other servers). */
  readonly inviteState: InviteStateStore;
  readonly media: MediaStore;
  readonly pushers: PusherStore;
  readonly notifications: NotificationStore;
  /** Registration tokens an admin created (the admin API); configured ones are not stored. */
  readonly registrationTokens: RegistrationTokenStore;
  /** The room side of the admin API: room summaries, blocked rooms, background jobs. */
  readonly roomSummaries: RoomSummaryStore;
  readonly roomBlocks: RoomBlockStore;
  readonly adminJobs: AdminJobStore;
  readonly relations: RelationStore;
  readonly search: SearchStore;
  readonly reports: ReportStore;
  readonly userDirectory: UserDirectoryStore;
  /**
   * Runs `fn` in one transaction; the Store handed to `fn` is bound to it. Commits when `fn` resolves,
   * and resolves once the commit is durable. `afterCommit` runs as soon as the COMMIT succeeded,
   * possibly before it is durable (SQLite syncs its log afterwards): for wake-ups, whose answers
   * wait for durability anyway (`whenDurable`). Inside an outer transaction it runs when `fn` ends.
   */
  transaction<T>(fn: (tx: Store) => Promise<T>, options?: { afterCommit?: () => void }): Promise<T>;
  /**
   * Runs `fn` unless another process is running work under the same name (PostgreSQL: a session
   * advisory lock; SQLite has one process): background jobs run once, not once per process.
   * Resolves to undefined when it did not run.
   */
  runAlone<T>(job: string, fn: () => Promise<T>): Promise<T | undefined>;
  /**
   * Resolves once everything committed so far is durable. An answer built from what it read must
   * wait for it (SQLite syncs its log after the COMMIT, off the event loop; PostgreSQL: at once).
   */
  whenDurable(): Promise<void>;
  /** Messages to and from the other processes on this database (none on SQLite). */
  readonly channel: ChangeChannel;
  readonly dialect: 'sqlite' | 'postgres';
  close(): Promise<void>;
}

export interface Account {
  userId: UserId;
  passwordHash: string | null;
  isAdmin: boolean;
  deactivated: boolean;
  displayname: string | null;
  avatarUrl: string | null;
  createdTs: number;
  /** Deactivated with `erase` (Synapse's admin API): set by `erase`, never by `create`. */
  erased?: boolean;
  /** Suspended by an admin: may read and leave, not write (set by `setRestriction` only). */
  suspended?: boolean;
  /** Locked by an admin: every authenticated request fails (set by `setRestriction` only). */
  locked?: boolean;
}

/** The reversible marks an admin puts on an account (spec: account suspension and locking). */
export type AccountRestriction = 'suspended' | 'locked';

/** Synapse's `order_by` of the admin user list, as columns (the rest of Synapse's orders are constant here). */
export type AccountOrder = 'name' | 'admin' | 'deactivated' | 'displayname' | 'avatar_url' | 'creation_ts';

export interface AccountListQuery {
  offset: number;
  limit: number;
  /** Localpart or display name contains this (case-insensitive). */
  name?: string | undefined;
  /** User ID contains this (case-insensitive); ignored when `name` is given. */
  userId?: string | undefined;
  includeDeactivated: boolean;
  orderBy: AccountOrder;
  /** Descending on `orderBy`; ties are always in ascending user ID order. */
  backwards: boolean;
}

export interface AccountStore {
  /** Throws ConflictError when the user ID is taken. */
  create(account: Account): Promise<void>;
  get(userId: UserId): Promise<Account | undefined>;
  exists(userId: UserId): Promise<boolean>;
  setPasswordHash(userId: UserId, hash: string): Promise<void>;
  setProfile(userId: UserId, fields: { displayname?: string | null; avatarUrl?: string | null }): Promise<void>;
  setDeactivated(userId: UserId): Promise<void>;
  /** Admin API: a page of accounts, with the number of all that match. */
  list(query: AccountListQuery): Promise<{ accounts: Account[]; total: number }>;
  setAdmin(userId: UserId, isAdmin: boolean): Promise<void>;
  setRestriction(userId: UserId, restriction: AccountRestriction, on: boolean): Promise<void>;
  /** Undoes `setDeactivated` (the password is set separately); the erased mark stays. */
  reactivate(userId: UserId): Promise<void>;
  /** Marks the account erased and removes its display name and avatar. */
  erase(userId: UserId): Promise<void>;
  /**
   * Deactivated users who still have a membership they have not forgotten (join, invite and knock
   * never are): deactivation left them unfinished, and each such room's purge waits on them. In user
   * ID order, after `after` (null: from the start), at most `limit`.
   */
  deactivatedWithRooms(after: UserId | null, limit: number): Promise<UserId[]>;
  count(): Promise<number>;
  /**
   * Holds the user's quota lock until the transaction ends, so that quota-checked writes of one
   * user (count, then write) run one at a time (PostgreSQL: an advisory lock; SQLite has one writer).
   */
  lock(userId: UserId): Promise<void>;
}

export interface Device {
  userId: UserId;
  deviceId: DeviceId;
  displayName: string | null;
  lastSeenTs: number | null;
  lastSeenIp: string | null;
  createdTs: number;
}

export interface DeviceStore {
  /** Creates the device, or leaves an existing one as it is (its display name unchanged). */
  upsert(device: Pick<Device, 'userId' | 'deviceId' | 'displayName' | 'createdTs'>): Promise<void>;
  get(userId: UserId, deviceId: DeviceId): Promise<Device | undefined>;
  list(userId: UserId): Promise<Device[]>;
  count(userId: UserId): Promise<number>;
  setDisplayName(userId: UserId, deviceId: DeviceId, displayName: string | null): Promise<boolean>;
  touch(userId: UserId, deviceId: DeviceId, ts: number, ip: string | null): Promise<void>;
  /** Deletes the device and its access tokens (and its end-to-end keys, to-device inbox and pushers); returns whether it existed. */
  delete(userId: UserId, deviceId: DeviceId): Promise<boolean>;
  /** Deletes every device of the user except `keep`, with their access tokens (and end-to-end data and pushers). */
  deleteAll(userId: UserId, keep?: DeviceId): Promise<void>;
}

export interface TokenOwner {
  userId: UserId;
  deviceId: DeviceId;
  isAdmin: boolean;
  deactivated: boolean;
  locked: boolean;
  suspended: boolean;
  /** When the token stops working; null: never. */
  validUntilTs: number | null;
}

export interface TokenStore {
  /** `tokenHash` is the SHA-256 of the token: tokens themselves are never stored. */
  /** `validUntilTs`: when the token stops working (null or absent: never). */
  create(tokenHash: string, userId: UserId, deviceId: DeviceId, createdTs: number, validUntilTs?: number | null): Promise<void>;
  lookup(tokenHash: string): Promise<TokenOwner | undefined>;
  delete(tokenHash: string): Promise<void>;
  /** Stores a refresh token (hashed) issued with the access token `accessTokenHash`. */
  createRefresh(tokenHash: string, userId: UserId, deviceId: DeviceId, accessTokenHash: string, createdTs: number): Promise<void>;
  /**
   * Uses a refresh token up: deletes it and the access token issued with it, and resolves to their
   * device; undefined when there is no such refresh token (unknown, or used already: only one of
   * two concurrent uses gets the device).
   */
  takeRefresh(tokenHash: string): Promise<{ userId: UserId; deviceId: DeviceId } | undefined>;
  /** Stores an OpenID token (hashed) valid until `validUntilTs`; the user's expired ones (at `now`) are deleted. */
  createOpenId(tokenHash: string, userId: UserId, validUntilTs: number, now: number): Promise<void>;
  /** The user an OpenID token names, when it is valid at `now` and the user not deactivated. */
  openIdUser(tokenHash: string, now: number): Promise<UserId | undefined>;
}

export interface RegistrationToken {
  token: string;
  /** Registrations it may complete; null: unlimited. */
  usesAllowed: number | null;
  /** Registrations that passed its stage and are being created. */
  pending: number;
  completed: number;
  /** The last moment (ms) it is valid; null: for ever. */
  expiryTime: number | null;
}

export interface RegistrationTokenStore {
  /** Throws ConflictError when the token exists. */
  create(token: Pick<RegistrationToken, 'token' | 'usesAllowed' | 'expiryTime'>): Promise<void>;
  get(token: string): Promise<RegistrationToken | undefined>;
  /** Every token, in token order. */
  list(): Promise<RegistrationToken[]>;
  /** Changes the given fields; resolves to the token as changed, or undefined when there is none. */
  update(token: string, fields: { usesAllowed?: number | null; expiryTime?: number | null }): Promise<RegistrationToken | undefined>;
  /** Resolves to whether it existed. */
  delete(token: string): Promise<boolean>;
  /**
   * Takes one use of the token (pending + 1) when it is valid at `now`: not expired, and pending plus
   * completed below uses_allowed. In one statement, so that concurrent registrations never take more
   * uses than allowed. Resolves to whether it took one.
   */
  reserve(token: string, now: number): Promise<boolean>;
  /** A reserved use ends: completed (pending - 1, completed + 1) or given back (pending - 1). */
  finish(token: string, outcome: 'completed' | 'released'): Promise<void>;
}

export interface UiaSession {
  sessionId: string;
  /** What the session authorises, e.g. "register" or "delete_device:ABC"; a session cannot be reused for another operation. */
  purpose: string;
  userId: UserId | null;
  completed: string[];
  createdTs: number;
}

export interface UiaStore {
  create(session: UiaSession): Promise<void>;
  get(sessionId: string): Promise<UiaSession | undefined>;
  setCompleted(sessionId: string, completed: string[]): Promise<void>;
  delete(sessionId: string): Promise<void>;
  deleteOlderThan(ts: number): Promise<void>;
}
