import type { Membership } from '../events/types.js';
import type { JsonObject } from '../json.js';

/**
 * History visibility (spec: modules/history_visibility.md), evaluated with the state at each
 * event. Pure: callers supply, per event, the setting in force and the user's membership.
 */
export type HistoryVisibility = 'world_readable' | 'shared' | 'invited' | 'joined';

const VALUES: readonly HistoryVisibility[] = ['world_readable', 'shared', 'invited', 'joined'];

/** The setting an `m.room.history_visibility` content declares; absent or unknown means `shared` (the spec's default). */
export function historyVisibilityOf(content: JsonObject | undefined): HistoryVisibility {
  const v = content?.history_visibility;
  return typeof v === 'string' && (VALUES as readonly string[]).includes(v) ? (v as HistoryVisibility) : 'shared';
}

export interface EventVisibilityFacts {
  /**
   * The setting in force when the event was sent. A change of the setting is visible when either
   * its old or its new value allows it: callers ask once for each.
   */
  visibility: HistoryVisibility;
  /** The user's membership in the state at the event (after it, for the user's own member events). */
  membershipAtEvent: Membership | undefined;
  /** Whether the user joined the room at some point after the event. */
  joinedLater: boolean;
  /** The event is a membership event about this user: such events are always visible to them. */
  isOwnMembership: boolean;
}

/** The spec's algorithm: may this user see this event? */
export function mayUserSeeEvent(f: EventVisibilityFacts): boolean {
  if (f.isOwnMembership) return true;
  if (f.visibility === 'world_readable') return true;
  if (f.membershipAtEvent === 'join') return true;
  if (f.visibility === 'shared' && f.joinedLater) return true;
  if (f.visibility === 'invited' && f.membershipAtEvent === 'invite') return true;
  return false;
}
