import type { ClientEvent } from '../../core/events/client-format.js';
import { latestValidEdit } from '../../core/events/relations.js';
import type { EventId, UserId } from '../../core/ids.js';
import type { JsonObject } from '../../core/json.js';
import type { RelationView, Store, StoredEvent } from '../../storage/store.js';

/** Who the events are served to: aggregations count only what they may see and do not ignore. */
export interface Viewer extends RelationView {
  userId: UserId;
}

/**
 * `unsigned["m.relations"]` of each event that has any (spec: "Aggregations of child events"):
 * `m.thread` (latest reply, count, whether the viewer took part), `m.replace` (the latest valid
 * edit: its ID, timestamp and sender, as since v1.7) and `m.reference` (the referencing events).
 * One store call for the whole page; `format` formats the threads' latest replies, unaggregated.
 */
export async function bundledAggregations(
  store: Store, events: readonly StoredEvent[], viewer: Viewer, format: (events: StoredEvent[]) => Promise<ClientEvent[]>,
): Promise<Map<EventId, JsonObject>> {
  // Redacted events relate to nothing and are shown nothing related to them.
  const parents = events.filter((e) => e.redactedBy === null);
  const out = new Map<EventId, JsonObject>();
  if (parents.length === 0) return out;
  const agg = await store.relations.aggregates(parents.map((e) => ({ roomId: e.event.room_id, eventId: e.event.event_id })), viewer.userId, viewer);
  const threads = parents.filter((p) => agg.threads.get(p.event.event_id)?.latest);
  const latest = await format(threads.map((p) => agg.threads.get(p.event.event_id)!.latest!));
  const latestById = new Map(latest.map((c) => [c.event_id, c]));
  for (const p of parents) {
    const id = p.event.event_id;
    const relations: JsonObject = {};
    const thread = agg.threads.get(id);
    const latestEvent = thread?.latest && latestById.get(thread.latest.event.event_id);
    if (thread && latestEvent) {
      relations['m.thread'] = {
        latest_event: latestEvent as unknown as JsonObject,
        count: thread.count,
        current_user_participated: thread.participated || p.event.sender === viewer.userId,
      };
    }
    const edit = latestValidEdit(p.event, agg.edits.get(id) ?? []);
    if (edit) relations['m.replace'] = { event_id: edit.eventId, origin_server_ts: edit.originServerTs, sender: edit.sender };
    const refs = agg.references.get(id);
    if (refs && refs.length > 0) relations['m.reference'] = { chunk: refs.map((eventId) => ({ event_id: eventId })) };
    if (Object.keys(relations).length > 0) out.set(id, relations);
  }
  return out;
}

/** The viewer of a room read: the reader, bounded as their access is, without their ignored users. */
export function viewerOf(access: { userId: UserId; upTo: number | undefined }, ignored: ReadonlySet<string>): Viewer {
  return { userId: access.userId, upTo: access.upTo, ignored };
}
