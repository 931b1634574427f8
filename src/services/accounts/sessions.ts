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
  /** With `refresh_token: true` only: the access token then expires after `expires_in_ms`. */
  refresh_token?: string;
  expires_in_ms?: number;
}

export interface RefreshResult {
  access_token: string;
  refresh_token: string;
  expires_in_ms: number;
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
  /** Lifetime of an access token issued with a refresh token. */
  accessTokenLifetimeMs: number;
}

/** Access tokens: issuing them (login, registration), resolving them, revoking them. */
export class Sessions {
  constructor(private readonly deps: SessionsDeps) {}

  /** Resolves a bearer token to its requester; a locked account's only if `allowLocked` (logout). */
  async authenticate(token: string | undefined, allowLocked = false): Promise<Requester> {
    if (token === undefined || token === '') throw missingToken();
    const tokenHash = hashAccessToken(token);
    const owner = await this.deps.store.tokens.lookup(tokenHash);
    if (!owner || owner.deactivated) throw unknownToken();
    // An expired token (refreshable, or the admin API's "log in as a user" with an expiry) is a soft logout.
    if (owner.validUntilTs !== null && owner.validUntilTs <= this.deps.clock.now()) throw unknownToken(true);
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
    return this.issue(userId, requested, displayName, null, body.refresh_token === true);
  }

  /**
   * Creates (or reuses) a device and a fresh access token for it, valid until `validUntilTs` (null: for ever).
   * With `refresh`, a refresh token too, and the access token expires after the configured lifetime.
   */
  async issue(userId: UserId, deviceId: DeviceId | undefined, displayName: string | null, validUntilTs: number | null = null, refresh = false): Promise<LoginResult> {
    const device = deviceId ?? (newDeviceId() as DeviceId);
    const now = this.deps.clock.now();
    const tokens = await this.deps.store.transaction(async (tx) => {
      await this.deps.quotas.checkNewDevice(tx, userId, device);
      await tx.devices.upsert({ userId, deviceId: device, displayName, createdTs: now });
      if (refresh) return this.createRefreshable(tx, userId, device, now);
      const token = newAccessToken();
      await tx.tokens.create(hashAccessToken(token), userId, device, now, validUntilTs);
      return { access_token: token };
    });
    return {
      user_id: userId,
      ...tokens,
      device_id: device,
      home_server: this.deps.serverName,
      well_known: { 'm.homeserver': { base_url: this.deps.publicBaseUrl } },
    };
  }

  /**
   * `POST /refresh`: the refresh token and the access token issued with it are retired at once (the
   * spec lets the old refresh token live until the new tokens are used; retiring it now means a
   * leaked one works at most once), and a new pair is issued for the same device.
   */
  async refresh(refreshToken: string): Promise<RefreshResult> {
    const now = this.deps.clock.now();
    return this.deps.store.transaction(async (tx) => {
      const owner = await tx.tokens.takeRefresh(hashAccessToken(refreshToken));
      if (!owner || (await tx.accounts.get(owner.userId))?.deactivated !== false) throw unknownToken();
      return this.createRefreshable(tx, owner.userId, owner.deviceId, now);
    });
  }

  private async createRefreshable(tx: Store, userId: UserId, deviceId: DeviceId, now: number): Promise<RefreshResult> {
    const accessToken = newAccessToken();
    const refreshToken = newAccessToken();
    const lifetime = this.deps.accessTokenLifetimeMs;
    await tx.tokens.create(hashAccessToken(accessToken), userId, deviceId, now, now + lifetime);
    await tx.tokens.createRefresh(hashAccessToken(refreshToken), userId, deviceId, hashAccessToken(accessToken), now);
    return { access_token: accessToken, refresh_token: refreshToken, expires_in_ms: lifetime };
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
