import type { UserId } from '../../core/ids.js';
import { IGNORED_USER_LIST_TYPE, ignoredUsersIn } from '../../core/ignored-users.js';
import type { Store } from '../../storage/store.js';

/**
 * The users `userId` ignores, read once per request (sync, messages, context) and then checked per
 * event in memory. Read on every request, so a change applies to the next one (spec: "immediately").
 */
export async function ignoredUsersOf(store: Store, userId: UserId): Promise<ReadonlySet<string>> {
  return ignoredUsersIn(await store.accountData.get(userId, '', IGNORED_USER_LIST_TYPE));
}

/** The ignore lists of many users in one query (push evaluation of an event for a room's members). */
export async function ignoredUsersOfMany(store: Store, userIds: readonly UserId[]): Promise<Map<UserId, ReadonlySet<string>>> {
  const lists = await store.accountData.getMany(userIds, '', IGNORED_USER_LIST_TYPE);
  return new Map([...lists].map(([u, content]) => [u, ignoredUsersIn(content)]));
}
