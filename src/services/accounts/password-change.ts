import type { Store } from '../../storage/store.js';
import type { DeviceLists } from '../e2ee/device-lists.js';
import type { Requester } from '../requester.js';
import type { PasswordHashing } from './password-hash.js';
import { requireAcceptablePassword } from './password-policy.js';
import type { UserInteractiveAuth } from './uia.js';

export interface PasswordChangeInput {
  newPassword: string;
  /** Default true: every other device is logged out. */
  logoutDevices: boolean;
  auth: unknown;
}

/** `POST /account/password`, behind user-interactive auth with the current password. */
export class PasswordChange {
  constructor(private readonly deps: { store: Store; uia: UserInteractiveAuth; hashing: PasswordHashing; passwordMinLength: number; deviceLists: DeviceLists }) {}

  async change(requester: Requester, input: PasswordChangeInput): Promise<void> {
    // Before auth: the user learns the new password is refused without typing the current one first.
    requireAcceptablePassword(input.newPassword, this.deps.passwordMinLength);
    await this.deps.uia.require({
      purpose: 'change_password',
      flows: [{ stages: ['m.login.password'] }],
      auth: input.auth,
      userId: requester.userId,
      checkStage: this.deps.uia.passwordStage(requester.userId),
    });
    const hash = await this.deps.hashing.hash(input.newPassword);
    const { deviceLists } = this.deps;
    const change = await this.deps.store.transaction(async (tx) => {
      await tx.accounts.setPasswordHash(requester.userId, hash);
      if (input.logoutDevices) return deviceLists.deleteDevices(tx, requester.userId, { allExcept: requester.deviceId });
      return undefined;
    });
    deviceLists.announce(change);
  }
}
