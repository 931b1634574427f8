import type { Clock } from '../../core/clock.js';
import { toClientEvent, type ClientEvent } from '../../core/events/client-format.js';
import { redactEvent } from '../../core/events/redaction.js';
import type { EventId } from '../../core/ids.js';
import { getRoomVersion, ROOM_VERSIONS } from '../../core/room-versions.js';
import type { Store, StoredEvent } from '../../storage/store.js';
import { bundledAggregations, type Viewer } from './bundled-aggregations.js';

/** Turns stored events into client events, redacting those that were (with `redacted_because`). */
export class ClientEvents {
  constructor(private readonly deps: { store: Store; clock: Clock }) {}

  /**
   * `txnIds`: the requesting device's transaction IDs of its own events, for `unsigned.transaction_id`.
   * `viewer`: who is served the events, given where events are served with their bundled aggregations.
   */
  async format(events: StoredEvent[], roomVersionId?: string, txnIds?: ReadonlyMap<string, string>, viewer?: Viewer): Promise<ClientEvent[]> {
    if (events.length === 0) return [];
    const version = getRoomVersion(roomVersionId ?? (await this.versionOf(events[0]!))) ?? ROOM_VERSIONS['10']!;
    const redactionIds = events.map((e) => e.redactedBy).filter((id): id is EventId => id !== null);
    const redactions = new Map((await this.deps.store.events.getMany(redactionIds)).map((r) => [r.event.event_id, r]));
    const replaced = await this.redactedReplacedEvents(events);
    const aggregations = viewer ? await bundledAggregations(this.deps.store, events, viewer, (latest) => this.format(latest)) : undefined;
    const now = this.deps.clock.now();
    return events.map((e) => {
      const redaction = e.redactedBy ? redactions.get(e.redactedBy) : undefined;
      // `prev_content` is stored as it was; once that event is redacted, only what redaction keeps may show.
      const gone = e.prevState ? replaced.get(e.prevState.replaces_state) : undefined;
      const prevState = e.prevState && gone ? { ...e.prevState, prev_content: redactEvent(gone.event, version).content } : e.prevState;
      const client = toClientEvent(e.event, {
        now,
        roomVersion: version,
        prevState,
        redactedBecause: redaction ? toClientEvent(redaction.event, { now, roomVersion: version }) : undefined,
        transactionId: txnIds?.get(e.event.event_id),
      });
      const relations = aggregations?.get(e.event.event_id);
      if (relations) client.unsigned['m.relations'] = relations;
      return client;
    });
  }

  /** The redacted ones among the state events these events replaced, by event ID. */
  private async redactedReplacedEvents(events: StoredEvent[]): Promise<Map<string, StoredEvent>> {
    const ids = events.map((e) => e.prevState?.replaces_state).filter((id): id is EventId => id !== undefined);
    if (ids.length === 0) return new Map();
    const found = await this.deps.store.events.getMany(ids);
    return new Map(found.filter((r) => r.redactedBy !== null).map((r) => [r.event.event_id, r]));
  }

  async formatOne(event: StoredEvent, roomVersionId?: string, viewer?: Viewer): Promise<ClientEvent> {
    return (await this.format([event], roomVersionId, undefined, viewer))[0]!;
  }

  private async versionOf(e: StoredEvent): Promise<string> {
    return (await this.deps.store.rooms.get(e.event.room_id))?.version ?? '10';
  }
}
