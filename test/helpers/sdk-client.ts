import { after, before } from 'node:test';
import { LoggerLevel, Tracing } from '@matrix-org/matrix-sdk-crypto-wasm';
import * as sdk from 'matrix-js-sdk';
import { logger } from 'matrix-js-sdk/lib/logger.js';
import type { BackendName } from './backends.js';
import { startTestServer, type TestServer, type TestUser } from './test-server.js';

(logger as unknown as { setLevel(level: string): void }).setLevel('silent');
// Child loggers start at DEBUG whatever the root's level: silence the one that reports, at error
// level, state events for rooms not (or no longer) in the store, which left and forgotten rooms cause.
(logger.getChild('[MatrixRTCSessionManager]') as unknown as { setLevel(level: string): void }).setLevel('silent');

/** A real matrix-js-sdk client for a test user, not yet started. */
export function sdkClient(baseUrl: string, user: TestUser): sdk.MatrixClient {
  return sdk.createClient({ baseUrl, accessToken: user.accessToken, userId: user.userId, deviceId: user.deviceId });
}

/** Starts the client and resolves once its first sync is PREPARED (bounded: 20 s). */
export async function startAndWaitPrepared(client: sdk.MatrixClient): Promise<void> {
  const prepared = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('client did not reach PREPARED')), 20_000);
    client.on(sdk.ClientEvent.Sync, (state, _prev, data) => {
      if (state === 'PREPARED') {
        clearTimeout(timer);
        resolve();
      }
      if (state === 'ERROR') {
        clearTimeout(timer);
        reject(data?.error ?? new Error('sync error'));
      }
    });
  });
  await client.startClient({ initialSyncLimit: 20 });
  await prepared;
}

/** Resolves with the first timeline event in `roomId` that `match` accepts (bounded: 10 s). */
export function waitForTimelineEvent(client: sdk.MatrixClient, roomId: string, match: (e: sdk.MatrixEvent) => boolean): Promise<sdk.MatrixEvent> {
  return new Promise((resolve, reject) => {
    const existing = client.getRoom(roomId)?.getLiveTimeline().getEvents().find(match);
    if (existing) return resolve(existing);
    const timer = setTimeout(() => {
      client.off(sdk.RoomEvent.Timeline, onEvent);
      reject(new Error('timeline event did not arrive'));
    }, 10_000);
    const onEvent = (event: sdk.MatrixEvent, room: sdk.Room | undefined) => {
      if (room?.roomId === roomId && match(event)) {
        clearTimeout(timer);
        client.off(sdk.RoomEvent.Timeline, onEvent);
        resolve(event);
      }
    };
    client.on(sdk.RoomEvent.Timeline, onEvent);
  });
}

/** One HTTP reply of 400 or more that a client received (see `recordingFetch`). */
export interface HttpProblem {
  method: string;
  path: string;
  status: number;
  errcode?: string;
  body: string;
}

/**
 * A `fetch` for `createClient({ fetchFn })` that records every reply with status >= 400 into `log`
 * (method, path and query, status, errcode, body), so a test can report what the SDK asked for
 * that the server refused or did not know (404 `M_UNRECOGNIZED`).
 */
export function recordingFetch(log: HttpProblem[]): typeof globalThis.fetch {
  return async (input, init) => {
    const res = await globalThis.fetch(input, init);
    if (res.status >= 400) {
      const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
      const body = await res.clone().text().catch(() => '');
      let errcode: string | undefined;
      try {
        errcode = (JSON.parse(body) as { errcode?: string }).errcode;
      } catch {
        errcode = undefined;
      }
      log.push({ method: init?.method ?? (input instanceof Request ? input.method : 'GET'), path: url.pathname + url.search, status: res.status, errcode, body });
    }
    return res;
  };
}

/**
 * An in-memory store that, like a persistent (IndexedDB) store, offers its last sync token as the
 * saved one: a client stopped and started again resumes with an incremental /sync (`since`) instead
 * of a new initial sync.
 */
export class ResumingMemoryStore extends sdk.MemoryStore {
  override getSavedSyncToken(): Promise<string | null> {
    return Promise.resolve(this.getSyncToken());
  }
}

/**
 * Like `sdkClient`, but every reply of 400 or more is recorded into `log`. With `resumable`, the
 * client keeps its sync token across stopClient()/startClient() (see `ResumingMemoryStore`).
 */
export function sdkClientLogged(baseUrl: string, user: TestUser, log: HttpProblem[], options: { resumable?: boolean } = {}): sdk.MatrixClient {
  return sdk.createClient({
    baseUrl,
    accessToken: user.accessToken,
    userId: user.userId,
    deviceId: user.deviceId,
    fetchFn: recordingFetch(log),
    ...(options.resumable ? { store: new ResumingMemoryStore() } : {}),
  });
}

/** A new login (a new device) for an existing user, through the SDK's own `loginRequest` (POST /login). */
export async function sdkLogin(baseUrl: string, user: { userId: string; password: string }, log: HttpProblem[] = []): Promise<TestUser> {
  const anon = sdk.createClient({ baseUrl, fetchFn: recordingFetch(log) });
  const res = await anon.loginRequest({ type: 'm.login.password', identifier: { type: 'm.id.user', user: user.userId }, password: user.password });
  return { userId: res.user_id as TestUser['userId'], accessToken: res.access_token, deviceId: res.device_id, password: user.password };
}

/**
 * Resolves with the member once the client's view of `userId` in `roomId` has `membership`
 * (checked at once, then on every RoomMemberEvent.Membership; bounded: 10 s).
 */
export function waitForMembership(client: sdk.MatrixClient, roomId: string, userId: string, membership: string, timeoutMs = 10_000): Promise<sdk.RoomMember> {
  return new Promise((resolve, reject) => {
    const current = client.getRoom(roomId)?.getMember(userId);
    if (current?.membership === membership) return resolve(current);
    const timer = setTimeout(() => {
      client.off(sdk.RoomMemberEvent.Membership, onMembership);
      const now = client.getRoom(roomId)?.getMember(userId)?.membership;
      reject(new Error(`${client.getUserId()} did not see ${userId} become '${membership}' in ${roomId} (now: ${now ?? 'unknown'})`));
    }, timeoutMs);
    const onMembership = (_event: sdk.MatrixEvent, member: sdk.RoomMember) => {
      if (member.roomId === roomId && member.userId === userId && member.membership === membership) {
        clearTimeout(timer);
        client.off(sdk.RoomMemberEvent.Membership, onMembership);
        resolve(member);
      }
    };
    client.on(sdk.RoomMemberEvent.Membership, onMembership);
  });
}

/**
 * Resolves with the room once the client's own membership in `roomId` (room.getMyMembership()) is
 * `membership` (checked at once, then on ClientEvent.Room and RoomEvent.MyMembership; bounded: 10 s).
 */
export function waitForMyMembership(client: sdk.MatrixClient, roomId: string, membership: string, timeoutMs = 10_000): Promise<sdk.Room> {
  return new Promise((resolve, reject) => {
    const check = (): boolean => {
      const room = client.getRoom(roomId);
      if (room?.getMyMembership() !== membership) return false;
      clearTimeout(timer);
      client.off(sdk.ClientEvent.Room, check);
      client.off(sdk.RoomEvent.MyMembership, check);
      resolve(room);
      return true;
    };
    const timer = setTimeout(() => {
      client.off(sdk.ClientEvent.Room, check);
      client.off(sdk.RoomEvent.MyMembership, check);
      reject(new Error(`${client.getUserId()} did not reach membership '${membership}' in ${roomId} (now: ${client.getRoom(roomId)?.getMyMembership() ?? 'no room'})`));
    }, timeoutMs);
    if (check()) return;
    client.on(sdk.ClientEvent.Room, check);
    client.on(sdk.RoomEvent.MyMembership, check);
  });
}

/** Polls `check` every 100 ms until it returns true (bounded: 20 s). */
export async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * A client for `user` with the SDK's Rust crypto (in memory), started and PREPARED. It joins
 * `clients` before anything can fail, so that the caller's `after` stops it.
 */
export async function startRustCryptoClient(baseUrl: string, user: TestUser, fetchFn: typeof globalThis.fetch, clients: sdk.MatrixClient[]): Promise<sdk.MatrixClient> {
  const client = sdk.createClient({ baseUrl, accessToken: user.accessToken, userId: user.userId, deviceId: user.deviceId, fetchFn });
  clients.push(client);
  await client.initRustCrypto({ useIndexedDB: false });
  // initRustCrypto turns the Rust crypto's tracing on at DEBUG: keep only errors.
  new Tracing(LoggerLevel.Error).minLevel = LoggerLevel.Error;
  await startAndWaitPrepared(client);
  return client;
}

/** A listening Hearth for SDK clients; `server` and `baseUrl` are set once `before` has run. */
export interface SdkServer {
  server: TestServer;
  baseUrl: string;
  /** Clients to stop in `after`, before the server closes. */
  clients: sdk.MatrixClient[];
}

/**
 * Registers `before` (a test server on `backend`, real clock, listening) and `after` (every client
 * in `clients` stopped, then the server closed) in the calling suite.
 */
export function listeningServerForSdk(backend: BackendName): SdkServer {
  const out = { clients: [] } as unknown as SdkServer;
  before(async () => {
    out.server = await startTestServer({ backend, realClock: true });
    out.baseUrl = await out.server.listen();
  });
  after(async () => {
    for (const c of out.clients) c.stopClient();
    await out.server?.close();
  });
  return out;
}
