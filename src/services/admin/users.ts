import { invalidParam, invalidUsername } from '../../core/errors.js';
import { checkNewLocalpart, domainOf, localpartOf, type UserId } from '../../core/ids.js';
import type { Account, AccountOrder } from '../../storage/store.js';
import { requireAcceptablePassword } from '../accounts/password-policy.js';
import type { Registration } from '../accounts/registration.js';
import type { Requester } from '../requester.js';
import { setPassword, type AdminAccountDeps } from './account-changes.js';
import { localAccount, requireAdmin } from './admin-access.js';
import { details, listEntry } from './user-views.js';

export interface AdminUsersDeps extends AdminAccountDeps {
  registration: Registration;
}

/** `order_by` values Synapse documents; those Hearth has no column for (no guests, user types or shadow bans) sort by user ID. */
export const USER_ORDERS = ['name', 'is_guest', 'admin', 'user_type', 'deactivated', 'shadow_banned', 'displayname', 'avatar_url', 'creation_ts'] as const;
const ORDER_OF: Record<(typeof USER_ORDERS)[number], AccountOrder> = {
  name: 'name', is_guest: 'name', admin: 'admin', user_type: 'name', deactivated: 'deactivated', shadow_banned: 'name', displayname: 'displayname', avatar_url: 'avatar_url', creation_ts: 'creation_ts',
};

/** The most accounts one page lists, whatever `limit` asks (a page is read whole). */
export const MAX_USERS_PAGE = 1000;

/** `GET /v2/users`'s query, as validated by the HTTP layer (`guests` means nothing: Hearth has none). */
export interface UserListParams {
  from: number;
  limit: number;
  name?: string;
  user_id?: string;
  deactivated: boolean;
  order_by: (typeof USER_ORDERS)[number];
  dir: 'f' | 'b';
}

/** `PUT /v2/users/{userId}`'s body, as validated by the HTTP layer. */
export interface AccountChanges {
  password?: string;
  /** Default true: a new password logs every device out. */
  logoutDevices?: boolean;
  /** "" removes it. */
  displayname?: string;
  /** An mxc URI; "" removes it. */
  avatarUrl?: string;
  admin?: boolean;
  deactivated?: boolean;
}

/** The accounts of Synapse's admin API: list, details, create or modify, the admin flag. */
export class AdminUsers {
  constructor(private readonly deps: AdminUsersDeps) {}

  async list(requester: Requester, params: UserListParams) {
    requireAdmin(requester);
    const { accounts, total } = await this.deps.store.accounts.list({
      offset: params.from,
      limit: Math.min(params.limit, MAX_USERS_PAGE),
      name: params.name,
      userId: params.user_id,
      includeDeactivated: params.deactivated,
      orderBy: ORDER_OF[params.order_by],
      backwards: params.dir === 'b',
    });
    const next = params.from + accounts.length;
    return { users: accounts.map(listEntry), total, ...(next < total && accounts.length > 0 ? { next_token: String(next) } : {}) };
  }

  async get(requester: Requester, userId: UserId) {
    requireAdmin(requester);
    return details(await localAccount(this.deps.store, this.deps.serverName, userId));
  }

  /** Creates the account (`created`: the answer is 201) or changes it; answers its details. */
  async put(requester: Requester, userId: UserId, changes: AccountChanges) {
    requireAdmin(requester);
    const { store, serverName } = this.deps;
    if (domainOf(userId) !== serverName) throw invalidParam('Only users of this server can be managed here');
    if (changes.avatarUrl !== undefined && changes.avatarUrl !== '' && !changes.avatarUrl.startsWith('mxc://')) throw invalidParam('avatar_url must be an mxc:// URI');
    if (changes.password !== undefined) requireAcceptablePassword(changes.password, this.deps.passwordMinLength);
    const existing = await store.accounts.get(userId);
    if (existing) {
      await this.modify(requester, existing, changes);
    } else {
      await this.create(userId, changes);
    }
    return { created: !existing, user: details((await store.accounts.get(userId))!) };
  }

  async isAdmin(requester: Requester, userId: UserId): Promise<{ admin: boolean }> {
    requireAdmin(requester);
    return { admin: (await localAccount(this.deps.store, this.deps.serverName, userId)).isAdmin };
  }

  async setAdmin(requester: Requester, userId: UserId, admin: boolean): Promise<Record<string, never>> {
    requireAdmin(requester);
    await localAccount(this.deps.store, this.deps.serverName, userId);
    this.refuseSelfDemotion(requester, userId, admin);
    await this.deps.store.accounts.setAdmin(userId, admin);
    return {};
  }

  private async create(userId: UserId, changes: AccountChanges): Promise<void> {
    const why = checkNewLocalpart(localpartOf(userId), this.deps.serverName);
    if (why) throw invalidUsername(why);
    await this.deps.registration.createAccount({ userId, password: changes.password, admin: changes.admin ?? false });
    await this.setProfile(userId, changes);
    if (changes.deactivated === true) await this.deps.deactivation.deactivateAccount(userId, { erase: false });
  }

  private async modify(requester: Requester, account: Account, changes: AccountChanges): Promise<void> {
    const { store } = this.deps;
    const { userId } = account;
    if (changes.admin !== undefined) this.refuseSelfDemotion(requester, userId, changes.admin);
    // Deactivation wipes the password: bringing an account back needs a new one (as Synapse).
    if (changes.deactivated === false && account.deactivated && changes.password === undefined) {
      throw invalidParam('A password is needed to reactivate an account');
    }
    if (changes.password !== undefined) await setPassword(this.deps, userId, changes.password, changes.logoutDevices !== false);
    await this.setProfile(userId, changes);
    if (changes.admin !== undefined) await store.accounts.setAdmin(userId, changes.admin);
    if (changes.deactivated === true && !account.deactivated) await this.deps.deactivation.deactivateAccount(userId, { erase: false });
    if (changes.deactivated === false && account.deactivated) await store.accounts.reactivate(userId);
  }

  private async setProfile(userId: UserId, changes: AccountChanges): Promise<void> {
    const orNull = (v: string | undefined) => (v === undefined ? undefined : v === '' ? null : v);
    await this.deps.store.accounts.setProfile(userId, { displayname: orNull(changes.displayname), avatarUrl: orNull(changes.avatarUrl) });
  }

  private refuseSelfDemotion(requester: Requester, userId: UserId, admin: boolean): void {
    if (requester.userId === userId && !admin) throw invalidParam('You may not demote yourself');
  }
}
