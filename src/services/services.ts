import type { Clock } from '../core/clock.js';
import type { SigningKey } from '../core/events/signing-key.js';
import type { Config } from '../config/schema.js';
import type { Store } from '../storage/store.js';
import { Devices } from './accounts/devices.js';
import { Deactivation } from './accounts/deactivation.js';
import { AdminUsers } from './admin/users.js';
import { AccountRestrictions } from './admin/account-restrictions.js';
import { AdminUserSessions } from './admin/user-sessions.js';
import { AdminRegistrationTokens } from './admin/registration-tokens.js';
import { AdminEventReports } from './admin/event-reports.js';
import { createAdminRoomServices, type AdminRoomServices } from './admin/admin-room-services.js';
import { PasswordChange } from './accounts/password-change.js';
import { Profiles } from './accounts/profiles.js';
import { PasswordChecks } from './accounts/password-checks.js';
import { PasswordHashing } from './accounts/password-hash.js';
import { Registration } from './accounts/registration.js';
import { Sessions } from './accounts/sessions.js';
import { OpenIdTokens } from './accounts/openid.js';
import { UserInteractiveAuth } from './accounts/uia.js';
import { RoomWriter } from './events/room-writer.js';
import { Forget } from './membership/forget.js';
import { Invite } from './membership/invite.js';
import { Join } from './membership/join.js';
import { KickBan } from './membership/kick-ban.js';
import { Knock } from './membership/knock.js';
import { Leave } from './membership/leave.js';
import { MemberState } from './membership/member-state.js';
import { Notifier } from './notifier.js';
import { Quotas } from './quotas.js';
import { RateLimiter } from './rate-limiter.js';
import { ClientEvents } from './rooms/client-events.js';
import { RoomCreation } from './rooms/create-room.js';
import { RoomUpgrade } from './rooms/room-upgrade.js';
import { RoomDirectory } from './rooms/directory.js';
import { RoomReads } from './rooms/reads.js';
import { Relations } from './relations/relations.js';
import { RoomSearch } from './search/room-search.js';
import { RoomTags } from './user-data/room-tags.js';
import { Reports } from './reports/reports.js';
import { RoomReadAccess } from './rooms/room-access.js';
import { EventSending } from './rooms/send.js';
import { TimestampLookup } from './rooms/timestamp-lookup.js';
import { Spaces } from './rooms/spaces.js';
import { RoomEntries } from './sync/room-entries.js';
import { MAX_PARKED_SYNCS_PER_USER, SyncService } from './sync/sync.js';
import { ParkedSyncs } from './sync/parked.js';
import { SyncExtras } from './sync/extras.js';
import { FullyReadMarker } from './ephemeral/fully-read.js';
import { Presence } from './ephemeral/presence.js';
import { ReadMarkers } from './ephemeral/read-markers.js';
import { Receipts } from './ephemeral/receipts.js';
import { Typing } from './ephemeral/typing.js';
import { AccountData } from './user-data/account-data.js';
import { Filters } from './user-data/filters.js';
import { PushRules } from './user-data/push-rules.js';
import { createE2eeServices, type E2eeServices } from './e2ee/e2ee-services.js';
import { createFederationOutbound, type FederationOutbound } from './federation/outbound.js';
import type { FederationRequester } from './federation/federation-client.js';
import { InboundInvites } from './federation/inbound-invites.js';
import { InboundTransactions } from './federation/inbound-transactions.js';
import { createOutboxWorker } from './federation/outbox.js';
import type { OutboxLogger, OutboxWorker } from './federation/outbox-worker.js';
import { RemoteProfiles } from './federation/remote-profiles.js';
import { RemoteAliases } from './federation/remote-aliases.js';
import { InviteCoSigning } from './federation/invite-co-signing.js';
import { ResidentLeave } from './federation/resident-leave.js';
import type { ServerKeyLookup } from './federation/server-key-lookup.js';
import { MediaFiles } from './media/media-files.js';
import { MediaRepository } from './media/media-repository.js';
import { Thumbnails } from './media/thumbnails.js';
import { createPushServices, type PushServices } from './push/push-services.js';
import { MutualRooms } from './users/mutual-rooms.js';
import { UserDirectory } from './users/user-directory.js';
import { Whois } from './users/whois.js';
import { TurnServer } from './voip/turn-server.js';

/** Every service, constructed once and handed to the HTTP layer. */
export interface Services {
  readonly sessions: Sessions;
  readonly openId: OpenIdTokens;
  readonly registration: Registration;
  readonly devices: Devices;
  readonly passwords: PasswordChange;
  readonly e2ee: E2eeServices;
  readonly profiles: Profiles;
  readonly rateLimiter: RateLimiter;
  /** Every scrypt computation goes through it (its stats feed the metrics). */
  readonly passwordHashing: PasswordHashing;
  readonly notifier: Notifier;
  readonly rooms: RoomCreation;
  readonly roomUpgrades: RoomUpgrade;
  readonly sending: EventSending;
  readonly reads: RoomReads;
  readonly relations: Relations;
  /** `POST /search` over rooms' events. */
  readonly search: RoomSearch;
  readonly directory: RoomDirectory;
  readonly sync: SyncService;
  /** The /sync long-polls parked now: ended all at once at shutdown. */
  readonly parkedSyncs: ParkedSyncs;
  readonly accountData: AccountData;
  readonly tags: RoomTags;
  /** Reports of events, rooms and users, kept for the admins. */
  readonly reports: Reports;
  readonly filters: Filters;
  readonly pushRules: PushRules;
  readonly typing: Typing;
  readonly receipts: Receipts;
  readonly readMarkers: ReadMarkers;
  readonly presence: Presence;
  readonly deactivation: Deactivation;
  readonly adminRooms: AdminRoomServices;
  /** Synapse's admin API for accounts (services/admin/). */
  readonly adminUsers: AdminUsers;
  readonly accountRestrictions: AccountRestrictions;
  readonly adminUserSessions: AdminUserSessions;
  readonly adminRegistrationTokens: AdminRegistrationTokens;
  readonly adminEventReports: AdminEventReports;
  /** Outbound federation: the signing client and the key ring. */
  readonly federation: FederationOutbound;
  /** Invites of local users to rooms of other servers (the federation listener's `/v2/invite`), and their rejection. */
  readonly inboundInvites: InboundInvites;
  /** Transactions of PDUs other servers push (`/v1/send`): today only the withdrawal of an invite held out of band. */
  readonly inboundTransactions: InboundTransactions;
  /** Delivers the federation outbox; a service that queues an item calls `wake()` after its commit. Started by the app. */
  readonly outbox: OutboxWorker;
  /** `make_leave` and `send_leave` for rooms Hearth hosts. */
  readonly residentLeave: ResidentLeave;
  /** This server's media: uploads, downloads (services/media/). */
  readonly media: MediaRepository;
  readonly thumbnails: Thumbnails;
  /** Pushers, notifications and their delivery to push gateways. */
  readonly push: PushServices;
  /** The user directory, mutual rooms, whois and TURN credentials (services/users/, services/voip/). */
  readonly userDirectory: UserDirectory;
  readonly mutualRooms: MutualRooms;
  readonly whois: Whois;
  readonly turnServer: TurnServer;
  /** `GET /v1/rooms/{roomId}/timestamp_to_event`. */
  readonly timestampLookup: TimestampLookup;
  /** Room summaries and space hierarchies of local rooms. */
  readonly spaces: Spaces;
  /** Resolves once everything written so far is durable: every answer waits for it (see server.ts). */
  whenDurable(): Promise<void>;
  readonly membership: {
    readonly join: Join;
    readonly leave: Leave;
    readonly forget: Forget;
    readonly invite: Invite;
    readonly kickBan: KickBan;
    readonly knock: Knock;
    readonly state: MemberState;
  };
}

export function createServices(deps: {
  store: Store; clock: Clock; config: Config; signingKey: SigningKey; federationRequester?: FederationRequester;
  /** Other servers' keys for checking what they send (tests); by default the key ring. */
  serverKeys?: ServerKeyLookup;
  logger?: OutboxLogger;
}): Services {
  const { store, clock, config, signingKey } = deps;
  const serverName = config.serverName;
  const federation = createFederationOutbound({ config, clock, signingKey, store: store.serverKeys, ...(deps.federationRequester ? { requester: deps.federationRequester } : {}) });
  const outbox = createOutboxWorker({ store, clock, requester: federation.client, serverName, signingKey, logger: deps.logger ?? silentLogger });
  const rateLimiter = new RateLimiter(clock);
  const hashing = new PasswordHashing(config.passwordHashing);
  const passwordChecks = new PasswordChecks({ store, serverName, hashing, limiter: rateLimiter, limits: config.rateLimits });
  const uia = new UserInteractiveAuth(store, clock, passwordChecks);
  const notifier = new Notifier(store.channel);
  const quotas = new Quotas(config.quotas);
  const mediaFiles = new MediaFiles(config.media.path);
  const media = new MediaRepository({ store, clock, serverName, config: config.media, quotas, files: mediaFiles });
  const e2ee = createE2eeServices({ store, clock, notifier, uia, serverName, toDeviceLimits: config.toDevice, quotas });
  const { deviceLists } = e2ee;
  const sessions = new Sessions({ store, clock, serverName, publicBaseUrl: config.publicBaseUrl, deviceLists, passwords: passwordChecks, quotas, accessTokenLifetimeMs: config.accessTokenLifetimeMs });
  const writer = new RoomWriter({ store, clock, serverName, signingKey, notifier });
  const access = new RoomReadAccess(store);
  const events = new ClientEvents({ store, clock });
  const reads = new RoomReads({ store, clock, access, events });
  const typing = new Typing({ store, clock, notifier });
  const membershipDeps = { store, clock, writer, serverName, forgetRoomsOnLeave: config.forgetRoomsOnLeave, stopTyping: typing.stop.bind(typing) };
  const inboundInvites = new InboundInvites({
    store, clock, serverName, signingKey, notifier, outbox, forgetRoomsOnLeave: config.forgetRoomsOnLeave,
    limit: config.rateLimits.enabled ? { limiter: rateLimiter, rule: config.rateLimits.invite } : undefined,
  });
  const leave = new Leave(membershipDeps, inboundInvites);
  const forget = new Forget(membershipDeps);
  const serverKeys = deps.serverKeys ?? federation.keyRing;
  const coSigning = new InviteCoSigning({ store, client: federation.client, keys: federation.keyRing });
  const verbs = { join: new Join(membershipDeps), leave, invite: new Invite(membershipDeps, coSigning), kickBan: new KickBan(membershipDeps, outbox), knock: new Knock(membershipDeps) };
  const parkedSyncs = new ParkedSyncs(MAX_PARKED_SYNCS_PER_USER);
  const pushRules = new PushRules({ store, notifier });
  const fullyRead = new FullyReadMarker({ store, notifier });
  const receipts = new Receipts({ store, clock, notifier, fullyRead });
  const directory = new RoomDirectory({ store, clock, serverName, access, remote: new RemoteAliases({ federation: federation.client }) });
  const userAndEphemeral = {
    accountData: new AccountData({ store, notifier, pushRules, quotas }),
    filters: new Filters({ store, quotas }),
    pushRules,
    typing,
    receipts,
    readMarkers: new ReadMarkers({ store, fullyRead, receipts }),
    presence: new Presence({ store, clock, notifier, limit: config.rateLimits.enabled ? { limiter: rateLimiter, rule: config.rateLimits.presence } : undefined }),
  };
  const registration = new Registration({
    store, clock, uia, sessions, serverName,
    enabled: config.enableRegistration,
    registrationTokens: config.registrationTokens,
    requiresToken: config.registrationRequiresToken,
    hashing,
    passwordMinLength: config.passwordMinLength,
  });
  const deactivation = new Deactivation({ store, clock, uia, leave, forget });
  const adminDeps = { store, serverName, hashing, passwordMinLength: config.passwordMinLength, deviceLists, deactivation };
  const roomCreation = new RoomCreation({ store, clock, writer, serverName, defaultRoomVersion: config.defaultRoomVersion });
  return {
    ...userAndEphemeral,
    adminRooms: createAdminRoomServices({ store, clock, serverName, writer, events, rooms: roomCreation, join: verbs.join, leave, invite: verbs.invite, logger: deps.logger ?? silentLogger }),
    tags: new RoomTags({ store, accountData: userAndEphemeral.accountData }),
    sessions,
    openId: new OpenIdTokens({ store, clock, serverName }),
    registration,
    devices: new Devices({ store, uia, deviceLists }),
    e2ee,
    deactivation,
    adminUsers: new AdminUsers({ ...adminDeps, registration }),
    accountRestrictions: new AccountRestrictions({ store, serverName }),
    adminUserSessions: new AdminUserSessions({ ...adminDeps, sessions }),
    adminRegistrationTokens: new AdminRegistrationTokens({ store, clock }),
    adminEventReports: new AdminEventReports({ store, serverName }),
    inboundInvites,
    inboundTransactions: new InboundTransactions({ store, clock, serverName, notifier, forgetRoomsOnLeave: config.forgetRoomsOnLeave }),
    federation,
    outbox,
    residentLeave: new ResidentLeave({ clock, writer, keys: serverKeys }),
    media,
    thumbnails: new Thumbnails({ store, clock, media, files: mediaFiles, maxImagePixels: config.media.maxImagePixels }),
    whenDurable: () => store.whenDurable(),
    passwords: new PasswordChange({ store, uia, hashing, passwordMinLength: config.passwordMinLength, deviceLists }),
    profiles: new Profiles({ store, serverName, remote: new RemoteProfiles({ federation: federation.client, clock }) }),
    rateLimiter,
    passwordHashing: hashing,
    notifier,
    rooms: roomCreation,
    roomUpgrades: new RoomUpgrade({ store, clock, writer, rooms: roomCreation }),
    sending: new EventSending({ store, clock, writer }),
    reads,
    relations: new Relations({ store, access, events, reads }),
    search: new RoomSearch({ store, access, events, reads }),
    reports: new Reports({ store, clock, serverName, access }),
    directory,
    parkedSyncs,
    sync: new SyncService({
      store, clock, notifier, parked: parkedSyncs,
      entries: new RoomEntries({ store, access, events }),
      extras: new SyncExtras({ store, clock, accountData: userAndEphemeral.accountData, typing: userAndEphemeral.typing, pushRules }),
      filters: userAndEphemeral.filters,
      presence: userAndEphemeral.presence,
      e2ee: e2ee.sync,
    }),
    membership: { ...verbs, forget, state: new MemberState(verbs) },
    push: createPushServices({ store, clock, config, quotas, pushRules, events }),
    userDirectory: new UserDirectory({ store, searchAllUsers: config.userDirectorySearchAllUsers }),
    mutualRooms: new MutualRooms({ store }),
    whois: new Whois({ store, serverName }),
    turnServer: new TurnServer({ clock, turn: config.turn }),
    timestampLookup: new TimestampLookup({ store, access }),
    spaces: new Spaces({ store, directory }),
  };
}

/** For offline commands (register-user), which never start the outbox worker. */
const silentLogger: OutboxLogger = { info: () => {}, warn: () => {}, error: () => {} };
