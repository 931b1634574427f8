// `npm run bench [-- --quick] [-- --report] [-- --only a,b]`: starts the built Hearth as its own process
// and drives it over loopback from this one. Prints a table, writes bench/results/latest.json; --report
// also regenerates BENCHMARKS.md and bench/latency.svg from those figures. --only runs just the named
// scenarios (baseline, startup, churn, sync-wake, leave-scaling, fanout, flood, noisy-neighbour, pg-churn) and writes
// bench/results/partial.json instead (never the report).
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startHearth } from './hearth-process.js';
import { largeDatabase } from './large-db.js';
import { writeReport } from './report.js';
import { baseline } from './scenarios/baseline.js';
import { churn } from './scenarios/churn.js';
import { fanout } from './scenarios/fanout.js';
import { flood } from './scenarios/flood.js';
import { leaveScaling } from './scenarios/leave-scaling.js';
import { noisyNeighbour } from './scenarios/noisy-neighbour.js';
import { pgChurn } from './scenarios/pg-churn.js';
import { startup } from './scenarios/startup.js';
import { syncWake } from './scenarios/sync-wake.js';

const argv = process.argv.slice(2);
const args = new Set(argv);
if (args.has('--report-only')) {
  // Regenerates BENCHMARKS.md from the last run's figures without measuring again.
  const { readFileSync } = await import('node:fs');
  writeReport(JSON.parse(readFileSync(path.join(import.meta.dirname, 'results', 'latest.json'), 'utf8')));
  process.exit(0);
}
const SCENARIOS = ['baseline', 'startup', 'churn', 'sync-wake', 'leave-scaling', 'fanout', 'flood', 'noisy-neighbour', 'pg-churn'] as const;
type Scenario = (typeof SCENARIOS)[number];
const onlyIndex = argv.findIndex((a) => a === '--only' || a.startsWith('--only='));
const only = onlyIndex < 0 ? undefined : (argv[onlyIndex]!.includes('=') ? argv[onlyIndex]!.split('=')[1]! : argv[onlyIndex + 1] ?? '').split(',').filter(Boolean);
const unknown = only?.filter((n) => !(SCENARIOS as readonly string[]).includes(n)) ?? [];
if (only && (only.length === 0 || unknown.length > 0)) {
  console.error(`bench: --only takes a comma-separated list of: ${SCENARIOS.join(', ')}${unknown.length ? ` (unknown: ${unknown.join(', ')})` : ''}`);
  process.exit(2);
}
if (only && args.has('--report')) {
  console.error('bench: --report needs the full run; it cannot be combined with --only');
  process.exit(2);
}
const runs = (name: Scenario) => !only || only.includes(name);

const quick = args.has('--quick');
const seconds = quick ? 5 : 20;
const sizes = quick ? [2, 200, 1000] : [2, 1000, 10_000];
const largeSize = quick ? { users: 1000, rooms: 100, events: 10_000 } : { users: 10_000, rooms: 1000, events: 100_000 };
const starts = quick ? 3 : 7;
const pgRuns = quick
  ? [{ processes: 1, split: 'request' as const }, { processes: 2, split: 'request' as const }]
  : [{ processes: 1, split: 'request' as const }, { processes: 2, split: 'request' as const }, { processes: 2, split: 'client' as const }];
const results: Record<string, unknown> = {
  date: new Date().toISOString(),
  machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version, platform: `${os.type()} ${os.release()}` },
  settings: { seconds, sizes, quick, large: largeSize, starts, ...(only ? { only } : {}) },
};

const fmt = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(2));
const ratio = (a: number, b: number | undefined) => (b === undefined ? '' : ` (${(a / b).toFixed(2)}x of baseline)`);
const benchStarted = performance.now();
/** Seconds each part of the run took (setup included), to keep the whole run's length in view. */
const durations: Record<string, number> = {};
let lapStart = performance.now();
const lap = (name: string) => {
  durations[name] = (performance.now() - lapStart) / 1000;
  lapStart = performance.now();
};

console.log(`Hearth benchmark (${quick ? 'quick' : 'full'}${only ? `, only ${only.join(', ')}` : ''}): ${os.cpus().length} cores, Node ${process.version}`);
let baseOps: number | undefined;
if (runs('baseline')) {
  const base = await baseline(18_400, Math.min(seconds, 10));
  results.baseline = base;
  baseOps = base.opsPerSecond;
  console.log(`baseline   ${fmt(base.opsPerSecond)} req/s  p50 ${fmt(base.latencyMs.p50)} ms  p99 ${fmt(base.latencyMs.p99)} ms`);
  lap('baseline');
}

if (runs('startup')) {
  const t = performance.now();
  const large = await largeDatabase(largeSize, (line) => console.log(`           ${line}`));
  console.log(`large-db   ${large.users} users, ${large.rooms} rooms, ${large.totalEvents} events (${large.joins} joins, ${large.invites} invites, ${large.leaves} leaves, ${large.messages} messages), ${fmt(large.dbBytes / 2 ** 20)} MiB; ` +
    (large.seededSeconds === undefined ? `cached (seeded in ${fmt(large.originalSeedSeconds)} s)` : `seeded in ${fmt(large.seededSeconds)} s`));
  const s = await startup(18_403, starts, large);
  results.startup = {
    emptyMs: s.empty.medianMs,
    empty: s.empty,
    large: s.large,
    largeDb: { ...large, dir: path.relative(path.resolve(import.meta.dirname, '..'), large.dir) },
    seconds: (performance.now() - t) / 1000,
  };
  const line = (what: string, f: typeof s.empty) => console.log(`startup    ${what}: median ${fmt(f.medianMs)} ms, max ${fmt(f.maxMs)} ms over ${f.samplesMs.length} starts; RSS ${fmt(f.rssMb)} MiB at the first answer, ${fmt(f.settledRssMb)} MiB 1 s later`);
  line('empty database', s.empty);
  if (s.large) line('large database', s.large);
  if (s.large?.firstSyncMs !== undefined) console.log(`           then, large database: first whoami ${fmt(s.large.firstWhoamiMs!)} ms, first /sync (${s.large.firstSyncRooms} rooms, lazy members) ${fmt(s.large.firstSyncMs)} ms (medians)`);
  lap('startup');
}

const sqliteScenarios = (['churn', 'sync-wake', 'leave-scaling'] as const).filter(runs);
if (sqliteScenarios.length > 0) {
  const server = await startHearth({ port: 18_401 });
  try {
    if (runs('churn')) {
      const c = await churn(server, seconds);
      results.churn = c;
      console.log(`churn      ${fmt(c.opsPerSecond)} ops/s${ratio(c.opsPerSecond, baseOps)}  p50 ${fmt(c.all.p50)} p95 ${fmt(c.all.p95)} p99 ${fmt(c.all.p99)} ms  peak RSS ${fmt(c.peakRssMb)} MiB  CPU ${fmt(c.cpuSecondsPerOp * 1e6)} µs/op`);
      console.log(`           statuses ${JSON.stringify(c.statuses)}`);
      for (const [key, e] of Object.entries(c.errors)) console.log(`           error ${key} x${e.count} (e.g. ${e.example})`);
    }
    if (runs('sync-wake')) {
      const w = await syncWake(server, quick ? 20 : 50);
      results.syncWake = w;
      console.log(`sync-wake  p50 ${fmt(w.p50)} ms  p95 ${fmt(w.p95)} ms`);
    }
    if (runs('leave-scaling')) {
      const l = await leaveScaling(server, sizes, quick ? 20 : 50);
      results.leaveScaling = l;
      const small = l['2']!.p50;
      for (const [size, s] of Object.entries(l)) console.log(`leave@${size.padEnd(5)} p50 ${fmt(s.p50)} ms  p99 ${fmt(s.p99)} ms  (${(s.p50 / small).toFixed(2)}x of the 2-member room)`);
    }
  } finally {
    await server.stop();
  }
  lap(sqliteScenarios.join('+'));
}

if (runs('fanout')) {
  // Its own server per size, so that one size's members do not weigh on the next.
  const sizes = quick ? [{ members: 200, messages: 20 }] : [{ members: 200, messages: 100 }, { members: 1000, messages: 10 }];
  results.fanout = [];
  for (const { members, messages } of sizes) {
    const server = await startHearth({ port: 18_405, maxConnectionsPerAddress: members * 2 + 100 });
    try {
      const r = await fanout(server, members, messages);
      (results.fanout as unknown[]).push(r);
      console.log(`fanout     ${members} members x ${messages} messages: delivery p50 ${fmt(r.delivery.p50)} p90 ${fmt(r.p90)} p99 ${fmt(r.delivery.p99)} max ${fmt(r.delivery.max)} ms; ` +
        `send p50 ${fmt(r.send.p50)} ms; ${r.deliveredIn30s} of ${r.expected} delivered; ${fmt(r.deliveriesPerSecond)} deliveries/s; CPU ${fmt(r.cpuMsPerDelivery)} ms per delivery; ${r.failedPolls} failed long-polls`);
    } finally {
      await server.stop();
    }
  }
  lap('fanout');
}

if (runs('flood')) {
  // Flood: its own server, WITH the default rate limits (registration's relaxed for the setup).
  const limited = await startHearth({ port: 18_402, rateLimits: true });
  try {
    const fl = await flood(limited, quick ? 5 : 10);
    results.flood = fl;
    const o = (s: { p50: number; p95: number; p99: number }) => `p50 ${fmt(s.p50)} p95 ${fmt(s.p95)} p99 ${fmt(s.p99)} ms`;
    console.log(`flood      other users quiet ${o(fl.quiet.others)}; during one user's flood (${fmt(fl.floodRequestsPerSecond)} req/s) ${o(fl.flood.others)}`);
    console.log(`           statuses ${JSON.stringify(fl.flood.statuses)}`);
  } finally {
    await limited.stop();
  }
  lap('flood');
}

if (runs('noisy-neighbour')) {
  // Its own server, with the default rate limits (registration's relaxed for the setup).
  const limited = await startHearth({ port: 18_404, rateLimits: true });
  try {
    const nn = await noisyNeighbour(limited, quick ? 3 : 6);
    results.noisyNeighbour = nn;
    console.log(`noisy      other users, quiet: p50 ${fmt(nn.quiet.others.p50)} p99 ${fmt(nn.quiet.others.p99)} ms`);
    for (const [route, r] of Object.entries(nn.routes)) {
      console.log(`           ${route.padEnd(22)} p50 ${fmt(r.others.p50)} (${r.p50Ratio.toFixed(2)}x) p99 ${fmt(r.others.p99)} ms (${r.p99Ratio.toFixed(2)}x); others got ${JSON.stringify(r.otherStatuses)}; abuser got ${JSON.stringify(r.abuse)}`);
    }
  } finally {
    await limited.stop();
  }
  lap('noisy-neighbour');
}

if (runs('pg-churn')) {
  try {
    const pg = await pgChurn(18_410, seconds, pgRuns, console.log);
    results.pgChurn = pg;
    if ('skipped' in pg) console.log(`pg-churn   SKIPPED: ${pg.skipped}`);
  } catch (err) {
    // A PostgreSQL that cannot start (or a failed run) is reported; the other figures still count.
    results.pgChurn = { failed: String((err as Error).stack ?? err) };
    console.log(`pg-churn   FAILED: ${String((err as Error).message ?? err)}`);
  }
  lap('pg-churn');
}

results.totalSeconds = (performance.now() - benchStarted) / 1000;
results.durations = durations;
const dir = path.join(import.meta.dirname, 'results');
mkdirSync(dir, { recursive: true });
const file = path.join(dir, only ? 'partial.json' : 'latest.json');
writeFileSync(file, JSON.stringify(results, null, 1));
console.log(`time       ${Object.entries(durations).map(([k, v]) => `${k} ${v.toFixed(0)} s`).join(', ')}; total ${(results.totalSeconds as number).toFixed(0)} s`);
console.log(`wrote ${path.relative(process.cwd(), file)}`);
if (args.has('--report')) writeReport(results);
