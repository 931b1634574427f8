import { forbidden, notFound } from '../../core/errors.js';
import type { UserId } from '../../core/ids.js';
import type { AccountRestriction, Store } from '../../storage/store.js';

export type { AccountRestriction };
import type { Requester } from '../requester.js';
import { localAccount, requireAdmin } from './admin-access.js';

export interface AccountRestrictionsDeps {
  store: Store;
  serverName: string;
}

/**
 * Suspending and locking local accounts (spec: `/_matrix/client/v1/admin/suspend|lock/{userId}`,
 * and Synapse's `/_synapse/admin/v1/suspend/{userId}`). The marks themselves are enforced where
 * requests are authenticated (src/http/auth.ts), not here.
 */
export class AccountRestrictions {
  constructor(private readonly deps: AccountRestrictionsDeps) {}

  /** Whether the user has the mark: 400 for a remote user, 404 for an unknown or deactivated one. */
  async get(requester: Requester, userId: UserId, restriction: AccountRestriction): Promise<boolean> {
    requireAdmin(requester);
    const account = await this.activeAccount(userId);
    return account[restriction] === true;
  }

  /** Sets or clears the mark; the spec forbids it on oneself and on another admin. */
  async set(requester: Requester, userId: UserId, restriction: AccountRestriction, on: boolean): Promise<boolean> {
    requireAdmin(requester);
    const account = await this.activeAccount(userId);
    if (userId === requester.userId) throw forbidden('You cannot change this on your own account');
    if (account.isAdmin) throw forbidden('You cannot change this on a server admin');
    await this.deps.store.accounts.setRestriction(userId, restriction, on);
    return on;
  }

  private async activeAccount(userId: UserId) {
    const account = await localAccount(this.deps.store, this.deps.serverName, userId);
    if (account.deactivated) throw notFound('User not found');
    return account;
  }
}
