// Crash safety of the media repository: Hearth runs as a child process while uploads stream in; it is
// SIGKILLed at seeded random moments and restarted on the same data. After each restart every
// acknowledged upload downloads byte for byte, every media row has its whole file (size and SHA-256
// as recorded), and on SQLite (one process) the temporary files the kill left are gone.
// CRASH_SEED=<n> replays a run.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { POSTGRES_SKIP_REASON, type BackendName } from '../helpers/backends.js';
import { crashableServer } from '../helpers/crash-server.js';
import { rowsMentioning } from '../helpers/db-scan.js';
import { seededRandom } from '../helpers/seeded-random.js';

const SEED = Number(process.env.CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31));
console.log(`media crash seed: ${SEED} (rerun with CRASH_SEED=${SEED})`);

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function runScenario(backend: BackendName, kills: number, seed: number): Promise<{ acknowledged: number; rows: number }> {
  const rng = seededRandom(seed);
  const server = await crashableServer(backend);
  const media = path.join(server.dataDir, 'media');
  const acknowledged = new Map<string, string>();
  try {
    await server.start();
    const { token } = await server.register('uploader');
    const headers = { authorization: `Bearer ${token}` };
    for (let k = 0; k < kills; k++) {
      let stop = false;
      // Two uploads at a time, of up to 2 MiB each, until the kill.
      const lane = async () => {
        while (!stop) {
          const bytes = randomBytes(1 + Math.floor(rng() * 2 * 1024 * 1024));
          try {
            const res = await fetch(`${server.base}/_matrix/media/v3/upload`, { method: 'POST', headers: { ...headers, 'content-type': 'application/octet-stream' }, body: bytes });
            if (res.status !== 200) throw new Error(`upload: ${res.status} ${await res.text()}`);
            const id = ((await res.json()) as { content_uri: string }).content_uri.split('/').pop()!;
            acknowledged.set(id, sha256(bytes));
          } catch (err) {
            if (stop) return;
            throw err;
          }
        }
      };
      const lanes = [lane(), lane()];
      await new Promise((r) => setTimeout(r, 100 + Math.floor(rng() * 600)));
      stop = true;
      await server.kill();
      await Promise.all(lanes);
      await server.start();
      if (backend === 'sqlite') assert.deepEqual(readdirSync(path.join(media, 'tmp')), [], 'temporary files left after the restart');
      for (const [id, hash] of acknowledged) {
        const res = await fetch(`${server.base}/_matrix/client/v1/media/download/crash.test/${id}`, { headers });
        assert.equal(res.status, 200, `acknowledged upload ${id} lost`);
        assert.equal(sha256(Buffer.from(await res.arrayBuffer())), hash, `acknowledged upload ${id} changed`);
      }
    }
    // Every row, acknowledged or not (a kill after the commit, before the answer), has its whole file.
    const rows = (await rowsMentioning(server.raw, 'unused_expires_ts')).filter((r) => r.startsWith('media: '))
      .map((r) => JSON.parse(r.slice('media: '.length)) as { media_id: string; size: number | string; sha256: string });
    for (const row of rows) {
      const file = path.join(media, 'files', row.sha256.slice(0, 2), row.sha256);
      assert.ok(existsSync(file), `row ${row.media_id} without its file`);
      const content = readFileSync(file);
      assert.equal(content.length, Number(row.size));
      assert.equal(sha256(content), row.sha256);
    }
    assert.ok(rows.length >= acknowledged.size);
    return { acknowledged: acknowledged.size, rows: rows.length };
  } finally {
    await server.close();
  }
}

describe('crash safety: SIGKILL during media uploads', () => {
  const withPostgres = Boolean(process.env.TEST_POSTGRES_URL);
  for (const backend of ['sqlite', 'postgres'] as const) {
    const kills = 4;
    const skip = backend === 'postgres' && !withPostgres ? POSTGRES_SKIP_REASON : false;
    it(`every acknowledged upload survives ${kills} kills, and no row is without its whole file [${backend}]`, { skip, timeout: 85_000 }, async () => {
      const stats = await runScenario(backend, kills, SEED + (backend === 'sqlite' ? 0 : 1));
      console.log(`media crash [${backend}] seed ${SEED}: ${JSON.stringify(stats)}`);
      assert.ok(stats.acknowledged > 0, 'uploads were acknowledged between the kills');
    });
  }
});
