import type { Clock } from '../../core/clock.js';
import { parsePusherBody } from '../../core/push/pusher-body.js';
import type { JsonObject } from '../../core/json.js';
import type { PusherRecord, Store } from '../../storage/store.js';
import type { Quotas } from '../quotas.js';
import type { Requester } from '../requester.js';

/**
 * `GET /pushers` and `POST /pushers/set`. A pusher belongs to the device whose access token set it
 * (its logout or deletion removes it, as does deactivation). A new pusher is sent only what is
 * notified after it was set, not the backlog.
 */
export class Pushers {
  constructor(private readonly deps: { store: Store; clock: Clock; quotas: Quotas }) {}

  async list(requester: Requester): Promise<{ pushers: JsonObject[] }> {
    return { pushers: (await this.deps.store.pushers.list(requester.userId)).map(clientPusher) };
  }

  async set(requester: Requester, body: unknown): Promise<void> {
    const request = parsePusherBody(body);
    const { store, clock, quotas } = this.deps;
    const { userId } = requester;
    if (request.delete) {
      await store.pushers.delete(request.key.appId, [request.key.pushkey], userId);
      return;
    }
    const { append, ...fields } = request.pusher;
    await store.transaction(async (tx) => {
      await quotas.checkNewPusher(tx, userId, fields);
      const fromPos = await tx.events.readablePos();
      await tx.pushers.set({ ...fields, userId, deviceId: requester.deviceId, pushkeyTs: clock.now() }, { append, fromPos });
    });
  }
}

/** A pusher as `GET /pushers` shows it. */
function clientPusher(p: PusherRecord): JsonObject {
  return {
    pushkey: p.pushkey, kind: p.kind, app_id: p.appId, app_display_name: p.appDisplayName,
    device_display_name: p.deviceDisplayName, lang: p.lang, data: p.data,
    ...(p.profileTag === null ? {} : { profile_tag: p.profileTag }),
  };
}
