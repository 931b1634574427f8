import type { Clock } from '../../core/clock.js';
import { forbidden, missingToken, unknownError, unknownToken, userDeactivated, userLocked } from '../../core/errors.js';
import { parseDeviceId, type DeviceId, type UserId } from '../../core/ids.js';
import type { JsonObject } from '../../core/json.js';
import type { Store } from '../../storage/store.js';
import type { DeviceLists } from '../e2ee/device-lists.js';
import type { Quotas } from '../quotas.js';
import type { Requester } from '../requester.js';
import { hashAccessToken, newAccessToken, newDeviceId } from './access-tokens.js';
import { userFromIdentifier, type PasswordChecks } from './password-checks.js';

export interface LoginResult {
  user_id: UserId;
  access_token: string;
  device_id: DeviceId;
  home_server: string;
  well_known: { 'm.homeserver': { base_url: string } };
}

export interface SessionsDeps {
  store: Store;
  clock: Clock;
  serverName: string;
  publicBaseUrl: string;
  /** Logging out deletes the device's keys too, and tells those who track them. */
  deviceLists: DeviceLists;
  passwords: PasswordChecks;
  quotas: Quotas;
}

/** Access tokens: issuing them (login, registration), resolving them, revoking them. */
export class Sessions {
  constructor(private readonly deps: SessionsDeps) {}

  /** Resolves a bearer token to its requester; a locked account's only if `allowLocked` (logout). */
  async authenticate(token: string | undefined, allowLocked = false): Promise<Requester> {
    if (token === undefined || token === '') throw missingToken();
    const tokenHash = hashAccessToken(token);
    const owner = await this.deps.store.tokens.lookup(tokenHash);
    // An expired token (the admin API's "log in as a user" may set an expiry) is as unknown as a wrong one.
    if (!owner || owner.deactivated || (owner.validUntilTs !== null && owner.validUntilTs <= this.deps.clock.now())) throw unknownToken();
    if (owner.locked && !allowLocked) throw userLocked();
    return { userId: owner.userId, deviceId: owner.deviceId, isAdmin: owner.isAdmin, suspended: owner.suspended, tokenHash };
  }

  async login(body: JsonObject): Promise<LoginResult> {
    if (body.type !== 'm.login.password') throw unknownError(400, `Login type ${JSON.stringify(body.type)} is not supported`);
    const userId = userFromIdentifier(body, this.deps.serverName);
    if (!(await this.deps.passwords.login(userId, body.password)) || userId === undefined) {
      throw forbidden('Invalid username or password');
    }
    const account = await this.deps.store.accounts.get(userId);
    if (account?.deactivated) throw userDeactivated();
    const requested = typeof body.device_id === 'string' ? parseDeviceId(body.device_id) : undefined;
    const displayName = typeof body.initial_device_display_name === 'string' ? body.initial_device_display_name : null;
    return this.issue(userId, requested, displayName);
  }

  /** Creates (or reuses) a device and a fresh access token for it, valid until `validUntilTs` (null: for ever). */
  async issue(userId: UserId, deviceId: DeviceId | undefined, displayName: string | null, validUntilTs: number | null = null): Promise<LoginResult> {
    const device = deviceId ?? (newDeviceId() as DeviceId);
    const token = newAccessToken();
    const now = this.deps.clock.now();
    await this.deps.store.transaction(async (tx) => {
      await this.deps.quotas.checkNewDevice(tx, userId, device);
      await tx.devices.upsert({ userId, deviceId: device, displayName, createdTs: now });
      await tx.tokens.create(hashAccessToken(token), userId, device, now, validUntilTs);
    });
    return {
      user_id: userId,
      access_token: token,
      device_id: device,
      home_server: this.deps.serverName,
      well_known: { 'm.homeserver': { base_url: this.deps.publicBaseUrl } },
    };
  }

  /** Logs out this token's device: the device and all its tokens are deleted (spec: /logout). */
  async logout(requester: Requester): Promise<void> {
    const { deviceLists } = this.deps;
    deviceLists.announce(await this.deps.store.transaction((tx) => deviceLists.deleteDevices(tx, requester.userId, { deviceIds: [requester.deviceId] })));
  }

  async logoutAll(requester: Requester): Promise<void> {
    const { deviceLists } = this.deps;
    deviceLists.announce(await this.deps.store.transaction((tx) => deviceLists.deleteDevices(tx, requester.userId, { allExcept: undefined })));
  }
}
