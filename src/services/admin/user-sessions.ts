import { invalidParam } from '../../core/errors.js';
import type { DeviceId, RoomId, UserId } from '../../core/ids.js';
import type { Device } from '../../storage/store.js';
import type { Sessions } from '../accounts/sessions.js';
import type { Requester } from '../requester.js';
import { setPassword, type AdminAccountDeps } from './account-changes.js';
import { localAccount, requireAdmin } from './admin-access.js';

export interface AdminUserSessionsDeps extends AdminAccountDeps {
  sessions: Sessions;
}

/** The display name of the device a "log in as" token gets: the user sees it in their device list. */
export const ADMIN_LOGIN_DEVICE_NAME = 'Admin login';

/**
 * What Synapse's admin API does to one account's access: deactivation, password reset, sessions
 * (whois), devices, joined rooms, and logging in as the user.
 */
export class AdminUserSessions {
  constructor(private readonly deps: AdminUserSessionsDeps) {}

  /** The user's own deactivation without its password: leaves and forgets every room, logs out every device. */
  async deactivate(requester: Requester, userId: UserId, erase: boolean): Promise<{ id_server_unbind_result: 'no-support' }> {
    await this.account(requester, userId);
    await this.deps.deactivation.deactivateAccount(userId, { erase });
    return { id_server_unbind_result: 'no-support' };
  }

  async resetPassword(requester: Requester, userId: UserId, newPassword: string, logoutDevices: boolean): Promise<Record<string, never>> {
    const account = await this.account(requester, userId);
    if (account.deactivated) throw invalidParam('The account is deactivated');
    await setPassword(this.deps, userId, newPassword, logoutDevices);
    return {};
  }

  /** The spec's whois shape; Hearth keeps each device's last address and time, not its user agent. */
  async whois(requester: Requester, userId: UserId) {
    await this.account(requester, userId);
    const devices = await this.deps.store.devices.list(userId);
    const connection = (d: Device) => ({
      ...(d.lastSeenIp === null ? {} : { ip: d.lastSeenIp }),
      ...(d.lastSeenTs === null ? {} : { last_seen: d.lastSeenTs }),
    });
    return {
      user_id: userId,
      devices: Object.fromEntries(devices.map((d) => [d.deviceId, { sessions: [{ connections: d.lastSeenTs === null ? [] : [connection(d)] }] }])),
    };
  }

  async joinedRooms(requester: Requester, userId: UserId): Promise<{ joined_rooms: RoomId[]; total: number }> {
    await this.account(requester, userId);
    const rooms = (await this.deps.store.memberships.roomsOf(userId, ['join'])).map((m) => m.roomId);
    return { joined_rooms: rooms, total: rooms.length };
  }

  async devices(requester: Requester, userId: UserId) {
    await this.account(requester, userId);
    const devices = await this.deps.store.devices.list(userId);
    return {
      devices: devices.map((d) => ({
        device_id: d.deviceId, display_name: d.displayName, last_seen_ip: d.lastSeenIp, last_seen_user_agent: null, last_seen_ts: d.lastSeenTs, user_id: userId,
      })),
      total: devices.length,
    };
  }

  /** Unknown device IDs are ignored, as the user's own bulk delete does. */
  async deleteDevices(requester: Requester, userId: UserId, deviceIds: DeviceId[]): Promise<Record<string, never>> {
    await this.account(requester, userId);
    const { deviceLists } = this.deps;
    deviceLists.announce(await this.deps.store.transaction((tx) => deviceLists.deleteDevices(tx, userId, { deviceIds })));
    return {};
  }

  /**
   * An access token of the user's, for an admin acting on their behalf (Synapse refuses it for the
   * admin themself). Hearth's tokens belong to a device: it gets a new one, named
   * ADMIN_LOGIN_DEVICE_NAME, which the user can see and log out.
   */
  async loginAs(requester: Requester, userId: UserId, validUntilMs: number | null): Promise<{ access_token: string; device_id: DeviceId }> {
    const account = await this.account(requester, userId);
    if (requester.userId === userId) throw invalidParam('Cannot use the admin API to log in as yourself');
    if (account.deactivated) throw invalidParam('The account is deactivated');
    const login = await this.deps.sessions.issue(userId, undefined, ADMIN_LOGIN_DEVICE_NAME, validUntilMs);
    return { access_token: login.access_token, device_id: login.device_id };
  }

  private async account(requester: Requester, userId: UserId) {
    requireAdmin(requester);
    return localAccount(this.deps.store, this.deps.serverName, userId);
  }
}
