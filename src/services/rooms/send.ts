import { namedLevelOf, powerLevelOf } from '../../core/auth-rules/levels.js';
import type { Clock } from '../../core/clock.js';
import { badJson, forbidden, invalidParam, notFound } from '../../core/errors.js';
import { parseEventId, type EventId, type RoomId } from '../../core/ids.js';
import type { JsonObject } from '../../core/json.js';
import type { Store, TxnKey } from '../../storage/store.js';
import type { RoomTransaction, RoomWriter } from '../events/room-writer.js';
import type { Requester } from '../requester.js';
import { powerLevelState } from '../events/effective-state.js';

const REDACTION = 'm.room.redaction';

/** Sending events: messages (idempotent per device and transaction ID), state, and redactions. */
export class EventSending {
  constructor(private readonly deps: { store: Store; clock: Clock; writer: RoomWriter }) {}

  async sendMessage(requester: Requester, roomId: RoomId, type: string, txnId: string, content: JsonObject): Promise<{ event_id: EventId }> {
    const txn = this.txnKey(requester, `send:${roomId}:${type}`, txnId);
    if (type === REDACTION) {
      // Sent as a plain event, a redaction would skip the redact-level check and never be applied,
      // yet clients (v11: `content.redacts`) would hide its target: it takes the /redact path.
      const target = typeof content.redacts === 'string' ? parseEventId(content.redacts) : undefined;
      if (!target) throw badJson('An m.room.redaction event needs content.redacts naming the event to redact');
      return this.redactWith(requester, roomId, target, txn, typeof content.reason === 'string' ? content.reason : undefined);
    }
    return this.deps.writer.write(roomId, async (room) => {
      const earlier = await room.tx.events.findTxn(txn);
      if (earlier) return { event_id: earlier };
      const stored = await room.append({ type, sender: requester.userId, content });
      await room.tx.events.saveTxn(txn, stored.event.event_id, this.deps.clock.now());
      return { event_id: stored.event.event_id };
    });
  }

  /**
   * Setting state to what it already is sends nothing and returns the existing event (as other servers
   * do). `m.room.member` with a user ID as state key is routed to the membership service instead.
   */
  async putState(requester: Requester, roomId: RoomId, type: string, stateKey: string, content: JsonObject): Promise<{ event_id: EventId }> {
    if (type === 'm.room.member') throw invalidParam('The state key of m.room.member must be a user ID');
    if (type === REDACTION) throw badJson('A redaction is not a state event: use /redact');
    return this.deps.writer.write(roomId, async (room) => {
      const draft = { type, stateKey, sender: requester.userId, content };
      const same = await room.unchanged(draft);
      return { event_id: same ?? (await room.append(draft)).event.event_id };
    });
  }

  async redact(requester: Requester, roomId: RoomId, eventId: EventId, txnId: string, reason?: string): Promise<{ event_id: EventId }> {
    return this.redactWith(requester, roomId, eventId, this.txnKey(requester, `redact:${roomId}:${eventId}`, txnId), reason);
  }

  private async redactWith(requester: Requester, roomId: RoomId, eventId: EventId, txn: TxnKey, reason: string | undefined): Promise<{ event_id: EventId }> {
    return this.deps.writer.write(roomId, async (room) => {
      const earlier = await room.tx.events.findTxn(txn);
      if (earlier) return { event_id: earlier };
      const target = await room.tx.events.get(eventId);
      if (!target || target.event.room_id !== roomId) throw notFound('Event not found');
      if (!(await this.mayRedact(room, requester, target.event.sender))) throw forbidden('You may not redact this event');
      const content: JsonObject = reason === undefined ? {} : { reason };
      const stored = await room.append({ type: 'm.room.redaction', sender: requester.userId, content, redacts: eventId });
      await room.tx.events.markRedacted(eventId, stored.event.event_id);
      await room.tx.events.saveTxn(txn, stored.event.event_id, this.deps.clock.now());
      return { event_id: stored.event.event_id };
    });
  }

  /**
   * Own events may always be redacted; others' only with the `redact` power level. (The auth rules'
   * same-server clause is for federation: here every user shares one server.)
   */
  private async mayRedact(room: RoomTransaction, requester: Requester, originalSender: string): Promise<boolean> {
    if (originalSender === requester.userId) return true;
    const lookup = await powerLevelState(room.tx, room.room.roomId, room.version);
    return powerLevelOf(requester.userId, lookup, room.version) >= namedLevelOf('redact', lookup);
  }

  private txnKey(requester: Requester, scope: string, txnId: string): TxnKey {
    return { userId: requester.userId, deviceId: requester.deviceId, scope, txnId };
  }
}
