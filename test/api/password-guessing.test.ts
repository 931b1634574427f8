// Guessing one account's password is limited per account, whatever the addresses or the token the
// guesses come from (issue 21 items 5 and 6): `login_account` counts /login attempts at an account,
// `failed_password` its wrong passwords at /login and in every user-interactive auth password stage.
// Both are taken before the hash, so the tests count scrypt computations, not time.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { forEachBackend } from '../helpers/backends.js';
import { crossSigningKeys, passwordAuth } from '../helpers/e2ee.js';
import { V3 } from '../helpers/rest.js';
import { assertMatrixError } from '../helpers/spec-schema.js';
import { startTestServer, type TestServer, type TestUser } from '../helpers/test-server.js';

const LOGIN = `${V3}/login`;
// The defaults (as Synapse's rc_login.account and rc_login.failed_attempts): 0.17/s, burst 3.
const BURST = 3;
const REFILL_MS = Math.ceil(1000 / 0.17);

forEachBackend('password guessing is limited per account', (backend) => {
  let s: TestServer;
  let n = 0;
  before(async () => {
    // The default limits, except the per-address (or per-user) route limiter of /login,
    // /account/password and /account/deactivate, so that only the per-account limits are at work.
    s = await startTestServer({ backend, config: { rate_limits: { enabled: true, login: { per_second: 1000, burst: 1000 } } } });
  });
  after(() => s.close());

  const user = () => s.createUser(`victim${++n}`);
  const hashes = () => s.app.services.passwordHashing.stats.computed;
  const login = (who: TestUser, password: string, address: string) => s.app.http.inject({
    method: 'POST', url: LOGIN, remoteAddress: address,
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify({ type: 'm.login.password', identifier: { type: 'm.id.user', user: who.userId }, password }),
  });
  const statuses = (responses: { statusCode: number }[]) => responses.map((r) => r.statusCode);

  it('60 guesses at one account from 20 addresses: 3 are checked, 57 get 429 M_LIMIT_EXCEEDED without a hash', async () => {
    const victim = await user();
    const before = hashes();
    const guesses = [];
    for (let address = 1; address <= 20; address++) {
      for (let i = 0; i < 3; i++) guesses.push(await login(victim, `guess-${address}-${i}`, `10.0.0.${address}`));
    }
    assert.deepEqual(statuses(guesses).slice(0, BURST), [403, 403, 403]);
    for (const refused of guesses.slice(BURST)) {
      const body = assertMatrixError(refused, 429, 'M_LIMIT_EXCEEDED', 'POST', LOGIN) as { retry_after_ms?: number };
      assert.ok(body.retry_after_ms! >= 1 && body.retry_after_ms! <= REFILL_MS, `retry_after_ms ${body.retry_after_ms}`);
    }
    assert.equal(hashes() - before, BURST, 'only the admitted guesses were hashed');
  });

  it("the owner waits while someone else's guesses have spent the buckets, and logs in once they refill", async () => {
    const victim = await user();
    for (let i = 0; i < BURST; i++) assert.equal((await login(victim, `wrong-${i}`, '10.1.0.1')).statusCode, 403);
    const refused = await login(victim, victim.password, '192.0.2.10');
    const { retry_after_ms: wait } = assertMatrixError(refused, 429, 'M_LIMIT_EXCEEDED', 'POST', LOGIN) as { retry_after_ms?: number };
    assert.ok(wait! <= REFILL_MS, `a lock-out of ${wait} ms, not for ever`);
    s.clock.advance(wait!);
    const ok = await login(victim, victim.password, '192.0.2.10');
    assert.equal(ok.statusCode, 200, ok.body);
    assert.equal(ok.json().user_id, victim.userId);
  });

  it('a stolen token buys no more guesses: 10 simultaneous wrong passwords at DELETE /devices/{id} hash 3, the rest 429', async () => {
    const victim = await user();
    const url = `${V3}/devices/${victim.deviceId}`;
    const before = hashes();
    const guesses = await Promise.all(Array.from({ length: 10 }, (_, i) =>
      s.request('DELETE', url, { token: victim.accessToken, body: { auth: { ...passwordAuth(victim), password: `guess-${i}` } } })));
    const codes = statuses(guesses);
    assert.equal(codes.filter((c) => c === 401).length, BURST, codes.join());
    for (const g of guesses) {
      if (g.statusCode === 401) assertMatrixError(g, 401, 'M_FORBIDDEN', 'DELETE', url);
      else assertMatrixError(g, 429, 'M_LIMIT_EXCEEDED', 'DELETE', url);
    }
    assert.equal(hashes() - before, BURST);
    // The device is still there.
    assert.equal((await s.request('GET', url, { token: victim.accessToken })).statusCode, 200);
  });

  it('every password check spends one failure bucket with /login: UIA guesses lock /login, /account/password and /account/deactivate too', async () => {
    const victim = await user();
    const wrong = (session?: string) => ({ ...passwordAuth(victim, session), password: 'wrong' });
    // The first cross-signing upload needs no password; replacing the keys does.
    assert.equal((await s.request('POST', `${V3}/keys/device_signing/upload`, { token: victim.accessToken, body: crossSigningKeys(victim).body })).statusCode, 200);
    const guesses: [string, string, unknown][] = [
      ['POST', `${V3}/delete_devices`, { devices: [victim.deviceId], auth: wrong() }],
      ['DELETE', `${V3}/devices/${victim.deviceId}`, { auth: wrong() }],
      ['POST', `${V3}/keys/device_signing/upload`, { ...crossSigningKeys(victim).body, auth: wrong() }],
    ];
    for (const [method, url, body] of guesses) {
      const res = await s.request(method as 'POST', url, { token: victim.accessToken, body });
      assert.equal(res.statusCode, 401, `${method} ${url}: ${res.body}`);
      assert.equal(res.json().errcode, 'M_FORBIDDEN');
    }
    const locked: [string, unknown][] = [
      [`${V3}/account/password`, { new_password: 'new-password', auth: wrong() }],
      [`${V3}/account/deactivate`, { auth: { ...passwordAuth(victim), password: victim.password } }],
    ];
    for (const [url, body] of locked) {
      assertMatrixError(await s.request('POST', url, { token: victim.accessToken, body }), 429, 'M_LIMIT_EXCEEDED', 'POST', url);
    }
    assertMatrixError(await login(victim, victim.password, '192.0.2.20'), 429, 'M_LIMIT_EXCEEDED', 'POST', LOGIN);
    // Nothing was deactivated: once the bucket refills, the right password works again.
    s.clock.advance(REFILL_MS);
    assert.equal((await login(victim, victim.password, '192.0.2.20')).statusCode, 200);
  });

  it('a right password gives its failure token back: the owner re-entering it often is never limited', async () => {
    const victim = await user();
    for (let i = 0; i < BURST * 3; i++) {
      const res = await s.request('POST', `${V3}/delete_devices`, {
        token: victim.accessToken, body: { devices: [`GONE${i}`], auth: passwordAuth(victim) },
      });
      assert.equal(res.statusCode, 200, res.body);
    }
  });
}, describe);
