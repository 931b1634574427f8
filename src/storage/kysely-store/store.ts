import { Migrator, sql, type Kysely, type Transaction } from 'kysely';
import { LocalChannel, type ChangeChannel } from '../change-channel.js';
import { GroupCommitter } from './group-commit.js';
import { migrationProvider } from '../migrations/list.js';
import { MigrationError } from '../errors.js';
import type { Store } from '../store.js';
import { KyselyAccountStore } from './accounts.js';
import type { DialectName } from './dialect.js';
import { KyselyDeviceStore } from './devices.js';
import type { Database } from './tables.js';
import { KyselyTokenStore } from './tokens.js';
import { KyselyRegistrationTokenStore } from './registration-tokens.js';
import { KyselyUiaStore } from './uia.js';
import { KyselyEventStore } from './events.js';
import { KyselyMembershipStore } from './memberships.js';
import { KyselyAliasStore, KyselyRoomStore } from './rooms.js';
import { KyselyStateStore } from './state.js';
import { KyselyPurgeStore } from './purge.js';
import { KyselyAccountDataStore } from './account-data.js';
import { KyselyStreamCounters } from './counters.js';
import { KyselyFilterStore } from './filters.js';
import { KyselyServerKeyStore } from './server-keys.js';
import { KyselyPresenceStore } from './presence.js';
import { KyselyPushRuleStore } from './push-rules.js';
import { KyselyReceiptStore } from './receipts.js';
import { KyselyE2eeStore } from './e2ee.js';
import { KyselyOutboxStore } from './outbox.js';
import { KyselyInviteStateStore } from './invite-state.js';
import { KyselyMediaStore } from './media.js';
import { KyselyNotificationStore, KyselyPusherStore } from './push.js';
import { KyselyAdminJobStore, KyselyRoomBlockStore, KyselyRoomSummaryStore } from './admin.js';
import { KyselyRelationStore } from './relations.js';
import { KyselyReportStore, KyselySearchStore } from './search.js';
import { KyselyUserDirectoryStore } from './user-directory.js';

/** The one Store implementation, for both dialects. */
export class KyselyStore implements Store {
  private readonly committer: GroupCommitter | undefined;
  private readonly inTransaction: boolean;
  private readonly syncLog: (() => Promise<void>) | undefined;
  readonly channel: ChangeChannel;
  readonly accounts: KyselyAccountStore;
  readonly devices: KyselyDeviceStore;
  readonly tokens: KyselyTokenStore;
  readonly uia: KyselyUiaStore;
  readonly rooms: KyselyRoomStore;
  readonly events: KyselyEventStore;
  readonly state: KyselyStateStore;
  readonly memberships: KyselyMembershipStore;
  readonly aliases: KyselyAliasStore;
  readonly purge: KyselyPurgeStore;
  readonly accountData: KyselyAccountDataStore;
  readonly receipts: KyselyReceiptStore;
  readonly presence: KyselyPresenceStore;
  readonly filters: KyselyFilterStore;
  readonly pushRules: KyselyPushRuleStore;
  readonly counters: KyselyStreamCounters;
  readonly e2ee: KyselyE2eeStore;
  readonly serverKeys: KyselyServerKeyStore;
  readonly outbox: KyselyOutboxStore;
  readonly inviteState: KyselyInviteStateStore;
  readonly media: KyselyMediaStore;
  readonly pushers: KyselyPusherStore;
  readonly notifications: KyselyNotificationStore;
  readonly registrationTokens: KyselyRegistrationTokenStore;
  readonly roomSummaries: KyselyRoomSummaryStore;
  readonly roomBlocks: KyselyRoomBlockStore;
  readonly adminJobs: KyselyAdminJobStore;
  readonly relations: KyselyRelationStore;
  readonly search: KyselySearchStore;
  readonly reports: KyselyReportStore;
  readonly userDirectory: KyselyUserDirectoryStore;

  constructor(
    private readonly db: Kysely<Database>,
    readonly dialect: DialectName,
    options: { channel?: ChangeChannel; syncLog?: (() => Promise<void>) | undefined; inTransaction?: boolean } = {},
  ) {
    this.channel = options.channel ?? new LocalChannel();
    this.inTransaction = options.inTransaction ?? false;
    this.syncLog = options.syncLog;
    this.committer = dialect === 'sqlite' && !this.inTransaction ? new GroupCommitter(db, options.syncLog) : undefined;
    this.accounts = new KyselyAccountStore(db, dialect);
    this.devices = new KyselyDeviceStore(db);
    this.tokens = new KyselyTokenStore(db);
    this.uia = new KyselyUiaStore(db);
    this.rooms = new KyselyRoomStore(db, dialect);
    this.events = new KyselyEventStore(db, dialect);
    this.state = new KyselyStateStore(db);
    this.memberships = new KyselyMembershipStore(db);
    this.aliases = new KyselyAliasStore(db);
    this.purge = new KyselyPurgeStore(db);
    this.accountData = new KyselyAccountDataStore(db);
    this.receipts = new KyselyReceiptStore(db);
    this.presence = new KyselyPresenceStore(db);
    this.filters = new KyselyFilterStore(db);
    this.pushRules = new KyselyPushRuleStore(db);
    this.counters = new KyselyStreamCounters(db);
    this.e2ee = new KyselyE2eeStore(db, dialect);
    this.serverKeys = new KyselyServerKeyStore(db);
    this.outbox = new KyselyOutboxStore(db, dialect);
    this.inviteState = new KyselyInviteStateStore(db);
    this.media = new KyselyMediaStore(db);
    this.pushers = new KyselyPusherStore(db);
    this.notifications = new KyselyNotificationStore(db);
    this.registrationTokens = new KyselyRegistrationTokenStore(db);
    this.roomSummaries = new KyselyRoomSummaryStore(db);
    this.roomBlocks = new KyselyRoomBlockStore(db);
    this.adminJobs = new KyselyAdminJobStore(db);
    this.relations = new KyselyRelationStore(db);
    this.search = new KyselySearchStore(db, dialect);
    this.reports = new KyselyReportStore(db);
    this.userDirectory = new KyselyUserDirectoryStore(db);
  }

  async transaction<T>(fn: (tx: Store) => Promise<T>, options: { afterCommit?: () => void } = {}): Promise<T> {
    // Nested calls join the outer transaction: one unit of work commits once.
    if (this.inTransaction) {
      const value = await fn(this);
      options.afterCommit?.();
      return value;
    }
    const inTx = (trx: Transaction<Database>) => fn(new KyselyStore(trx, this.dialect, { channel: this.channel, inTransaction: true }));
    // SQLite: one writer, so concurrent transactions are group-committed (one fsync per batch).
    if (this.committer) return this.committer.run(inTx, options.afterCommit);
    // PostgreSQL: transactions run concurrently on the pool, serialised per room by advisory locks.
    const value = await this.db.transaction().execute(inTx);
    options.afterCommit?.();
    return value;
  }

  async runAlone<T>(job: string, fn: () => Promise<T>): Promise<T | undefined> {
    if (this.dialect !== 'postgres') return fn();
    // A session lock on one pooled connection, held while `fn` runs; lost with the connection.
    const key = sql`hashtextextended(${`hearth job ${job}`}, 0)`;
    return this.db.connection().execute(async (conn) => {
      const { rows } = await sql<{ ok: boolean }>`SELECT pg_try_advisory_lock(${key}) AS ok`.execute(conn);
      if (!rows[0]?.ok) return undefined;
      try {
        return await fn();
      } finally {
        await sql`SELECT pg_advisory_unlock(${key})`.execute(conn).catch(() => {});
      }
    });
  }

  whenDurable(): Promise<void> {
    return this.syncLog?.() ?? Promise.resolve();
  }

  async close(): Promise<void> {
    await this.committer?.settle();
    await this.channel.close();
    await this.db.destroy();
  }
}

/** Brings the schema up to date. Safe to run from several processes at once (the migrator locks). */
export async function migrate(db: Kysely<Database>): Promise<void> {
  const migrator = new Migrator({ db, provider: migrationProvider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    throw new MigrationError(results?.find((r) => r.status === 'Error')?.migrationName, error);
  }
}
