import type { Clock } from '../../core/clock.js';
import { toClientEvent, type ClientEvent } from '../../core/events/client-format.js';
import type { EventId } from '../../core/ids.js';
import { getRoomVersion, ROOM_VERSIONS } from '../../core/room-versions.js';
import type { Store, StoredEvent } from '../../storage/store.js';

/** Turns stored events into client events, redacting those that were (with `redacted_because`). */
export class ClientEvents {
  constructor(private readonly deps: { store: Store; clock: Clock }) {}

  async format(events: StoredEvent[], roomVersionId?: string): Promise<ClientEvent[]> {
    if (events.length === 0) return [];
    const version = getRoomVersion(roomVersionId ?? (await this.versionOf(events[0]!))) ?? ROOM_VERSIONS['10']!;
    const redactionIds = events.map((e) => e.redactedBy).filter((id): id is EventId => id !== null);
    const redactions = new Map((await this.deps.store.events.getMany(redactionIds)).map((r) => [r.event.event_id, r]));
    const now = this.deps.clock.now();
    return events.map((e) => {
      const redaction = e.redactedBy ? redactions.get(e.redactedBy) : undefined;
      return toClientEvent(e.event, {
        now,
        roomVersion: version,
        prevState: e.prevState,
        redactedBecause: redaction ? toClientEvent(redaction.event, { now, roomVersion: version }) : undefined,
      });
    });
  }

  async formatOne(event: StoredEvent, roomVersionId?: string): Promise<ClientEvent> {
    return (await this.format([event], roomVersionId))[0]!;
  }

  private async versionOf(e: StoredEvent): Promise<string> {
    return (await this.deps.store.rooms.get(e.event.room_id))?.version ?? '10';
  }
}
