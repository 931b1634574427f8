import { forbidden, notFound } from '../../core/errors.js';
import { domainOf, type UserId } from '../../core/ids.js';
import type { Store } from '../../storage/store.js';
import type { RemoteProfiles } from '../federation/remote-profiles.js';
import type { Requester } from '../requester.js';

export interface Profile {
  displayname?: string;
  avatar_url?: string;
}

export type ProfileField = 'displayname' | 'avatar_url';

/** The longest value of each field, in characters: what a client may set, and what another server's answer may hold. */
export const PROFILE_FIELD_MAX_LENGTH: Readonly<Record<ProfileField, number>> = { displayname: 256, avatar_url: 1000 };

/** Global profiles: display name and avatar URL; those of other servers' users are asked of their server. */
export class Profiles {
  constructor(private readonly deps: { store: Store; serverName: string; remote: RemoteProfiles }) {}

  async get(userId: UserId): Promise<Profile> {
    return domainOf(userId) === this.deps.serverName ? this.local(userId) : this.deps.remote.get(userId);
  }

  async getField(userId: UserId, field: ProfileField): Promise<Profile> {
    const profile = domainOf(userId) === this.deps.serverName ? await this.local(userId) : await this.deps.remote.get(userId, field);
    if (profile[field] === undefined) throw notFound(`No ${field} set for this user`);
    return { [field]: profile[field] };
  }

  /** A user of this server. */
  async local(userId: UserId): Promise<Profile> {
    const account = await this.deps.store.accounts.get(userId);
    if (!account) throw notFound('Profile not found');
    const out: Profile = {};
    if (account.displayname !== null) out.displayname = account.displayname;
    if (account.avatarUrl !== null) out.avatar_url = account.avatarUrl;
    return out;
  }

  async setField(requester: Requester, userId: UserId, field: ProfileField, value: string | null): Promise<void> {
    if (requester.userId !== userId && !requester.isAdmin) throw forbidden("You cannot change another user's profile");
    if (!(await this.deps.store.accounts.exists(userId))) throw notFound('Profile not found');
    const fields = field === 'displayname' ? { displayname: value } : { avatarUrl: value };
    await this.deps.store.accounts.setProfile(userId, fields);
  }
}
