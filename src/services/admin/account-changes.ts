import type { UserId } from '../../core/ids.js';
import type { Store } from '../../storage/store.js';
import type { Deactivation } from '../accounts/deactivation.js';
import type { PasswordHashing } from '../accounts/password-hash.js';
import { requireAcceptablePassword } from '../accounts/password-policy.js';
import type { DeviceLists } from '../e2ee/device-lists.js';

/** What the admin API's account services share. */
export interface AdminAccountDeps {
  store: Store;
  serverName: string;
  hashing: PasswordHashing;
  passwordMinLength: number;
  deviceLists: DeviceLists;
  deactivation: Deactivation;
}

/** An admin sets a user's password (under the password policy); `logoutDevices` logs every device of theirs out with it. */
export async function setPassword(deps: AdminAccountDeps, userId: UserId, password: string, logoutDevices: boolean): Promise<void> {
  requireAcceptablePassword(password, deps.passwordMinLength);
  const hash = await deps.hashing.hash(password);
  const { deviceLists } = deps;
  deviceLists.announce(await deps.store.transaction(async (tx) => {
    await tx.accounts.setPasswordHash(userId, hash);
    return logoutDevices ? deviceLists.deleteDevices(tx, userId, { allExcept: undefined }) : undefined;
  }));
}
