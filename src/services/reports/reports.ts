import type { Clock } from '../../core/clock.js';
import { notFound } from '../../core/errors.js';
import { domainOf, type EventId, type RoomId, type UserId } from '../../core/ids.js';
import type { Store } from '../../storage/store.js';
import type { Requester } from '../requester.js';
import type { RoomReadAccess } from '../rooms/room-access.js';

/**
 * `POST /rooms/{roomId}/report/{eventId}`, `/rooms/{roomId}/report`, `/users/{userId}/report`:
 * reports are stored for the server's admins (`store.reports`; those of events in admin/event-reports.ts).
 * What a reporter may not see is 404, worded the same as what does not exist (spec: do not reveal).
 */
export class Reports {
  constructor(private readonly deps: { store: Store; clock: Clock; serverName: string; access: RoomReadAccess }) {}

  /** The reporter must be joined to the room (spec, since v1.8) and able to see the event. */
  async event(requester: Requester, roomId: RoomId, eventId: EventId, reason: string | null, score: number | null): Promise<void> {
    const gone = () => notFound('The event was not found or you are not joined to the room');
    const membership = await this.deps.store.memberships.get(roomId, requester.userId);
    if (membership?.membership !== 'join') throw gone();
    const stored = await this.deps.store.events.get(eventId);
    if (!stored || stored.event.room_id !== roomId) throw gone();
    const access = await this.deps.access.check(requester.userId, roomId);
    if ((await this.deps.access.filter(access, [stored])).length === 0) throw gone();
    await this.add(requester, { kind: 'event', roomId, eventId }, reason, score);
  }

  /** Anyone may report a room the server knows (the spec does not ask them to be in it). */
  async room(requester: Requester, roomId: RoomId, reason: string): Promise<void> {
    if (!(await this.deps.store.rooms.get(roomId))) throw notFound('The room was not found');
    await this.add(requester, { kind: 'room', roomId }, reason, null);
  }

  /** A user of this server must exist; one of another server cannot be checked here and is taken as given. */
  async user(requester: Requester, userId: UserId, reason: string): Promise<void> {
    if (domainOf(userId) === this.deps.serverName && !(await this.deps.store.accounts.exists(userId))) throw notFound('The user was not found');
    await this.add(requester, { kind: 'user', userId }, reason, null);
  }

  private async add(requester: Requester, target: Parameters<Store['reports']['add']>[0]['target'], reason: string | null, score: number | null): Promise<void> {
    await this.deps.store.reports.add({ reporter: requester.userId, target, reason, score, receivedTs: this.deps.clock.now() });
  }
}
