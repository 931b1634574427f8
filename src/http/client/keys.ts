import type { FastifyInstance } from 'fastify';
import type { DeviceId, UserId } from '../../core/ids.js';
import type { JsonObject } from '../../core/json.js';
import type { Services } from '../../services/services.js';
import { requesterOf } from '../auth.js';
import { deviceIdParam, userIdParam } from '../params.js';
import {
  ClaimKeysBody, GetKeysChangesQuery, QueryKeysBody, UploadCrossSigningKeysBody, UploadCrossSigningSignaturesBody, UploadKeysBody,
} from '../schemas/e2ee.js';

/** A request map keyed by user ID, with its keys parsed (a bad user ID is M_INVALID_PARAM). */
export function byUserId<T, U>(raw: Record<string, T>, value: (v: T) => U): Map<UserId, U> {
  return new Map(Object.entries(raw).map(([userId, v]) => [userIdParam(userId), value(v)]));
}

type UploadKeys = { device_keys?: JsonObject; one_time_keys?: JsonObject; fallback_keys?: JsonObject };
type CrossSigningKeys = { master_key?: JsonObject; self_signing_key?: JsonObject; user_signing_key?: JsonObject; auth?: unknown };

/** End-to-end encryption: device keys, one-time keys, key changes, cross-signing. */
export async function keyRoutes(app: FastifyInstance, { services }: { services: Services }): Promise<void> {
  const auth = { auth: 'required' } as const;
  const e2ee = services.e2ee;

  app.post<{ Body: UploadKeys }>('/keys/upload', { schema: { body: UploadKeysBody }, config: auth }, async (req) => {
    const { device_keys, one_time_keys, fallback_keys } = req.body;
    return e2ee.deviceKeys.upload(requesterOf(req), {
      ...(device_keys ? { deviceKeys: device_keys } : {}),
      ...(one_time_keys ? { oneTimeKeys: one_time_keys } : {}),
      ...(fallback_keys ? { fallbackKeys: fallback_keys } : {}),
    });
  });

  app.post<{ Body: { device_keys: Record<string, string[]> } }>('/keys/query', { schema: { body: QueryKeysBody }, config: auth }, async (req) =>
    e2ee.deviceKeys.query(requesterOf(req), byUserId(req.body.device_keys, (ids) => ids.map(deviceIdParam))));

  app.post<{ Body: { one_time_keys: Record<string, Record<string, string>> } }>('/keys/claim', { schema: { body: ClaimKeysBody }, config: auth }, async (req) =>
    e2ee.oneTimeKeys.claim(byUserId(req.body.one_time_keys, (devices) =>
      new Map(Object.entries(devices).map(([deviceId, algorithm]) => [deviceIdParam(deviceId) as DeviceId, algorithm])))));

  app.get<{ Querystring: { from: string; to: string } }>('/keys/changes', { schema: { querystring: GetKeysChangesQuery }, config: auth }, async (req) =>
    e2ee.deviceLists.changes(requesterOf(req), req.query.from, req.query.to));

  app.post<{ Body: CrossSigningKeys }>('/keys/device_signing/upload', { schema: { body: UploadCrossSigningKeysBody }, config: auth }, async (req) => {
    const { master_key, self_signing_key, user_signing_key } = req.body;
    await e2ee.crossSigning.upload(requesterOf(req), {
      ...(master_key ? { master: master_key } : {}),
      ...(self_signing_key ? { self_signing: self_signing_key } : {}),
      ...(user_signing_key ? { user_signing: user_signing_key } : {}),
    }, req.body.auth);
    return {};
  });

  app.post<{ Body: Record<string, Record<string, JsonObject>> }>(
    '/keys/signatures/upload',
    { schema: { body: UploadCrossSigningSignaturesBody }, config: auth },
    async (req) => e2ee.signatures.upload(requesterOf(req), byUserId(req.body, (keys) => new Map(Object.entries(keys)))),
  );
}
