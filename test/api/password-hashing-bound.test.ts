// scrypt runs on libuv's thread pool, which the SQLite write-ahead log's fdatasync also needs: a
// flood of password checks must not take every thread (issue 21 item 7). Hashing is bounded to
// `password_hashing.max_concurrent` at once and `max_queued` waiting checks, beyond which a check
// is refused with 429 before any work. Counted, never timed: the checks below start in the same
// tick (admission is decided synchronously), so which ones are refused does not depend on speed.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MatrixError } from '../../src/core/errors.js';
import { forEachBackend } from '../helpers/backends.js';
import { V3 } from '../helpers/rest.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

const MAX_CONCURRENT = 2;
const MAX_QUEUED = 3;

forEachBackend('password hashing is bounded', (backend) => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer({
      backend,
      config: {
        password_hashing: { cost: 1024, max_concurrent: MAX_CONCURRENT, max_queued: MAX_QUEUED },
        metrics: { enabled: true },
      },
    });
  });
  after(() => s.close());

  const loginBody = (user: string, password: string) => ({ type: 'm.login.password', identifier: { type: 'm.id.user', user }, password });

  it(`${MAX_CONCURRENT} running + ${MAX_QUEUED} waiting + 1 simultaneous password checks: exactly one 429 M_LIMIT_EXCEEDED, never more than ${MAX_CONCURRENT} hashes at once`, async () => {
    const alice = await s.createUser('alice');
    const checks = MAX_CONCURRENT + MAX_QUEUED + 1;
    // The right password, a wrong one, an unknown user (its dummy hash is a check too): all hashed alike.
    const bodies = Array.from({ length: checks }, (_, i) => [loginBody('alice', alice.password), loginBody('alice', 'wrong'), loginBody('nobody', 'x')][i % 3]!);
    const outcomes = await Promise.allSettled(bodies.map((body) => s.app.services.sessions.login(body)));
    const refused = outcomes.filter((o) => o.status === 'rejected' && (o.reason as MatrixError).status === 429);
    assert.equal(refused.length, 1, 'the check beyond the queue is refused');
    const error = (refused[0] as PromiseRejectedResult).reason as MatrixError;
    assert.equal(error.errcode, 'M_LIMIT_EXCEEDED');
    assert.ok(Number(error.extra.retry_after_ms) > 0);
    // The last one to arrive is the one refused; the others were answered as usual.
    assert.equal(outcomes[checks - 1]!.status, 'rejected');
    outcomes.slice(0, checks - 1).forEach((o, i) => {
      if (i % 3 === 0) assert.equal(o.status === 'fulfilled' && o.value.user_id, alice.userId);
      else assert.equal(o.status === 'rejected' && (o.reason as MatrixError).status, 403);
    });

    const stats = s.app.services.passwordHashing.stats;
    assert.ok(stats.peakInFlight >= 1 && stats.peakInFlight <= MAX_CONCURRENT, `peak ${stats.peakInFlight}`);
    assert.deepEqual({ inFlight: stats.inFlight, queued: stats.queued, refused: stats.refused }, { inFlight: 0, queued: 0, refused: 1 });
    const metrics = (await s.request('GET', '/_hearth/metrics')).body;
    assert.match(metrics, /^hearth_password_checks_refused_total 1$/m);
    assert.match(metrics, /^hearth_password_hashes_in_flight 0$/m);
    assert.match(metrics, /^hearth_password_checks_queued 0$/m);

    // The queue drained: the next check is admitted.
    const again = await s.request('POST', `${V3}/login`, { body: loginBody('alice', alice.password) });
    assert.equal(again.statusCode, 200, again.body);
  });

  it('hashing new passwords waits its turn, never refused, within the same bound', async () => {
    const before = s.app.services.passwordHashing.stats.computed;
    const count = 2 * (MAX_CONCURRENT + MAX_QUEUED + 1);
    const users = await Promise.all(Array.from({ length: count }, (_, i) => s.createUser(`new${i}`)));
    assert.equal(users.length, count);
    const stats = s.app.services.passwordHashing.stats;
    assert.equal(stats.computed - before, count, 'one hash per account');
    assert.ok(stats.peakInFlight <= MAX_CONCURRENT, `peak ${stats.peakInFlight}`);
    assert.equal(stats.refused, 1, 'only the earlier check was ever refused');
  });
}, describe);
