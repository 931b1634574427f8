// Writes without a limiter of their own (to-device messages, account data, key uploads, ...) take
// from the `default` bucket; reads (GET) are never limited.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { V3 } from '../helpers/rest.js';
import { assertMatrixError } from '../helpers/spec-schema.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

describe('the default rate limit', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer({ config: { rate_limits: { enabled: true, default: { per_second: 0.001, burst: 3 } } } });
  });
  after(() => s.close());

  it('covers /sendToDevice and account data writes; GETs are not limited; another user has a bucket of their own', async () => {
    const alice = await s.createUser('alice');
    const bob = await s.createUser('bob');
    const toDevice = (txn: string) => s.request('PUT', `${V3}/sendToDevice/m.test/${txn}`, {
      token: alice.accessToken, body: { messages: { [bob.userId]: { [bob.deviceId]: { n: txn } } } },
    });
    for (const txn of ['t1', 't2']) assert.equal((await toDevice(txn)).statusCode, 200);
    const dataUrl = `${V3}/user/${encodeURIComponent(alice.userId)}/account_data/m.test`;
    assert.equal((await s.request('PUT', dataUrl, { token: alice.accessToken, body: { a: 1 } })).statusCode, 200);
    assertMatrixError(await toDevice('t3'), 429, 'M_LIMIT_EXCEEDED', 'PUT', `${V3}/sendToDevice/m.test/t3`);
    assertMatrixError(await s.request('PUT', dataUrl, { token: alice.accessToken, body: { a: 2 } }), 429, 'M_LIMIT_EXCEEDED', 'PUT', dataUrl);
    for (let i = 0; i < 10; i++) assert.equal((await s.request('GET', dataUrl, { token: alice.accessToken })).statusCode, 200);
    const bobsData = `${V3}/user/${encodeURIComponent(bob.userId)}/account_data/m.test`;
    assert.equal((await s.request('PUT', bobsData, { token: bob.accessToken, body: { b: 1 } })).statusCode, 200);
  });
});
