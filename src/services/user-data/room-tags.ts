import { forbidden, invalidParam } from '../../core/errors.js';
import type { RoomId, UserId } from '../../core/ids.js';
import type { JsonObject } from '../../core/json.js';
import type { Store } from '../../storage/store.js';
import type { Requester } from '../requester.js';
import type { AccountData } from './account-data.js';

/** Tags are room account data of this type, so /sync delivers them as any other (spec: "Room Tagging"). */
export const TAG_TYPE = 'm.tag';
/** Longest tag name, in UTF-8 bytes (the spec's limit). */
export const MAX_TAG_BYTES = 255;

/** The tags of an `m.tag` content; anything else stored there (through the account data API) counts as none. */
function tagsIn(content: JsonObject | undefined): JsonObject {
  const tags = content?.tags;
  return typeof tags === 'object' && tags !== null && !Array.isArray(tags) ? tags as JsonObject : {};
}

/**
 * `/user/{userId}/rooms/{roomId}/tags[/{tag}]`: edits of the room's `m.tag` account data, within
 * the account data quota. As for any room account data, forgetting the room keeps them (they
 * come back if the user rejoins) and the purge of the room deletes them (docs/LEAVING.md).
 */
export class RoomTags {
  constructor(private readonly deps: { store: Store; accountData: AccountData }) {}

  async list(requester: Requester, userId: UserId, roomId: RoomId): Promise<{ tags: JsonObject }> {
    if (requester.userId !== userId) throw forbidden('Cannot read the tags of other users');
    return { tags: tagsIn(await this.deps.store.accountData.get(userId, roomId, TAG_TYPE)) };
  }

  async put(requester: Requester, userId: UserId, roomId: RoomId, tag: string, info: { order?: number }): Promise<void> {
    this.check(requester, userId, tag);
    const value: JsonObject = info.order === undefined ? {} : { order: info.order };
    await this.deps.accountData.modify(userId, roomId, TAG_TYPE, (content) => ({ ...content, tags: { ...tagsIn(content), [tag]: value } }));
  }

  /** Removing a tag the room does not have is not an error (and writes nothing). */
  async delete(requester: Requester, userId: UserId, roomId: RoomId, tag: string): Promise<void> {
    this.check(requester, userId, tag);
    await this.deps.accountData.modify(userId, roomId, TAG_TYPE, (content) => {
      const tags = tagsIn(content);
      if (!Object.hasOwn(tags, tag)) return undefined;
      const { [tag]: _removed, ...rest } = tags;
      return { ...content, tags: rest };
    });
  }

  private check(requester: Requester, userId: UserId, tag: string): void {
    if (requester.userId !== userId) throw forbidden('Cannot change the tags of other users');
    if (Buffer.byteLength(tag) > MAX_TAG_BYTES) throw invalidParam(`A tag may be at most ${MAX_TAG_BYTES} bytes long`);
  }
}
