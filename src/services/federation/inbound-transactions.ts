/**
 * Transactions other servers push to Hearth (server-server API, "Transactions", `PUT
 * /_matrix/federation/v1/send/{txnId}`). Hearth takes part in no room with other servers yet, so
 * of the PDUs only one kind is taken: the inviting server withdrawing its invite of a local user
 * to a room Hearth holds out of band (a kick or ban of the invitee; `checkRescind`). It is stored
 * out of band, as the invite is, and retires the invite as a local rescind would: the membership
 * becomes `leave` or `ban`, a queued rejection is cancelled, and the user's /sync moves the room
 * from `invite` to `leave`. Every other PDU gets an error entry; a bad PDU never fails the
 * transaction. EDUs are accepted and ignored.
 *
 * Retries: a transaction sent again (same origin and txnId, its answer lost) is processed again.
 * That is idempotent without a table of transactions: a PDU whose event is already stored is
 * answered `{}` without a second copy, and the checks of any other PDU give the same answer.
 */
import type { Clock } from '../../core/clock.js';
import { forbidden } from '../../core/errors.js';
import { checkRescind, identifyPdu, PDU_ERRORS, roomIdOfPdu, type CheckedRescind } from '../../core/federation/inbound-pdu.js';
import { membershipOutboxKey } from '../../core/federation/outbox-items.js';
import { domainOf, type EventId } from '../../core/ids.js';
import { isJsonObject } from '../../core/json.js';
import { getRoomVersion, type RoomVersion } from '../../core/room-versions.js';
import type { Store, StoredEvent } from '../../storage/store.js';
import type { Notifier } from '../notifier.js';
import { verifiedSignaturesOf, type ServerKeyLookup } from './server-key-lookup.js';

export interface InboundTransactionDeps {
  store: Store;
  clock: Clock;
  serverName: string;
  notifier: Notifier;
  forgetRoomsOnLeave: boolean;
}

/** One entry of the answer's `pdus`: `{}` when processed, else why not. */
export type PduResult = Record<string, never> | { error: string };

export class InboundTransactions {
  constructor(private readonly deps: InboundTransactionDeps) {}

  /**
   * Processes the PDUs of a transaction from `origin` (the authenticated server, which the body's
   * `origin` must name: 403 otherwise), one at a time, in order. A PDU Hearth cannot give an ID
   * (not an object, no room, a room Hearth does not know) has no entry.
   */
  async receive(origin: string, txn: { origin: string; pdus: readonly unknown[] }, keys: ServerKeyLookup): Promise<{ pdus: Record<string, PduResult> }> {
    if (txn.origin !== origin) throw forbidden('The transaction\'s origin is not the server that sent it');
    const { pdus } = txn;
    const results: Record<string, PduResult> = {};
    for (const raw of pdus) {
      const roomId = roomIdOfPdu(raw);
      const room = roomId ? await this.deps.store.rooms.get(roomId) : undefined;
      const version = room ? getRoomVersion(room.version) : undefined;
      if (!room || !version || !isJsonObject(raw)) continue;
      const identified = identifyPdu(raw, version);
      if (!identified) continue;
      const { eventId, pdu } = identified;
      // Rooms Hearth hosts get other servers' events only through send_leave for now.
      results[eventId] = room.outOfBand
        ? await this.rescind(origin, checkRescind({ pdu, eventId, origin, serverName: this.deps.serverName }), version, keys)
        : { error: PDU_ERRORS.notParticipating };
    }
    return { pdus: results };
  }

  private async rescind(origin: string, checked: CheckedRescind | string, version: RoomVersion, keys: ServerKeyLookup): Promise<PduResult> {
    if (typeof checked === 'string') return { error: checked };
    if (await this.deps.store.events.get(checked.event.event_id)) return {};
    if (!(await verifiedSignaturesOf(keys, checked.pdu, version, origin))) return { error: PDU_ERRORS.signature };
    let stored: StoredEvent | undefined;
    const result = await this.deps.store.transaction(async (tx) => this.retire(tx, checked, origin, (s) => { stored = s; }), {
      afterCommit: () => {
        if (stored) this.deps.notifier.announce({ pos: stored.pos, roomId: stored.event.room_id, userIds: [checked.invitee], event: true });
      },
    });
    return result;
  }

  /** Under the room's lock: the invite in force must be one `origin` sent; then the event retires it. */
  private async retire(tx: Store, checked: CheckedRescind, origin: string, done: (stored: StoredEvent) => void): Promise<PduResult> {
    const { event, invitee } = checked;
    await tx.rooms.lock(event.room_id);
    // A retry racing its first attempt: whichever commits second finds the event.
    if (await tx.events.get(event.event_id)) return {};
    const membership = await tx.memberships.get(event.room_id, invitee);
    if (membership?.membership !== 'invite') return { error: PDU_ERRORS.notInvited };
    const invite = await tx.events.get(membership.eventId as EventId);
    if (!invite || domainOf(invite.event.sender) !== origin) return { error: PDU_ERRORS.notInviter };
    done(await tx.events.appendOutOfBand(event));
    if (this.deps.forgetRoomsOnLeave) await tx.memberships.setForgotten(event.room_id, invitee, this.deps.clock.now());
    // Nothing is queued while the user is invited; cancelled all the same so no stale rejection outlives the invite.
    await tx.outbox.cancel(membershipOutboxKey(event.room_id, invitee));
    return {};
  }
}
