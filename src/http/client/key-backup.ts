import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { BackupKeyData } from '../../core/e2ee/key-backup.js';
import type { RoomId } from '../../core/ids.js';
import type { JsonObject } from '../../core/json.js';
import type { Services } from '../../services/services.js';
import { requesterOf } from '../auth.js';
import { roomIdParam } from '../params.js';
import {
  PostRoomKeysVersionBody, PutRoomKeyBySessionIdBody, PutRoomKeysBody, PutRoomKeysByRoomIdBody, PutRoomKeysVersionBody,
  RoomKeysRoomParams, RoomKeysSessionParams, RoomKeysVersion,
} from '../schemas/key-backup.js';

/** KeyBackupData as the spec spells it (definitions/key_backup_data.yaml). */
interface WireKey {
  first_message_index: number;
  forwarded_count: number;
  is_verified: boolean;
  session_data: JsonObject;
}
type WireSessions = Record<string, WireKey>;
type KeyOfRoom = BackupKeyData & { roomId: RoomId; sessionId: string };

const fromWire = (roomId: RoomId, sessionId: string, k: WireKey): KeyOfRoom => ({
  roomId, sessionId, firstMessageIndex: k.first_message_index, forwardedCount: k.forwarded_count, isVerified: k.is_verified, sessionData: k.session_data,
});
const toWire = (k: BackupKeyData): WireKey => ({
  first_message_index: k.firstMessageIndex, forwarded_count: k.forwardedCount, is_verified: k.isVerified, session_data: k.sessionData,
});
const keysOfRoom = (roomId: RoomId, sessions: WireSessions): KeyOfRoom[] =>
  Object.entries(sessions).map(([sessionId, k]) => fromWire(roomId, sessionId, k));

/** `{ sessionId: key }` of one room's keys. */
function sessionsOf(keys: readonly KeyOfRoom[]): WireSessions {
  return Object.fromEntries(keys.map((k) => [k.sessionId, toWire(k)]));
}

/** `{ roomId: { sessions } }`: the keys come ordered by room. Built with fromEntries: a session may be called `__proto__`. */
function roomsOf(keys: readonly KeyOfRoom[]): Record<string, { sessions: WireSessions }> {
  const byRoom = new Map<RoomId, KeyOfRoom[]>();
  for (const k of keys) {
    const list = byRoom.get(k.roomId);
    if (list) list.push(k);
    else byRoom.set(k.roomId, [k]);
  }
  return Object.fromEntries([...byRoom].map(([roomId, ofRoom]) => [roomId, { sessions: sessionsOf(ofRoom) }]));
}

type Q = { Querystring: { version: string } };
type RoomReq = Q & { Params: { roomId: string } };
type SessionReq = Q & { Params: { roomId: string; sessionId: string } };
const sessionScope = (req: FastifyRequest<SessionReq>) => ({ roomId: roomIdParam(req.params.roomId), sessionId: req.params.sessionId });

/** Server-side key backups: backup versions, and the keys of a version per backup, room and session. */
export async function keyBackupRoutes(app: FastifyInstance, { services }: { services: Services }): Promise<void> {
  const auth = { auth: 'required' } as const;
  const backups = services.e2ee.keyBackups;

  app.post<{ Body: { algorithm: string; auth_data: JsonObject } }>('/room_keys/version', { schema: { body: PostRoomKeysVersionBody }, config: auth }, async (req) =>
    backups.createVersion(requesterOf(req), req.body.algorithm, req.body.auth_data));

  app.get('/room_keys/version', { config: auth }, async (req) => backups.getVersion(requesterOf(req)));

  app.get<{ Params: { version: string } }>('/room_keys/version/:version', { schema: { params: RoomKeysVersion }, config: auth }, async (req) =>
    backups.getVersion(requesterOf(req), req.params.version));

  app.put<{ Params: { version: string }; Body: { algorithm: string; auth_data: JsonObject; version?: string } }>(
    '/room_keys/version/:version',
    { schema: { params: RoomKeysVersion, body: PutRoomKeysVersionBody }, config: auth },
    async (req) => {
      const { algorithm, auth_data, version } = req.body;
      await backups.updateVersion(requesterOf(req), req.params.version, { algorithm, authData: auth_data, ...(version === undefined ? {} : { version }) });
      return {};
    },
  );

  app.delete<{ Params: { version: string } }>('/room_keys/version/:version', { schema: { params: RoomKeysVersion }, config: auth }, async (req) => {
    await backups.deleteVersion(requesterOf(req), req.params.version);
    return {};
  });

  const keysOpts = (extra: object = {}) => ({ schema: { querystring: RoomKeysVersion, ...extra }, config: auth });

  app.put<Q & { Body: { rooms: Record<string, { sessions: WireSessions }> } }>('/room_keys/keys', keysOpts({ body: PutRoomKeysBody }), async (req) => {
    const keys = Object.entries(req.body.rooms).flatMap(([roomId, room]) => keysOfRoom(roomIdParam(roomId), room.sessions));
    return backups.putKeys(requesterOf(req), req.query.version, keys);
  });
  app.get<Q>('/room_keys/keys', keysOpts(), async (req) => ({ rooms: roomsOf(await backups.getKeys(requesterOf(req), req.query.version)) }));
  app.delete<Q>('/room_keys/keys', keysOpts(), async (req) => backups.deleteKeys(requesterOf(req), req.query.version));

  app.put<RoomReq & { Body: { sessions: WireSessions } }>(
    '/room_keys/keys/:roomId',
    keysOpts({ params: RoomKeysRoomParams, body: PutRoomKeysByRoomIdBody }),
    async (req) => backups.putKeys(requesterOf(req), req.query.version, keysOfRoom(roomIdParam(req.params.roomId), req.body.sessions)),
  );
  app.get<RoomReq>('/room_keys/keys/:roomId', keysOpts({ params: RoomKeysRoomParams }), async (req) =>
    ({ sessions: sessionsOf(await backups.getKeys(requesterOf(req), req.query.version, { roomId: roomIdParam(req.params.roomId) })) }));
  app.delete<RoomReq>('/room_keys/keys/:roomId', keysOpts({ params: RoomKeysRoomParams }), async (req) =>
    backups.deleteKeys(requesterOf(req), req.query.version, { roomId: roomIdParam(req.params.roomId) }));

  app.put<SessionReq & { Body: WireKey }>(
    '/room_keys/keys/:roomId/:sessionId',
    keysOpts({ params: RoomKeysSessionParams, body: PutRoomKeyBySessionIdBody }),
    async (req) => backups.putKeys(requesterOf(req), req.query.version, [fromWire(roomIdParam(req.params.roomId), req.params.sessionId, req.body)]),
  );
  app.get<SessionReq>('/room_keys/keys/:roomId/:sessionId', keysOpts({ params: RoomKeysSessionParams }), async (req) =>
    toWire(await backups.getKey(requesterOf(req), req.query.version, sessionScope(req))));
  app.delete<SessionReq>('/room_keys/keys/:roomId/:sessionId', keysOpts({ params: RoomKeysSessionParams }), async (req) =>
    backups.deleteKeys(requesterOf(req), req.query.version, sessionScope(req)));
}
