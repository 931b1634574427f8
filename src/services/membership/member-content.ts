import { isInRoom, type Membership } from '../../core/events/types.js';
import type { UserId } from '../../core/ids.js';
import type { JsonObject } from '../../core/json.js';
import type { Store } from '../../storage/store.js';

/** Content of a membership event; joins, invites and knocks carry the user's profile (spec). */
export async function memberContent(store: Store, userId: UserId, membership: Membership, reason?: string): Promise<JsonObject> {
  const content: JsonObject = { membership };
  if (isInRoom(membership)) {
    const account = await store.accounts.get(userId);
    if (account?.displayname) content.displayname = account.displayname;
    if (account?.avatarUrl) content.avatar_url = account.avatarUrl;
  }
  if (reason !== undefined) content.reason = reason;
  return content;
}
