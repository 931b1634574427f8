import type { Clock } from '../../core/clock.js';
import { IN_ROOM_MEMBERSHIPS } from '../../core/events/types.js';
import type { Store } from '../../storage/store.js';
import type { Forget } from '../membership/forget.js';
import type { Leave } from '../membership/leave.js';
import type { Requester } from '../requester.js';
import { passwordStage } from './password-stage.js';
import type { UserInteractiveAuth } from './uia.js';

export interface DeactivationDeps {
  store: Store;
  clock: Clock;
  uia: UserInteractiveAuth;
  leave: Leave;
  forget: Forget;
  serverName: string;
}

/**
 * `POST /account/deactivate` (LEAVING.md "Account deactivation"): after the password, the user
 * leaves every room they are in, invited to or knocking on, forgets every room (so no purge waits
 * on them), and every device is logged out. Rooms others still use are left untouched.
 */
export class Deactivation {
  constructor(private readonly deps: DeactivationDeps) {}

  async deactivate(requester: Requester, auth: unknown): Promise<{ id_server_unbind_result: 'no-support' }> {
    const { store, uia, serverName } = this.deps;
    await uia.require({
      purpose: 'deactivate',
      flows: [{ stages: ['m.login.password'] }],
      auth,
      userId: requester.userId,
      checkStage: passwordStage(store, serverName, requester.userId),
    });
    // Mark the account first: from here on its tokens are refused, so nothing new can join it to a room.
    await store.accounts.setDeactivated(requester.userId);
    for (const m of await store.memberships.roomsOf(requester.userId, IN_ROOM_MEMBERSHIPS)) {
      await this.deps.leave.leave(requester, m.roomId);
    }
    for (const m of await store.memberships.roomsOf(requester.userId, ['leave', 'ban'])) {
      await this.deps.forget.forget(requester, m.roomId);
    }
    await store.transaction((tx) => tx.devices.deleteAll(requester.userId));
    return { id_server_unbind_result: 'no-support' };
  }
}
