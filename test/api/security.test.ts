// The claims of SECURITY.md that are not proven elsewhere: tokens stored only as hashes, password
// hashing parameters, registration tokens, the JSON nesting limit.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { FastifyRequest } from 'fastify';
import { buildConfig } from '../../src/config/load.js';
import { toMatrixError } from '../../src/http/error-handler.js';
import { hashPassword, verifyPassword } from '../../src/services/accounts/password-hash.js';
import { rowsMentioning } from '../helpers/db-scan.js';
import { V3 } from '../helpers/rest.js';
import { assertSpecResponse } from '../helpers/spec-schema.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

describe('security properties', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer({ sqliteFile: true, config: { registration_tokens: ['s3cret-token'] } });
  });
  after(() => s.close());

  it('access tokens are 256 random bits and only their SHA-256 is stored', async () => {
    const user = await s.createUser('alice');
    const login = await s.request('POST', `${V3}/login`, { body: { type: 'm.login.password', identifier: { type: 'm.id.user', user: 'alice' }, password: user.password } });
    assert.equal(login.statusCode, 200);
    const token = login.json().access_token as string;
    assert.match(token, /^hth_[A-Za-z0-9_-]{43}$/, '32 bytes, base64url');
    assert.deepEqual(await rowsMentioning(s.database, token), [], 'the token itself is nowhere in the database');
    const hash = createHash('sha256').update(token).digest('base64url');
    const rows = await rowsMentioning(s.database, hash);
    assert.equal(rows.length, 1);
    assert.match(rows[0]!, /^access_tokens: /);
    const whoami = await s.request('GET', `${V3}/account/whoami`, { token });
    assert.equal(whoami.json().user_id, user.userId);
    // The password is not stored either: only its scrypt hash.
    assert.deepEqual(await rowsMentioning(s.database, user.password), []);
  });

  it('password hashing: scrypt N=32768, r=8, p=1 by default (2 at once, 20 checks waiting), salted, self-describing, verified', async () => {
    assert.deepEqual(buildConfig({}).passwordHashing, { cost: 32768, blockSize: 8, parallelization: 1, maxConcurrent: 2, maxQueued: 20 });
    const params = buildConfig({}).passwordHashing;
    const a = await hashPassword('correct horse', params);
    const b = await hashPassword('correct horse', params);
    assert.match(a, /^scrypt\$32768\$8\$1\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]+$/);
    assert.notEqual(a, b, 'a fresh random salt every time');
    assert.equal(await verifyPassword('correct horse', a), true);
    assert.equal(await verifyPassword('correct hors', a), false);
    assert.equal(await verifyPassword('correct horse', 'plaintext'), false);
  });

  it('registration is off by default; registration tokens are compared exactly', async () => {
    assert.equal(buildConfig({}).enableRegistration, false);
    const registration = s.app.services.registration;
    assert.equal(registration.isTokenValid('s3cret-token'), true);
    for (const wrong of ['s3cret-toke', 's3cret-tokeN', 's3cret-token ', '', 'S3CRET-TOKEN']) assert.equal(registration.isTokenValid(wrong), false, wrong);
  });

  it('GET /register/m.login.registration_token/validity answers whether the token is one of the configured ones', async () => {
    for (const [token, valid] of [['s3cret-token', true], ['s3cret-toke', false], ['S3CRET-TOKEN', false]] as const) {
      const url = `/_matrix/client/v1/register/m.login.registration_token/validity?token=${encodeURIComponent(token)}`;
      const res = await s.request('GET', url);
      assert.equal(res.statusCode, 200, res.body);
      assertSpecResponse(res, 'GET', url);
      assert.deepEqual(res.json(), { valid }, token);
    }
  });

  it(`request bodies nested up to 128 levels are accepted, deeper is 400 M_BAD_JSON`, async () => {
    const user = await s.createUser('nester');
    // `nested(n)` opens n - 1 objects; inside the body object that makes n levels.
    const nested = (depth: number) => `${'{"a":'.repeat(depth - 1)}1${'}'.repeat(depth - 1)}`;
    // Depth 128 counting the body object itself (1 + 127): accepted as account data.
    const ok = await s.request('PUT', `${V3}/user/${encodeURIComponent(user.userId)}/account_data/org.example.deep`, { token: user.accessToken, payload: `{"x":${nested(128)}}`, headers: { 'content-type': 'application/json' } });
    assert.equal(ok.statusCode, 200, ok.body);
    const deep = await s.request('PUT', `${V3}/user/${encodeURIComponent(user.userId)}/account_data/org.example.deep`, { token: user.accessToken, payload: `{"x":${nested(129)}}`, headers: { 'content-type': 'application/json' } });
    assert.equal(deep.statusCode, 400);
    assert.equal(deep.json().errcode, 'M_BAD_JSON');
  });

  it('error bodies carry no internals: an unexpected error is 500 "Internal server error", a database outage 503', () => {
    const logged: unknown[] = [];
    const request = { log: { error: (o: unknown) => logged.push(o), warn: (o: unknown) => logged.push(o) } } as unknown as FastifyRequest;
    const internal = toMatrixError(new Error('SELECT * FROM access_tokens WHERE token_hash = $1 /home/hearth/src/x.ts:12'), request);
    assert.equal(internal.status, 500);
    assert.deepEqual(internal.toBody(), { errcode: 'M_UNKNOWN', error: 'Internal server error' });
    const down = toMatrixError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }), request);
    assert.equal(down.status, 503);
    assert.deepEqual(down.toBody(), { errcode: 'M_UNKNOWN', error: 'The server is temporarily unavailable, please retry' });
    assert.equal(logged.length, 2, 'the details go to the log (server side) only');
  });
});
