/**
 * Presence as the Client-Server API shows it (presence.yaml, event-schemas m.presence): the
 * three states, and the view of a stored presence at a given time.
 */
export type PresenceState = 'online' | 'offline' | 'unavailable';

export const PRESENCE_STATES: readonly PresenceState[] = ['online', 'offline', 'unavailable'];

export function isPresenceState(value: unknown): value is PresenceState {
  return typeof value === 'string' && (PRESENCE_STATES as readonly string[]).includes(value);
}

/**
 * An online user counts as "currently active" this long after their last activity. The spec
 * leaves the window to servers; activity is recorded by `PUT /presence` (and by whatever the
 * server counts as activity, such as a /sync with `set_presence`).
 */
export const CURRENTLY_ACTIVE_MS = 5 * 60_000;
/** Activity less than this after the last recorded activity is not recorded again. */
export const LAST_ACTIVE_GRANULARITY_MS = 60_000;

/** What the store keeps of a user's presence. */
export interface PresenceSnapshot {
  presence: PresenceState;
  statusMsg: string | null;
  lastActiveTs: number;
}

/** The body of `GET /presence/{userId}/status`, and the content of an `m.presence` event. */
export interface PresenceContent {
  presence: PresenceState;
  last_active_ago: number;
  /** Absent when none is set (the m.presence event schema has no null here). */
  status_msg?: string;
  currently_active: boolean;
}

export function presenceContent(p: PresenceSnapshot, now: number): PresenceContent {
  const ago = Math.max(0, now - p.lastActiveTs);
  return {
    presence: p.presence,
    last_active_ago: ago,
    ...(p.statusMsg === null ? {} : { status_msg: p.statusMsg }),
    currently_active: p.presence === 'online' && ago < CURRENTLY_ACTIVE_MS,
  };
}

/** An `m.presence` event as /sync delivers it (event-schemas/schema/m.presence.yaml). */
export function presenceEvent(userId: string, p: PresenceSnapshot, now: number): { type: 'm.presence'; sender: string; content: PresenceContent } {
  return { type: 'm.presence', sender: userId, content: presenceContent(p, now) };
}
