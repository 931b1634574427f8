import type { Requester } from '../requester.js';
import type { Store } from '../../storage/store.js';

/** The most results one search answers, whatever the client asks (SECURITY.md). */
export const MAX_DIRECTORY_RESULTS = 50;
const DEFAULT_DIRECTORY_RESULTS = 10;

export interface DirectoryResult {
  user_id: string;
  display_name?: string;
  avatar_url?: string;
}

/**
 * `POST /user_directory/search`: local users the searcher may find. By default those joined to a
 * room the searcher is joined to, or to a room published in the room directory (the rooms this
 * server advertises as public); with `user_directory.search_all_users`, every local user.
 * Deactivated users never. Profiles are the global ones.
 */
export class UserDirectory {
  constructor(private readonly deps: { store: Store; searchAllUsers: boolean }) {}

  async search(requester: Requester, term: string, limit = DEFAULT_DIRECTORY_RESULTS): Promise<{ results: DirectoryResult[]; limited: boolean }> {
    const words = searchWords(term);
    const wanted = Math.min(Math.max(limit, 0), MAX_DIRECTORY_RESULTS);
    // An empty term would list everyone visible: it finds no one.
    if (words.length === 0 || wanted === 0) return { results: [], limited: false };
    const users = await this.deps.store.userDirectory.search(requester.userId, words, { everyone: this.deps.searchAllUsers, limit: wanted + 1 });
    return {
      results: users.slice(0, wanted).map((u) => ({
        user_id: u.userId,
        ...(u.displayname !== null ? { display_name: u.displayname } : {}),
        ...(u.avatarUrl !== null ? { avatar_url: u.avatarUrl } : {}),
      })),
      limited: users.length > wanted,
    };
  }
}

/** Lower-case words of the term; a leading `@` (a user ID typed as such) is not part of the word. */
function searchWords(term: string): string[] {
  return term.toLowerCase().split(/\s+/).map((w) => w.replace(/^@/, '')).filter((w) => w !== '');
}
