import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { startHearth, treeCpuSeconds, type RunningServer } from '../hearth-process.js';
import { churn, type ChurnOptions } from './churn.js';

/** What bench uses of scripts/pg-cluster.mjs (shared with scripts/test.mjs). */
interface PgCluster {
  postgresBinDir(): string | undefined;
  startPostgres(binDir: string, options?: { durable?: boolean; settings?: Record<string, string | number> }): Promise<{
    url: string; port: number; binDir: string; dataDir: string; pid: number | undefined; stop(): Promise<void>;
  }>;
}

const root = path.resolve(import.meta.dirname, '../..');

export interface PgChurnRun extends Awaited<ReturnType<typeof churn>> {
  label: string;
  /**
   * What Hearth's connections were doing, sampled from pg_stat_activity every 100 ms during the run:
   * the share of connection samples per state / wait event (e.g. `active Lock:advisory`).
   */
  connectionStates: Record<string, number>;
  /** CPU seconds of the PostgreSQL server (postmaster and backends) over the run, and per operation. */
  postgresCpuSeconds: number | undefined;
  postgresCpuSecondsPerOp: number | undefined;
  /** PostgreSQL's CPU time over the run's duration: 1.0 is one core busy throughout. */
  postgresCpuUtilization: number | undefined;
}

/**
 * The churn scenario on PostgreSQL: a throwaway cluster (127.0.0.1, durable settings: fsync,
 * synchronous_commit and full_page_writes on), then for each entry of `runs` a fresh database and
 * that many Hearth processes on it (sharing one data directory, hence one signing key, as replicas of
 * one server must), started one after the other, with churn's clients split between them.
 * Resolves to `{ skipped }` when PostgreSQL's binaries are not installed.
 */
export async function pgChurn(basePort: number, seconds: number, runs: Array<{ processes: number; split: ChurnOptions['split'] }>, log: (line: string) => void) {
  const cluster = (await import(pathToFileURL(path.join(root, 'scripts/pg-cluster.mjs')).href)) as PgCluster;
  const binDir = cluster.postgresBinDir();
  if (!binDir) return { skipped: 'no PostgreSQL binaries under /usr/lib/postgresql' };
  // `postgres (PostgreSQL) 15.18 (Debian ...)` -> `PostgreSQL 15.18`
  const version = /\(PostgreSQL\) (\S+)/.exec(spawnSync(path.join(binDir, 'postgres'), ['--version'], { encoding: 'utf8' }).stdout)?.[1];
  const pg = await cluster.startPostgres(binDir, { durable: true });
  const results: PgChurnRun[] = [];
  try {
    for (const [i, run] of runs.entries()) {
      const database = `hearth_bench_${i}`;
      const created = spawnSync(path.join(binDir, 'createdb'), ['-h', '127.0.0.1', '-p', String(pg.port), '-U', 'postgres', '-E', 'UTF8', '--locale', 'C', '-T', 'template0', database], { encoding: 'utf8' });
      if (created.status !== 0) throw new Error(`createdb failed: ${created.stderr}`);
      const url = pg.url.replace(/\/postgres$/, `/${database}`);
      const dataDir = mkdtempSync(path.join(tmpdir(), 'hearth-bench-pg-'));
      const servers: RunningServer[] = [];
      try {
        for (let k = 0; k < run.processes; k++) servers.push(await startHearth({ port: basePort + k, dataDir, env: { HEARTH_DATABASE: url } }));
        // PostgreSQL's CPU and its connections' states count over churn's measured phase only.
        let cpuAtStart: number | undefined;
        let postgresCpuSeconds: number | undefined;
        const postgresCpu = () => (pg.pid === undefined ? undefined : treeCpuSeconds(pg.pid));
        const sampler = sampleActivity(pg.url, database);
        let result: Awaited<ReturnType<typeof churn>>;
        try {
          result = await churn(servers, seconds, {
            split: run.split,
            onPhase: (phase) => {
              sampler.counting(phase === 'start');
              if (phase === 'start') cpuAtStart = postgresCpu();
              else if (cpuAtStart !== undefined) postgresCpuSeconds = postgresCpu()! - cpuAtStart;
            },
          });
        } finally {
          await sampler.stop();
        }
        const connectionStates = sampler.states();
        const ops = result.join.count + result.leave.count + result.forget.count;
        const label = run.processes === 1 ? '1 process' : `${run.processes} processes, split per ${run.split}`;
        results.push({
          ...result, label, connectionStates, postgresCpuSeconds,
          postgresCpuUtilization: postgresCpuSeconds === undefined ? undefined : postgresCpuSeconds / seconds,
          postgresCpuSecondsPerOp: postgresCpuSeconds === undefined ? undefined : postgresCpuSeconds / ops,
        });
        log(`pg-churn   ${label}: ${result.opsPerSecond.toFixed(0)} ops/s  p50 ${result.all.p50.toFixed(2)} p99 ${result.all.p99.toFixed(2)} ms  ` +
          `${result.processes.map((p, k) => `[#${k + 1} ${p.requests} req, peak RSS ${p.peakRssMb.toFixed(1)} MiB, CPU ${(p.cpuUtilization * 100).toFixed(0)}%]`).join(' ')}` +
          `${postgresCpuSeconds === undefined ? '' : `  postgres CPU ${((postgresCpuSeconds / seconds) * 100).toFixed(0)}%`}`);
        log(`           statuses ${JSON.stringify(result.statuses)}`);
        log(`           Hearth's connections: ${Object.entries(connectionStates).slice(0, 5).map(([k, v]) => `${k} ${(v * 100).toFixed(0)}%`).join(', ')}`);
        for (const [key, e] of Object.entries(result.errors)) log(`           error ${key} x${e.count} (e.g. from process #${e.server + 1}: ${e.example})`);
      } finally {
        for (const s of servers) await s.stop();
        rmSync(dataDir, { recursive: true, force: true });
      }
    }
  } finally {
    await pg.stop();
  }
  return { postgres: version ? `PostgreSQL ${version}` : 'PostgreSQL', settings: 'fsync=on synchronous_commit=on full_page_writes=on, 127.0.0.1', runs: results };
}

/**
 * Samples pg_stat_activity for `database` every 100 ms (one extra connection, to the postgres
 * database) until stopped, counting while `counting(true)` (churn's measured phase); resolves to the
 * share of samples per `state wait_event_type:wait_event`, largest first.
 */
function sampleActivity(url: string, database: string) {
  const client = new pg.Client({ connectionString: url });
  const counts: Record<string, number> = {};
  let total = 0;
  let stopped = false;
  let counting = false;
  let failure: unknown;
  const loop = (async () => {
    await client.connect();
    while (!stopped) {
      // A connection waiting for an advisory lock: the moment of reserving an event position (the
      // bigint key "HEARPOS", src/storage/migrations/024-event-positions.ts), the event-stream lock of
      // older versions (the bigint key 0x48454152) or a room's lock (a hash of the room ID).
      const { rows } = await client.query<{ state: string | null; wait: string | null; lock: string | null }>(
        `SELECT a.state, a.wait_event_type || ':' || a.wait_event AS wait,
           (SELECT CASE WHEN l.classid = 4736321 AND l.objid = 1380994899 THEN 'position reservation'
                        WHEN l.classid = 0 AND l.objid = ${0x4845_4152} THEN 'event stream' ELSE 'room' END
              FROM pg_locks l WHERE l.pid = a.pid AND l.locktype = 'advisory' AND NOT l.granted LIMIT 1) AS lock
         FROM pg_stat_activity a WHERE a.datname = $1 AND a.pid <> pg_backend_pid()`, [database]);
      for (const row of counting ? rows : []) {
        const key = `${row.state ?? '?'}${row.wait ? ` ${row.wait}` : ''}${row.lock ? ` (${row.lock})` : ''}`;
        counts[key] = (counts[key] ?? 0) + 1;
        total++;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  })().catch((err: unknown) => {
    failure = err;
  });
  return {
    counting(on: boolean) {
      counting = on;
    },
    async stop(): Promise<void> {
      stopped = true;
      await loop;
      await client.end().catch(() => {});
    },
    /** Shares of the samples, largest first (a single entry naming the error if sampling failed). */
    states(): Record<string, number> {
      if (failure !== undefined) return { [`sampling failed: ${String(failure)}`]: 1 };
      return Object.fromEntries(Object.entries(counts).sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, v / Math.max(1, total)]));
    },
  };
}
