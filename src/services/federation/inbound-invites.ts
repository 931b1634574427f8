import type { RateLimitRule } from '../../config/schema.js';
import type { Clock } from '../../core/clock.js';
import { badJson, forbidden, limitExceeded, notFound } from '../../core/errors.js';
import type { SigningKey } from '../../core/events/signing-key.js';
import type { Pdu } from '../../core/events/types.js';
import { checkInvite, coSignEvent, type CheckedInvite, type InviteRequest } from '../../core/federation/inbound-invite.js';
import { outOfBandLeave, remoteLeaveItem } from '../../core/federation/out-of-band.js';
import { membershipOutboxKey } from '../../core/federation/outbox-items.js';
import { domainOf, type EventId, type UserId } from '../../core/ids.js';
import type { Store, StoredEvent } from '../../storage/store.js';
import type { RoomTransaction } from '../events/room-writer.js';
import type { Notifier } from '../notifier.js';
import type { RateLimiter } from '../rate-limiter.js';
import { CorruptEventError } from '../../storage/room-store.js';
import { verifiedSignaturesOf, type ServerKeyLookup } from './server-key-lookup.js';

export interface InboundInviteDeps {
  store: Store;
  clock: Clock;
  serverName: string;
  signingKey: SigningKey;
  notifier: Notifier;
  forgetRoomsOnLeave: boolean;
  /** Told once a queued rejection is committed, so that its first attempt is made at once. */
  outbox: { wake(): void };
  /** `rate_limits.invite`, per remote inviter; absent when rate limits are off. */
  limit: { limiter: RateLimiter; rule: RateLimitRule } | undefined;
}

/** What `PUT /_matrix/federation/v2/invite/{roomId}/{eventId}` hands over (the server name is ours). */
export type InboundInviteRequest = Omit<InviteRequest, 'serverName'>;

/**
 * Invites of local users to rooms of other servers, and their rejection (docs/LEAVING.md "Invites
 * from other servers"). Hearth holds such a room only out of band: a `rooms` row marked so, the
 * invite and the rejection as events without room state, the stripped state the inviting server
 * sent. Rejecting stores a leave signed here at once and queues the rejection for the room's
 * servers (REMOTE_LEAVE) in the same transaction.
 */
export class InboundInvites {
  constructor(private readonly deps: InboundInviteDeps) {}

  /**
   * Checks the invite (checkInvite), the inviting server's signature with its keys valid when the
   * event was sent, that the room is not one of Hearth's and the invitee an active local user;
   * stores it and answers it co-signed. A refusal stores nothing. A retry of a stored invite is
   * answered again without storing anything.
   */
  async receive(req: InboundInviteRequest, keys: ServerKeyLookup): Promise<{ event: Pdu }> {
    const { serverName, signingKey } = this.deps;
    const invite = checkInvite({ ...req, serverName });
    this.takeToken(invite.senderServer, invite.invitee);
    if (!(await verifiedSignaturesOf(keys, invite.event, invite.version, invite.senderServer))) throw forbidden('The event is not signed by the sender\'s server');
    const coSigned = coSignEvent(invite.event, invite.version, serverName, signingKey);
    let stored: StoredEvent | undefined;
    await this.deps.store.transaction(async (tx) => {
      stored = await this.store(tx, invite, coSigned, req.eventId as EventId);
    }, { afterCommit: () => this.announce(stored) });
    return { event: coSigned };
  }

  /**
   * Per inviting server and invitee: a remote sender's user ID is whatever its server says, so a
   * per-sender bucket would let one server invite a user without end under ever new names.
   */
  private takeToken(server: string, invitee: UserId): void {
    const { limit } = this.deps;
    if (!limit) return;
    const waitMs = limit.limiter.take('invite', `remote ${server} ${invitee}`, limit.rule);
    if (waitMs > 0) throw limitExceeded(waitMs);
  }

  private async store(tx: Store, invite: CheckedInvite, coSigned: Pdu, eventId: EventId): Promise<StoredEvent | undefined> {
    const roomId = invite.event.room_id;
    const userId = invite.invitee;
    await tx.rooms.lock(roomId);
    const room = await tx.rooms.get(roomId);
    // Remote users cannot be members of Hearth's rooms yet, nor can another server make one up.
    if ((room && !room.outOfBand) || domainOf(roomId) === this.deps.serverName) throw forbidden('Users of other servers cannot be in this server\'s rooms yet');
    if (room && room.version !== invite.version.id) throw badJson('The room version differs from an earlier invite\'s');
    const account = await tx.accounts.get(userId);
    if (!account) throw notFound('Unknown user');
    if (account.deactivated) throw forbidden('The user is deactivated');
    if (await tx.events.get(eventId)) return undefined;
    if (!room) {
      await tx.rooms.create({ roomId, version: invite.version.id, creator: invite.event.sender, isPublic: false, createdTs: this.deps.clock.now(), outOfBand: true });
    }
    // A peer's `unsigned` is not part of the event: it is not kept.
    const { unsigned: _unsigned, ...pdu } = coSigned;
    const stored = await tx.events.appendOutOfBand({ ...pdu, event_id: eventId });
    await tx.inviteState.put(roomId, userId, invite.inviteRoomState);
    // A new invite supersedes the rejection of an earlier one that has not reached the room yet.
    await tx.outbox.cancel(membershipOutboxKey(roomId, userId));
    return stored;
  }

  /**
   * The user's leave of an out-of-band room (rejecting its invite), in the room writer's
   * transaction (Leave hands it the rooms that are out of band). Already out: the leave in force,
   * no new event. `queued`: a rejection went into the outbox (wake it once this commits).
   */
  async reject(room: RoomTransaction, userId: UserId, reason: string | undefined): Promise<{ eventId: EventId; queued: boolean }> {
    const { tx } = room;
    const roomId = room.room.roomId;
    const m = await room.member(userId);
    if (!m) throw notFound('You are not a member of this room');
    // As in a Hearth room (LEAVING.md): banned (the inviting server's ban through /send) is 403.
    if (m.membership === 'ban') throw forbidden('You are banned from this room');
    if (m.membership !== 'invite') return { eventId: m.eventId, queued: false };
    // An unreadable invite must not keep the user invited (a leave always succeeds): the leave then
    // follows its ID alone, and the rejection goes to the room's other servers.
    const invite = await tx.events.get(m.eventId).then((e: StoredEvent | undefined) => e?.event, (err: unknown) => {
      if (err instanceof CorruptEventError) return undefined;
      throw err;
    }) ?? { room_id: roomId, state_key: userId, event_id: m.eventId, depth: 0 };
    const now = this.deps.clock.now();
    const leave = outOfBandLeave({ invite, reason, originServerTs: now, version: room.version, serverName: this.deps.serverName, signingKey: this.deps.signingKey });
    await room.appendOutOfBand(leave);
    if (this.deps.forgetRoomsOnLeave) await tx.memberships.setForgotten(roomId, userId, now);
    const strippedState = (await tx.inviteState.get(roomId, userId)) ?? [];
    await tx.outbox.enqueue(remoteLeaveItem({ invite, roomVersion: room.version.id, reason, strippedState, serverName: this.deps.serverName, createdTs: now }));
    return { eventId: leave.event_id, queued: true };
  }

  /** A rejection was committed: its first delivery attempt is made at once. */
  rejectionQueued(): void {
    this.deps.outbox.wake();
  }

  private announce(stored: StoredEvent | undefined): void {
    if (!stored) return;
    this.deps.notifier.announce({ pos: stored.pos, roomId: stored.event.room_id, userIds: [stored.event.state_key!], event: true });
  }
}
