import { isInRoom, type Membership } from '../../core/events/types.js';
import type { UserId } from '../../core/ids.js';
import type { JsonObject } from '../../core/json.js';
import type { Store } from '../../storage/store.js';

/**
 * What the client asked for: a `reason` (the membership endpoints), or a whole content (the state
 * endpoint, `PUT /rooms/{roomId}/state/m.room.member/{userId}`: per-room profiles, extra fields).
 */
export interface MemberChange {
  reason?: string;
  content?: JsonObject;
}

/**
 * Content of a membership event; joins, invites and knocks carry the user's profile (spec), unless
 * the client's content sets a per-room one.
 */
export async function memberContent(store: Store, userId: UserId, membership: Membership, change: MemberChange = {}): Promise<JsonObject> {
  const content: JsonObject = { ...change.content, membership };
  if (isInRoom(membership)) {
    const account = await store.accounts.get(userId);
    if (account?.displayname && !Object.hasOwn(content, 'displayname')) content.displayname = account.displayname;
    if (account?.avatarUrl && !Object.hasOwn(content, 'avatar_url')) content.avatar_url = account.avatarUrl;
  }
  if (change.reason !== undefined) content.reason = change.reason;
  return content;
}
