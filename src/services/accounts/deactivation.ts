import type { Clock } from '../../core/clock.js';
import { isInRoom, MEMBERSHIPS } from '../../core/events/types.js';
import type { UserId } from '../../core/ids.js';
import type { MembershipRecord, Store } from '../../storage/store.js';
import type { Forget } from '../membership/forget.js';
import type { Leave } from '../membership/leave.js';
import type { Requester } from '../requester.js';
import type { UserInteractiveAuth } from './uia.js';

export interface DeactivationDeps {
  store: Store;
  clock: Clock;
  uia: UserInteractiveAuth;
  leave: Leave;
  forget: Forget;
}

/**
 * `POST /account/deactivate` (LEAVING.md "Account deactivation"): after the password, the user
 * leaves every room they are in, invited to or knocking on, forgets every room (so no purge waits
 * on them), every device is logged out and the user's key backups are deleted. Rooms others still
 * use are left untouched.
 *
 * The account is marked deactivated first, durably; everything after the mark is `finish`, which
 * is safe to repeat: when a crash interrupts it, the DeactivationResume job finishes it from what
 * is stored (deactivated accounts that still have rooms they have not forgotten).
 */
export class Deactivation {
  constructor(private readonly deps: DeactivationDeps) {}

  async deactivate(requester: Requester, auth: unknown): Promise<{ id_server_unbind_result: 'no-support' }> {
    const { uia } = this.deps;
    await uia.require({
      purpose: 'deactivate',
      flows: [{ stages: ['m.login.password'] }],
      auth,
      userId: requester.userId,
      checkStage: uia.passwordStage(requester.userId),
    });
    await this.deactivateAccount(requester.userId, { erase: false });
    return { id_server_unbind_result: 'no-support' };
  }

  /**
   * Deactivates the account without asking (the user's own request after its password; the admin
   * API). `erase` also marks it erased and removes its display name and avatar.
   */
  async deactivateAccount(userId: UserId, { erase }: { erase: boolean }): Promise<void> {
    // Mark the account first: from here on its tokens are refused, so nothing new can join it to a
    // room. In a transaction, which resolves only once the mark is on disk, so that no room is left
    // before a crash could no longer lose the mark (and with it the resume job's trace of the work).
    await this.deps.store.transaction(async (tx) => {
      await tx.accounts.setDeactivated(userId);
      if (erase) await tx.accounts.erase(userId);
    });
    await this.finish(userId);
  }

  /**
   * The rest of deactivating an account already marked deactivated: every room the user has not
   * forgotten is left (when they are still in it) and forgotten, then every device is logged out
   * and the key backups are deleted.
   * Idempotent. Resolves to the number of rooms it took care of.
   */
  async finish(userId: UserId): Promise<number> {
    const { store } = this.deps;
    let rooms = 0;
    for (const m of await store.memberships.roomsOf(userId, MEMBERSHIPS)) {
      if (m.forgotten) continue;
      await this.leaveAndForget(userId, m);
      rooms++;
    }
    await store.transaction(async (tx) => {
      await tx.devices.deleteAll(userId);
      // The server-side key backups go too: nobody can read them any more.
      await tx.e2ee.keyBackups.deleteAll(userId);
    });
    return rooms;
  }

  /** One room: out of it through the membership endpoints' own leave (and its auto-forget), then forgotten. */
  private async leaveAndForget(userId: UserId, m: MembershipRecord): Promise<void> {
    if (isInRoom(m.membership)) await this.deps.leave.leave({ userId }, m.roomId);
    await this.deps.forget.forget({ userId }, m.roomId);
  }
}
