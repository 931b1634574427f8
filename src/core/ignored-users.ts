import { parseUserId, type UserId } from './ids.js';
import type { JsonObject } from './json.js';
import { isStateEvent } from './events/types.js';

/** The account data type naming the users a user ignores (spec: "Ignoring Users"). */
export const IGNORED_USER_LIST_TYPE = 'm.ignored_user_list';

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Why `content` is not a valid `m.ignored_user_list` for `owner`, or undefined when it is: the
 * schema's `ignored_users` object of user IDs to objects. Ignoring oneself is refused too: the spec
 * does not foresee it, and it would only hide the user's own messages from them.
 */
export function ignoredUserListProblem(content: JsonObject, owner: UserId): string | undefined {
  const users = content.ignored_users;
  if (!isObject(users)) return 'ignored_users must be an object';
  for (const [userId, value] of Object.entries(users)) {
    if (parseUserId(userId) === undefined) return 'ignored_users keys must be user IDs';
    if (!isObject(value)) return 'ignored_users values must be objects';
    if (userId === owner) return 'You cannot ignore yourself';
  }
  return undefined;
}

/** The users a stored `m.ignored_user_list` names; none for content that is absent or malformed. */
export function ignoredUsersIn(content: JsonObject | undefined): ReadonlySet<string> {
  const users = content?.ignored_users;
  return new Set(isObject(users) ? Object.keys(users) : []);
}

/**
 * Whether an event is withheld from a user ignoring `ignored`: everything their ignored users
 * send except state events, which still apply so that the room looks the same to everyone (spec).
 */
export function isFromIgnoredUser(event: { sender: string; state_key?: string }, ignored: ReadonlySet<string>): boolean {
  return ignored.size > 0 && ignored.has(event.sender) && !isStateEvent(event);
}

/**
 * Whether an event must not notify `recipient`, who ignores `ignored`: what /sync withholds from
 * them, their ignored users' non-state events and invites to them.
 */
export function isWithheldNotification(event: { sender: string; type: string; state_key?: string; content: JsonObject }, recipient: string, ignored: ReadonlySet<string>): boolean {
  if (isFromIgnoredUser(event, ignored)) return true;
  return ignored.has(event.sender) && event.type === 'm.room.member' && event.state_key === recipient && event.content.membership === 'invite';
}
