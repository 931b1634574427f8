/**
 * Leaving a room Hearth hosts from another server (server-server API, "Leaving Rooms (Rejecting
 * Invites)"): `make_leave` hands the user's server a leave template on the room's head, and
 * `send_leave` takes the signed leave back and stores it through the room writer. Rooms are one
 * line of events (no DAG yet), so a leave built on a head that is no longer the head is refused
 * with 409 (`RoomMovedOn`): the peer asks `make_leave` again.
 */
import type { Clock } from '../../core/clock.js';
import { forbidden, invalidParam } from '../../core/errors.js';
import { isInRoom } from '../../core/events/types.js';
import { checkSendLeave } from '../../core/federation/send-leave.js';
import { domainOf, type EventId, type RoomId, type UserId } from '../../core/ids.js';
import type { JsonObject } from '../../core/json.js';
import type { RoomWriter } from '../events/room-writer.js';
import { verifiedSignaturesOf, type ServerKeyLookup } from './server-key-lookup.js';

export interface ResidentLeaveDeps {
  clock: Clock;
  writer: RoomWriter;
  /** The sending server's keys, to check its signature on the leave. */
  keys: ServerKeyLookup;
}

export class ResidentLeave {
  constructor(private readonly deps: ResidentLeaveDeps) {}

  /**
   * The template of `userId`'s leave: only for a user of the asking server (403) who is invited to,
   * in, or knocking on the room (403); an unknown room is 404.
   */
  async makeLeave(origin: string, roomId: RoomId, userId: UserId): Promise<{ room_version: string; event: JsonObject }> {
    if (domainOf(userId) !== origin) throw forbidden('The user is not a user of the requesting server');
    return this.deps.writer.outside(roomId, async (room) => {
      if (!isInRoom(await room.membershipOf(userId))) throw forbidden(`${userId} is not invited to or in the room`);
      const template = await room.template({ type: 'm.room.member', stateKey: userId, sender: userId, content: { membership: 'leave' } });
      // `origin` is the leaving server, as the spec's template has it.
      return { room_version: room.room.version, event: { ...template, origin } as unknown as JsonObject };
    });
  }

  /**
   * Checks the leave (`checkSendLeave`), the sender server's signature, then stores it under the
   * room's lock if it continues the room's line and the auth rules allow it. The same leave sent
   * again (a retried request) is accepted without a second copy.
   */
  async sendLeave(origin: string, roomId: RoomId, eventId: string, body: unknown): Promise<void> {
    const version = await this.deps.writer.outside(roomId, async (room) => room.version);
    const { pdu, event } = checkSendLeave({ roomId, eventId, event: body, origin, version });
    if (!(await verifiedSignaturesOf(this.deps.keys, pdu, version, origin))) throw invalidParam(`The leave does not carry a valid signature of ${origin}`);
    await this.deps.writer.write(roomId, async (room) => {
      if (await room.tx.events.get(eventId as EventId)) return;
      await room.appendBuilt(event);
    });
  }
}
