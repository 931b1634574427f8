import { forbidden, notFound } from '../../core/errors.js';
import { domainOf, type UserId } from '../../core/ids.js';
import type { Requester } from '../requester.js';
import type { Store } from '../../storage/store.js';

interface Connection { ip?: string; last_seen?: number }
export interface WhoisAnswer {
  user_id: UserId;
  devices: Record<string, { sessions: { connections: Connection[] }[] }>;
}

/**
 * `GET /admin/whois/{userId}`: a user's devices and where each was last seen, for server admins and
 * for the user themself. Hearth keeps one session per device (its latest address and time, when the
 * device record has them: nothing records them on requests yet) and no user agent. Authorisation is checked before the account is looked up, so that no one else learns
 * which users exist.
 */
export class Whois {
  constructor(private readonly deps: { store: Store; serverName: string }) {}

  async whois(requester: Requester, userId: UserId): Promise<WhoisAnswer> {
    if (!requester.isAdmin && requester.userId !== userId) throw forbidden('Only server admins may look up other users');
    if (domainOf(userId) !== this.deps.serverName || !(await this.deps.store.accounts.exists(userId))) throw notFound('Unknown user');
    const devices: WhoisAnswer['devices'] = {};
    for (const d of await this.deps.store.devices.list(userId)) {
      const seen: Connection = {
        ...(d.lastSeenIp !== null ? { ip: d.lastSeenIp } : {}),
        ...(d.lastSeenTs !== null ? { last_seen: d.lastSeenTs } : {}),
      };
      devices[d.deviceId] = { sessions: [{ connections: Object.keys(seen).length > 0 ? [seen] : [] }] };
    }
    return { user_id: userId, devices };
  }
}
