// What several processes sharing one database rely on: `runAlone` (background jobs run once) and,
// on PostgreSQL, the change channel (NOTIFY/LISTEN). Two stores opened on one database stand in
// for two processes: each has its own pool and its own listening connection.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import type { JsonObject } from '../../src/core/json.js';
import { openStore } from '../../src/storage/open.js';
import type { Store } from '../../src/storage/store.js';
import { forEachBackend, freshDatabase, POSTGRES_SKIP_REASON } from '../helpers/backends.js';

let databaseName = '';

function twoStores(backend: 'sqlite' | 'postgres', sqliteFile = true): () => [Store, Store] {
  let stores: [Store, Store] | undefined;
  let drop: () => Promise<void> = async () => {};
  before(async () => {
    const fresh = await freshDatabase(backend, { sqliteFile });
    drop = fresh.drop;
    if (fresh.database.kind === 'postgres') databaseName = new URL(fresh.database.url).pathname.slice(1);
    const first = await openStore(fresh.database);
    stores = [first, await openStore(fresh.database)];
  });
  after(async () => {
    for (const s of stores ?? []) await s.close();
    await drop();
  });
  return () => stores!;
}

/** Resolves when `check` holds, polling every 10 ms for at most `ms`. */
async function eventually(check: () => boolean, ms = 5000): Promise<void> {
  for (let waited = 0; !check(); waited += 10) {
    if (waited >= ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

forEachBackend('runAlone', (backend) => {
  const stores = twoStores(backend);

  it(backend === 'postgres'
    ? 'a job under way in one process is skipped by another; the same job runs again once it ended'
    : 'runs the job (SQLite has one process)', async () => {
    const [one, two] = stores();
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const first = one.runAlone('test job', async () => {
      await held;
      return 'first';
    });
    await new Promise((r) => setTimeout(r, 50));
    const second = await two.runAlone('test job', async () => 'second');
    const other = await two.runAlone('another job', async () => 'other');
    release();
    assert.equal(await first, 'first');
    assert.equal(second, backend === 'postgres' ? undefined : 'second');
    assert.equal(other, 'other', 'jobs of other names are not held up');
    assert.equal(await two.runAlone('test job', async () => 'again'), 'again');
  });

  it('a job that throws releases its lock', async () => {
    const [one, two] = stores();
    await assert.rejects(one.runAlone('failing job', async () => {
      throw new Error('boom');
    }), /boom/);
    assert.equal(await two.runAlone('failing job', async () => 'ran'), 'ran');
  });
}, describe);

describe('change channel [postgres]', { skip: process.env.TEST_POSTGRES_URL ? false : POSTGRES_SKIP_REASON }, () => {
  const stores = twoStores('postgres');
  const received: Array<JsonObject | 'gap'> = [];
  const heardByPublisher: Array<JsonObject | 'gap'> = [];

  before(async () => {
    const [one, two] = stores();
    one.channel.subscribe((m) => heardByPublisher.push(m), () => heardByPublisher.push('gap'));
    let probed = false;
    two.channel.subscribe((m) => ('probe' in m ? (probed = true) : received.push(m)), () => received.push('gap'));
    // Both listening connections are up once a message gets through.
    await eventually(() => {
      one.channel.publish({ probe: true });
      return probed;
    });
  });

  it('delivers a burst to the other process in order, and not back to the publisher', async () => {
    const [one] = stores();
    for (let i = 0; i < 300; i++) one.channel.publish({ n: i });
    await eventually(() => received.length >= 300);
    assert.deepEqual(received, Array.from({ length: 300 }, (_, n) => ({ n })));
    assert.deepEqual(heardByPublisher.filter((m) => m !== 'gap' && !('probe' in m)), []);
    received.length = 0;
  });

  it('a message too big for NOTIFY arrives as a gap', async () => {
    const [one] = stores();
    one.channel.publish({ big: 'x'.repeat(10_000) });
    one.channel.publish({ after: 1 });
    await eventually(() => received.length >= 2);
    assert.deepEqual(received, ['gap', { after: 1 }]);
    received.length = 0;
  });

  it('after its listening connection is lost, a process reconnects and hears of the gap', async () => {
    const [one] = stores();
    const admin = new pg.Client({ connectionString: process.env.TEST_POSTGRES_URL });
    await admin.connect();
    try {
      const killed = await admin.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = 'LISTEN hearth_changes' AND datname = $1",
        [databaseName],
      );
      assert.ok((killed.rowCount ?? 0) >= 1, 'no listening connection found');
    } finally {
      await admin.end();
    }
    await eventually(() => received.includes('gap'));
    await eventually(() => {
      one.channel.publish({ back: true });
      return received.some((m) => m !== 'gap' && 'back' in m);
    });
  });
});
