import assert from 'node:assert/strict';
import { assertSpecResponse } from './spec-schema.js';
import type { TestServer, TestUser } from './test-server.js';

/** `GET /sync` for the API tests. */

const SYNC = '/_matrix/client/v3/sync';

/** A parsed response body, as `res.json()` returns it: validated against the spec's schema, so the tests read it untyped. */
export type SyncBody = ReturnType<typeof JSON.parse>;

/** The fields of a room event the tests read. */
export type SyncEvent = { type: string; state_key?: string; sender: string; event_id: string; content: Record<string, unknown> };

/** `GET /sync?<query>` as `user`: asserts 200 and a body that matches the spec, and returns the body. */
export async function syncAs(s: TestServer, user: TestUser, query = ''): Promise<SyncBody> {
  const res = await s.request('GET', `${SYNC}${query ? `?${query}` : ''}`, { token: user.accessToken });
  assert.equal(res.statusCode, 200, res.body);
  assertSpecResponse(res, 'GET', SYNC);
  return res.json();
}
