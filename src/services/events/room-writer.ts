import { checkEventAuth } from '../../core/auth-rules/check-event.js';
import { authEventTypesFor, stateLookupOf } from '../../core/auth-rules/auth-events.js';
import type { Clock } from '../../core/clock.js';
import { AuthRejected, badAlias, badJson, forbidden, invalidParam, notFound, RoomMovedOn, tooLarge } from '../../core/errors.js';
import { newCanonicalAliases } from '../../core/events/canonical-alias.js';
import { assertCanonicalJsonValue, canonicalJson } from '../../core/events/canonical-json.js';
import type { SigningKey } from '../../core/events/signing-key.js';
import { isOversizedEvent } from '../../core/events/event-size.js';
import { hashAndSignEvent } from '../../core/events/signing.js';
import type { Membership, RoomEvent, UnsignedPdu } from '../../core/events/types.js';
import { domainOf, type EventId, type RoomId, type UserId } from '../../core/ids.js';
import type { JsonObject } from '../../core/json.js';
import { getRoomVersion, type RoomVersion } from '../../core/room-versions.js';
import type { EventRef, MembershipRecord, RoomRecord, Store, StoredEvent } from '../../storage/store.js';
import { CorruptEventError } from '../../storage/room-store.js';
import type { Notifier } from '../notifier.js';
import { effectiveEvents } from './effective-state.js';

/** What a service asks to send; the writer fills in the room's graph, hashes, signatures and auth events. */
export interface EventDraft {
  type: string;
  sender: UserId;
  content: JsonObject;
  stateKey?: string;
  redacts?: EventId;
}

/** The answer to any write in a room Hearth knows only out of band. */
export const REMOTE_ROOM = 'This room is on another server: Hearth cannot join rooms on other servers yet';

export interface RoomWriterDeps {
  store: Store;
  clock: Clock;
  serverName: string;
  signingKey: SigningKey;
  notifier: Notifier;
}

/** What `RoomWriter.outside` offers: reads and events built without being stored. */
export type RoomView = Pick<RoomTransaction, 'tx' | 'room' | 'version' | 'state' | 'membershipOf' | 'member' | 'prepare' | 'template'>;

/** One room, locked, inside one transaction: reads current state and appends events in order. */
export class RoomTransaction {
  readonly appended: StoredEvent[] = [];
  private head: EventRef | undefined;
  private headLoaded = false;

  constructor(readonly tx: Store, readonly room: RoomRecord, readonly version: RoomVersion, private readonly deps: RoomWriterDeps) {}

  async state(type: string, stateKey: string): Promise<RoomEvent | undefined> {
    return (await this.tx.state.currentEvent(this.room.roomId, type, stateKey))?.event;
  }

  async membershipOf(userId: UserId): Promise<Membership | undefined> {
    return (await this.member(userId))?.membership;
  }

  /** The user's membership with the event that set it. */
  async member(userId: UserId): Promise<MembershipRecord | undefined> {
    return this.tx.memberships.get(this.room.roomId, userId);
  }

  /**
   * The current state event when the draft would set its state to what it already is (same sender,
   * same content, not redacted: a redacted event no longer holds its content): nothing need be sent.
   */
  async unchanged(draft: EventDraft): Promise<EventId | undefined> {
    if (draft.stateKey === undefined) return undefined;
    checkEncodable(draft);
    const current = await this.tx.state.currentEvent(this.room.roomId, draft.type, draft.stateKey);
    const same = current && current.redactedBy === null && current.event.sender === draft.sender && canonicalJson(current.event.content) === canonicalJson(draft.content);
    return same ? current.event.event_id : undefined;
  }

  /** Builds, signs and auth-checks an event against the current state, then stores it. */
  async append(draft: EventDraft): Promise<StoredEvent> {
    return this.persist(await this.prepare(draft));
  }

  /**
   * Builds, signs and auth-checks an event on the room's head without storing it: for an event
   * another server must co-sign first (an invite), stored afterwards with `appendBuilt`.
   */
  async prepare(draft: EventDraft): Promise<RoomEvent> {
    const { event, authState } = await this.build(draft);
    const verdict = checkEventAuth(event, stateLookupOf(authState), this.version);
    if (!verdict.allowed) throw new AuthRejected(verdict.reason);
    if (draft.type === 'm.room.canonical_alias' && draft.stateKey === '') await this.checkNewAliases(draft.content);
    return event;
  }

  /**
   * The event a draft would be, unhashed and unsigned, on the room's head with its auth events:
   * the template another server fills in and signs (`make_leave`).
   */
  async template(draft: EventDraft): Promise<UnsignedPdu> {
    checkEncodable(draft);
    return (await this.unsignedFor(draft)).unsigned;
  }

  /**
   * Stores a complete event built elsewhere (co-signed by another server, or signed by one) when it
   * continues the room's one line: its only previous event is the head (else `RoomMovedOn`: the
   * room has no DAG to fork into), its depth follows the head's, it cites exactly the auth events
   * the current state gives, and the auth rules allow it.
   */
  async appendBuilt(event: RoomEvent): Promise<StoredEvent> {
    checkSize(event);
    const head = await this.loadHead();
    if (!head || event.prev_events.length !== 1 || event.prev_events[0] !== head.eventId) {
      throw new RoomMovedOn('The room has moved on since this event was built');
    }
    if (event.depth !== head.depth + 1) throw invalidParam('The event\'s depth does not follow its previous event');
    const authState = await this.authStateFor(event);
    const expected = authState.map((e) => e.event_id).sort();
    if (canonicalJson([...event.auth_events].sort()) !== canonicalJson(expected)) {
      throw invalidParam('The event\'s auth_events are not those of the room\'s current state');
    }
    const verdict = checkEventAuth(event, stateLookupOf(authState), this.version);
    if (!verdict.allowed) throw new AuthRejected(verdict.reason);
    return this.persist(event);
  }

  /**
   * Stores an event the auth rules could not be evaluated for because the room's own state is
   * damaged. Only for a user clearing their own membership (LEAVING.md: a leave always succeeds).
   */
  async appendUnchecked(draft: EventDraft): Promise<StoredEvent> {
    return this.persist((await this.build(draft, { tolerateDamage: true })).event);
  }

  /**
   * A room may only name aliases that point to it (else it could claim another room's alias in
   * the directory): 400 `M_BAD_ALIAS`. Aliases of other servers cannot be resolved here (no
   * federation), so they cannot be shown to point to this room and are refused the same way.
   */
  private async checkNewAliases(content: JsonObject): Promise<void> {
    const current = await this.tx.state.currentEvent(this.room.roomId, 'm.room.canonical_alias', '');
    const previous = current && current.redactedBy === null ? current.event.content : undefined;
    for (const alias of newCanonicalAliases(content, previous)) {
      if (domainOf(alias) !== this.deps.serverName) throw badAlias(`The alias ${alias} is on another server and cannot be checked`);
      if ((await this.tx.aliases.get(alias))?.roomId !== this.room.roomId) throw badAlias(`The alias ${alias} does not point to this room`);
    }
  }

  private async authStateFor(event: UnsignedPdu): Promise<RoomEvent[]> {
    const keys = authEventTypesFor(event, this.version);
    return effectiveEvents(await this.tx.state.current(this.room.roomId, keys), this.version);
  }

  /** Builds the signed event and returns it with the auth state it was built against. */
  private async build(draft: EventDraft, o: { tolerateDamage?: boolean } = {}): Promise<{ event: RoomEvent; authState: RoomEvent[] }> {
    checkEncodable(draft);
    // In v3 to v5 the auth rules let any user of this server, member or not, set this server's
    // m.room.aliases (it was meant for the server itself). Hearth never sends one (MSC2432), so
    // one here is a client's, and it would bypass membership and power levels: refused.
    if (draft.type === 'm.room.aliases' && this.version.aliasesAuthRule) {
      throw forbidden(`m.room.aliases events are not accepted from clients in room version ${this.version.id}`);
    }
    const { unsigned, authState } = await this.unsignedFor(draft, o);
    const { pdu, eventId } = hashAndSignEvent(unsigned, this.deps.serverName, this.deps.signingKey, this.version);
    const event: RoomEvent = { ...pdu, event_id: eventId };
    checkSize(event);
    return { event, authState };
  }

  /** The draft as an unsigned PDU on the room's head, citing the auth events of the current state. */
  private async unsignedFor(draft: EventDraft, o: { tolerateDamage?: boolean } = {}): Promise<{ unsigned: UnsignedPdu; authState: RoomEvent[] }> {
    const prev = await this.loadHead();
    const content = this.version.redactsInContent && draft.redacts ? { ...draft.content, redacts: draft.redacts } : draft.content;
    const unsigned: UnsignedPdu = {
      type: draft.type,
      room_id: this.room.roomId,
      sender: draft.sender,
      content,
      origin_server_ts: this.deps.clock.now(),
      depth: prev ? prev.depth + 1 : 1,
      prev_events: prev ? [prev.eventId] : [],
      auth_events: [],
    };
    if (draft.stateKey !== undefined) unsigned.state_key = draft.stateKey;
    if (draft.redacts && !this.version.redactsInContent) unsigned.redacts = draft.redacts;
    // Unreadable auth events leave an event that cites none: still signed, hashed and in line.
    const authState = await this.authStateFor(unsigned).catch((err: unknown) => {
      if (o.tolerateDamage && err instanceof CorruptEventError) return [];
      throw err;
    });
    unsigned.auth_events = authState.map((e) => e.event_id);
    return { unsigned, authState };
  }

  /** The room's head, read once: later reads are the events this transaction appended. */
  private async loadHead(): Promise<EventRef | undefined> {
    if (!this.headLoaded) {
      this.head = await this.tx.events.head(this.room.roomId);
      this.headLoaded = true;
    }
    return this.head;
  }

  /**
   * Stores an event of a room held out of band (built and checked by the caller, e.g. an invitee's
   * rejection): a position and a membership, no room state. Announced after commit like the others.
   */
  async appendOutOfBand(event: RoomEvent): Promise<StoredEvent> {
    const stored = await this.tx.events.appendOutOfBand(event);
    this.appended.push(stored);
    return stored;
  }

  private async persist(event: RoomEvent): Promise<StoredEvent> {
    const stored = await this.tx.events.append(event);
    this.head = { eventId: stored.event.event_id, depth: stored.event.depth, pos: stored.pos };
    this.appended.push(stored);
    return stored;
  }
}

/**
 * The one way events are written (ARCHITECTURE.md rule 1): per room, one transaction at a time,
 * and listeners are told only after the transaction committed (rule 3).
 */
export class RoomWriter {
  constructor(private readonly deps: RoomWriterDeps) {}

  /**
   * Runs `fn` on the room, locked, in one transaction. A room of another server, known only through
   * an invite, gets `outOfBand` instead when the caller has one (Leave: rejecting the invite);
   * otherwise Hearth writes nothing to it (join, send, state, invite, kick, ...) and says why.
   */
  async write<T>(roomId: RoomId, fn: (room: RoomTransaction) => Promise<T>, outOfBand?: (room: RoomTransaction) => Promise<T>): Promise<T> {
    let handler = fn;
    return this.run(async (tx) => {
      await tx.rooms.lock(roomId);
      const room = await tx.rooms.get(roomId);
      if (!room) throw notFound('Unknown room');
      if (room.outOfBand) {
        if (!outOfBand) throw forbidden(REMOTE_ROOM);
        handler = outOfBand;
      }
      return room;
    }, (room) => handler(room));
  }

  /**
   * Runs `fn` on the room as it is now, without a transaction or the room's lock: for events that
   * must leave the server before they are stored (an invite another server co-signs, a template it
   * signs), so that no lock is held while a peer answers. Nothing can be stored through it; what
   * it builds is stored later with `appendBuilt`, which checks the room did not move on.
   */
  async outside<T>(roomId: RoomId, fn: (room: RoomView) => Promise<T>): Promise<T> {
    const room = await this.deps.store.rooms.get(roomId);
    if (!room) throw notFound('Unknown room');
    return fn(new RoomTransaction(this.deps.store, room, roomVersionOf(room), this.deps));
  }

  /** Creates a room record and writes its first events, all in one transaction. */
  async create<T>(room: RoomRecord, fn: (room: RoomTransaction) => Promise<T>): Promise<T> {
    return this.run(async (tx) => {
      await tx.rooms.lock(room.roomId);
      await tx.rooms.create(room);
      return room;
    }, fn);
  }

  private async run<T>(open: (tx: Store) => Promise<RoomRecord>, fn: (room: RoomTransaction) => Promise<T>): Promise<T> {
    let appended: StoredEvent[] = [];
    // Announced as soon as the events are committed; answers built on them wait until they are durable.
    const announce = () => {
      for (const stored of appended) {
        const userIds = stored.event.type === 'm.room.member' && stored.event.state_key ? [stored.event.state_key] : undefined;
        this.deps.notifier.announce({ pos: stored.pos, roomId: stored.event.room_id, event: true, ...(userIds ? { userIds } : {}) });
      }
    };
    return this.deps.store.transaction(async (tx) => {
      const room = await open(tx);
      const roomTx = new RoomTransaction(tx, room, roomVersionOf(room), this.deps);
      const value = await fn(roomTx);
      appended = roomTx.appended;
      return value;
    }, { afterCommit: announce });
  }
}

function roomVersionOf(room: RoomRecord): RoomVersion {
  const version = getRoomVersion(room.version);
  if (!version) throw forbidden(`Room version ${room.version} is not supported`);
  return version;
}

function checkSize(event: RoomEvent): void {
  if (isOversizedEvent(event)) throw tooLarge('Event is larger than 64 KiB');
}

/**
 * Every client-supplied part of an event must encode as canonical JSON, not only its content: a
 * lone surrogate in a type or state key (createRoom's initial_state) or a float in a join's
 * content is the client's 400 `M_BAD_JSON`, never a failure to hash or compare later (a 500).
 */
function checkEncodable(draft: EventDraft): void {
  const invalid = assertCanonicalJsonValue({ type: draft.type, state_key: draft.stateKey, content: draft.content });
  if (invalid) throw badJson(`Invalid event: ${invalid}`);
}
