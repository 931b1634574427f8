import assert from 'node:assert/strict';
import type { TestServer, TestUser } from './test-server.js';

const V3 = '/_matrix/client/v3';
let txn = 0;

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
