import type { EventId } from '../ids.js';
import type { JsonObject } from '../json.js';

/** A relation an event declares (spec: "Forming relationships between events"). */
export interface Relation {
  relType: string;
  eventId: EventId;
}

/** Relations served nested into `unsigned.m.relations` of the related event (spec: "Aggregations of child events"). */
export const AGGREGATED_REL_TYPES = ['m.thread', 'm.replace', 'm.reference'] as const;

/** Depth of relations of relations `/relations?recurse=true` follows (Synapse's limit). */
export const RELATIONS_RECURSION_DEPTH = 3;

/** The event's relation: only a `m.relates_to` object with a string `rel_type` and `event_id` counts. */
export function relationOf(content: JsonObject): Relation | undefined {
  const rel = content['m.relates_to'];
  if (typeof rel !== 'object' || rel === null || Array.isArray(rel)) return undefined;
  const { rel_type: relType, event_id: eventId } = rel as JsonObject;
  if (typeof relType !== 'string' || typeof eventId !== 'string') return undefined;
  return { relType, eventId: eventId as EventId };
}

/** An edit candidate as the relations table keeps it. */
export interface EditCandidate {
  eventId: EventId;
  sender: string;
  type: string;
  originServerTs: number;
  isState: boolean;
}

/** The event an edit may apply to: what the spec's validity rules look at. */
export interface EditTarget {
  sender: string;
  type: string;
  state_key?: string | undefined;
  content: JsonObject;
}

/**
 * The replacement shown for `original` (spec: "Validity of replacement events"; "Server behaviour"):
 * same sender and type, neither a state event, the original not itself an edit; of the valid ones
 * the latest by `origin_server_ts`, ties broken by the lexicographically largest event ID.
 */
export function latestValidEdit(original: EditTarget, candidates: readonly EditCandidate[]): EditCandidate | undefined {
  if (typeof original.state_key === 'string' || relationOf(original.content)?.relType === 'm.replace') return undefined;
  let best: EditCandidate | undefined;
  for (const c of candidates) {
    if (c.sender !== original.sender || c.type !== original.type || c.isState) continue;
    if (!best || c.originServerTs > best.originServerTs || (c.originServerTs === best.originServerTs && c.eventId > best.eventId)) best = c;
  }
  return best;
}
