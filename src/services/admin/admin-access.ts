import { forbidden, invalidParam, notFound } from '../../core/errors.js';
import { domainOf, type UserId } from '../../core/ids.js';
import type { Account, Store } from '../../storage/store.js';
import type { Requester } from '../requester.js';

/** Synapse's admin API is for server admins only. */
export function requireAdmin(requester: Requester): void {
  if (!requester.isAdmin) throw forbidden('You are not a server admin');
}

/** The account of a user of this server, for an admin: 400 for another server's user, 404 for no such account. */
export async function localAccount(store: Store, serverName: string, userId: UserId): Promise<Account> {
  if (domainOf(userId) !== serverName) throw invalidParam('Only users of this server can be managed here');
  const account = await store.accounts.get(userId);
  if (!account) throw notFound('User not found');
  return account;
}
