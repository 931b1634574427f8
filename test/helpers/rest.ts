import assert from 'node:assert/strict';
import { assertSpecResponse } from './spec-schema.js';
import type { TestServer, TestUser } from './test-server.js';

/** The client-server API's prefixes: v3, and r0 (which Hearth still serves for older clients). */
export const V3 = '/_matrix/client/v3';
export const R0 = '/_matrix/client/r0';
let txn = 0;

/** A parsed response body, as `res.json()` returns it: bodies are validated against the spec's schemas, tests read them loosely. */
export type Body = ReturnType<typeof JSON.parse>;

/** The fields of a room event the tests read. */
export type SyncEvent = { type: string; state_key?: string; sender: string; event_id: string; content: Record<string, unknown> };

/** The query of a /sync: a ready query string, or the common parameters. */
export type SyncQuery = string | { since?: string; timeout?: number };

/** GET /sync as `user`: asserts 200 and a body valid per the spec, and returns the body. */
export async function sync(s: TestServer, user: TestUser, query: SyncQuery = ''): Promise<Body> {
  const q = typeof query === 'string' ? query
    : [query.since ? `since=${encodeURIComponent(query.since)}` : '', query.timeout ? `timeout=${query.timeout}` : ''].filter(Boolean).join('&');
  const res = await s.request('GET', `${V3}/sync${q ? `?${q}` : ''}`, { token: user.accessToken });
  assert.equal(res.statusCode, 200, res.body);
  assertSpecResponse(res, 'GET', `${V3}/sync`);
  return res.json();
}

/** GET /rooms/{roomId}/state as `user`: asserts 200 and a body valid per the spec, and returns the events. */
export async function state(s: TestServer, user: TestUser, roomId: string): Promise<Body[]> {
  const url = `${V3}/rooms/${encodeURIComponent(roomId)}/state`;
  const res = await s.request('GET', url, { token: user.accessToken });
  assert.equal(res.statusCode, 200, res.body);
  assertSpecResponse(res, 'GET', url);
  return res.json();
}

/** Small REST helpers for tests: each asserts success and returns the useful part of the reply. */
export function rest(s: TestServer) {
  const ok = async (method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, user: TestUser, body?: unknown) => {
    const res = await s.request(method, `${V3}${path}`, { token: user.accessToken, ...(body === undefined ? {} : { body }) });
    assert.equal(res.statusCode, 200, `${method} ${path}: ${res.body}`);
    return res.json();
  };
  const room = (id: string) => `/rooms/${encodeURIComponent(id)}`;
  return {
    ok,
    async createRoom(user: TestUser, body: Record<string, unknown> = {}): Promise<string> {
      return (await ok('POST', '/createRoom', user, body)).room_id;
    },
    join: (user: TestUser, roomId: string, body: Record<string, unknown> = {}) => ok('POST', `${room(roomId)}/join`, user, body),
    leave: (user: TestUser, roomId: string, body: Record<string, unknown> = {}) => ok('POST', `${room(roomId)}/leave`, user, body),
    forget: (user: TestUser, roomId: string) => ok('POST', `${room(roomId)}/forget`, user, {}),
    invite: (user: TestUser, roomId: string, target: TestUser) => ok('POST', `${room(roomId)}/invite`, user, { user_id: target.userId }),
    kick: (user: TestUser, roomId: string, target: TestUser, reason?: string) =>
      ok('POST', `${room(roomId)}/kick`, user, { user_id: target.userId, ...(reason ? { reason } : {}) }),
    ban: (user: TestUser, roomId: string, target: TestUser) => ok('POST', `${room(roomId)}/ban`, user, { user_id: target.userId }),
    async send(user: TestUser, roomId: string, body: string): Promise<string> {
      return (await ok('PUT', `${room(roomId)}/send/m.room.message/t${++txn}`, user, { msgtype: 'm.text', body })).event_id;
    },
    async putState(user: TestUser, roomId: string, type: string, content: Record<string, unknown>, stateKey = ''): Promise<string> {
      return (await ok('PUT', `${room(roomId)}/state/${type}/${encodeURIComponent(stateKey)}`, user, content)).event_id;
    },
    messages: (user: TestUser, roomId: string, query = 'dir=b&limit=100') => ok('GET', `${room(roomId)}/messages?${query}`, user),
    room,
  };
}
