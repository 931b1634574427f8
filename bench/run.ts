// `npm run bench [-- --quick] [-- --report]`: starts the built Hearth as its own process and drives it
// over loopback from this one. Prints a table, writes bench/results/latest.json; --report also
// regenerates BENCHMARKS.md and bench/latency.svg from those figures.
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startHearth } from './hearth-process.js';
import { writeReport } from './report.js';
import { baseline } from './scenarios/baseline.js';
import { churn } from './scenarios/churn.js';
import { flood } from './scenarios/flood.js';
import { leaveScaling } from './scenarios/leave-scaling.js';
import { syncWake } from './scenarios/sync-wake.js';

const args = new Set(process.argv.slice(2));
if (args.has('--report-only')) {
  // Regenerates BENCHMARKS.md from the last run's figures without measuring again.
  const { readFileSync } = await import('node:fs');
  writeReport(JSON.parse(readFileSync(path.join(import.meta.dirname, 'results', 'latest.json'), 'utf8')));
  process.exit(0);
}
const quick = args.has('--quick');
const seconds = quick ? 5 : 20;
const sizes = quick ? [2, 200, 1000] : [2, 1000, 10_000];
const results: Record<string, unknown> = {
  date: new Date().toISOString(),
  machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version, platform: `${os.type()} ${os.release()}` },
  settings: { seconds, sizes, quick },
};

const fmt = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(2));
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}x`;

console.log(`Hearth benchmark (${quick ? 'quick' : 'full'}): ${os.cpus().length} cores, Node ${process.version}`);
const base = await baseline(18_400, Math.min(seconds, 10));
results.baseline = base;
console.log(`baseline   ${fmt(base.opsPerSecond)} req/s  p50 ${fmt(base.latencyMs.p50)} ms  p99 ${fmt(base.latencyMs.p99)} ms`);

const server = await startHearth({ port: 18_401 });
results.startup = { emptyMs: server.startupMs };
console.log(`startup    ${fmt(server.startupMs)} ms to the first answer (empty database)`);
try {
  const c = await churn(server, seconds);
  results.churn = c;
  console.log(`churn      ${fmt(c.opsPerSecond)} ops/s (${ratio(c.opsPerSecond, base.opsPerSecond)} of baseline)  p50 ${fmt(c.all.p50)} p95 ${fmt(c.all.p95)} p99 ${fmt(c.all.p99)} ms  peak RSS ${fmt(c.peakRssMb)} MiB  CPU ${fmt(c.cpuSecondsPerOp * 1e6)} µs/op`);
  console.log(`           statuses ${JSON.stringify(c.statuses)}`);

  const w = await syncWake(server, quick ? 20 : 50);
  results.syncWake = w;
  console.log(`sync-wake  p50 ${fmt(w.p50)} ms  p95 ${fmt(w.p95)} ms`);

  const l = await leaveScaling(server, sizes, quick ? 20 : 50);
  results.leaveScaling = l;
  const small = l['2']!.p50;
  for (const [size, s] of Object.entries(l)) console.log(`leave@${size.padEnd(5)} p50 ${fmt(s.p50)} ms  p99 ${fmt(s.p99)} ms  (${ratio(s.p50, small)} of the 2-member room)`);
} finally {
  await server.stop();
}

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

const dir = path.join(import.meta.dirname, 'results');
mkdirSync(dir, { recursive: true });
writeFileSync(path.join(dir, 'latest.json'), JSON.stringify(results, null, 1));
console.log(`wrote ${path.relative(process.cwd(), path.join(dir, 'latest.json'))}`);
if (args.has('--report')) writeReport(results);
