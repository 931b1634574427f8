import { writeFileSync } from 'node:fs';
import path from 'node:path';

type Summary = { p50: number; p95: number; p99: number; max: number; count: number };
type Results = Record<string, any>;

const root = path.resolve(import.meta.dirname, '..');
const f = (n: number, d = 2) => n.toFixed(d);

/** A latency CDF per series, as a small standalone SVG. */
function latencySvg(series: Record<string, number[]>): string {
  const width = 640, height = 360, pad = 48;
  const all = Object.values(series).flat();
  const maxMs = Math.max(1, ...all.map((v) => v)) * 1.05;
  const x = (ms: number) => pad + (Math.log10(1 + ms) / Math.log10(1 + maxMs)) * (width - 2 * pad);
  const y = (q: number) => height - pad - q * (height - 2 * pad);
  const colours = ['#d94f2b', '#2b7bd9', '#2bb673', '#9b59b6', '#e6a700', '#555', '#17a2b8', '#8b4513'];
  const lines = Object.entries(series).map(([name, samples], i) => {
    const sorted = [...samples].sort((a, b) => a - b);
    // At most ~200 points a line: the chart stays small whatever the sample count.
    const step = Math.max(1, Math.floor(sorted.length / 200));
    const picked = sorted.map((v, k) => [v, (k + 1) / sorted.length] as const).filter((_, k) => k % step === 0 || k === sorted.length - 1);
    const pts = picked.map(([v, q]) => `${x(v).toFixed(1)},${y(q).toFixed(1)}`).join(' ');
    return `<polyline fill="none" stroke="${colours[i % colours.length]}" stroke-width="2" points="${pts}"/>` +
      `<text x="${width - pad - 150}" y="${pad + 16 * i}" fill="${colours[i % colours.length]}" font-size="12">${name}</text>`;
  });
  const ticks = [0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000].filter((t) => t <= maxMs)
    .map((t) => `<text x="${x(t)}" y="${height - pad + 16}" font-size="10" text-anchor="middle">${t}</text><line x1="${x(t)}" x2="${x(t)}" y1="${pad}" y2="${height - pad}" stroke="#eee"/>`);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif">
<rect width="100%" height="100%" fill="white"/>
${ticks.join('\n')}
<line x1="${pad}" y1="${height - pad}" x2="${width - pad}" y2="${height - pad}" stroke="black"/>
<line x1="${pad}" y1="${pad}" x2="${pad}" y2="${height - pad}" stroke="black"/>
<text x="${width / 2}" y="${height - 8}" font-size="12" text-anchor="middle">latency (ms, log scale)</text>
<text x="12" y="${height / 2}" font-size="12" transform="rotate(-90 12 ${height / 2})" text-anchor="middle">fraction of requests</text>
${lines.join('\n')}
</svg>
`;
}

/** Regenerates BENCHMARKS.md and bench/latency.svg from one run's results. */
export function writeReport(r: Results): void {
  const base = r.baseline;
  const churn = r.churn;
  const ls = r.leaveScaling as Record<string, Summary>;
  const small = ls['2']!.p50;
  const series: Record<string, number[]> = {
    'churn join': churn.samples.join, 'churn leave': churn.samples.leave, 'churn forget': churn.samples.forget,
    'sync wake-up': r.syncWake.samples,
  };
  for (const size of Object.keys(ls)) series[`leave, ${size} members`] = (ls[size] as any).samples;
  writeFileSync(path.join(root, 'bench/latency.svg'), latencySvg(series));
  const row = (name: string, s: Summary) => `| ${name} | ${f(s.p50)} | ${f(s.p95)} | ${f(s.p99)} | ${s.count} |`;
  const md = `# Benchmarks

Measured by \`npm run bench -- --report\` on ${r.date.slice(0, 10)}: ${r.machine.cpus} cores (${r.machine.cpuModel}),
${r.machine.memoryGiB} GiB, ${r.machine.platform}, Node ${r.machine.node}. Hearth runs built (\`dist/\`), as its own
process, with the default configuration (SQLite, \`synchronous=FULL\`) except registration on and rate limits off;
the load comes from another process over loopback. All ratios are within this one run.
${r.settings.quick ? '\n**This was a quick run** (shorter scenarios, smaller rooms).\n' : ''}
## Summary

| scenario | figure | ratio |
| --- | --- | --- |
| baseline (bare HTTP + one durable SQLite insert per POST, 32 clients) | ${f(base.opsPerSecond, 0)} req/s | 1.00 |
| churn: join -> leave (reason) -> forget, ${r.settings.seconds} s, 32 clients | ${f(churn.opsPerSecond, 0)} ops/s | ${f(churn.opsPerSecond / base.opsPerSecond)} of baseline |
| churn p99 | ${f(churn.all.p99)} ms | |
| sync wake-up after a leave, p50 | ${f(r.syncWake.p50)} ms | |
${Object.entries(ls).map(([size, s]) => `| leave in a ${size}-member room, p50 | ${f(s.p50)} ms | ${f(s.p50 / small)} of 2 members |`).join('\n')}
| start-up to first answer, empty database | ${f(r.startup.emptyMs, 0)} ms | |
| churn peak / final RSS | ${f(churn.peakRssMb, 1)} / ${f(churn.finalRssMb, 1)} MiB | |
| churn CPU per operation | ${f(churn.cpuSecondsPerOp * 1e6, 0)} µs | |

## Latency (ms)

| operation | p50 | p95 | p99 | count |
| --- | --- | --- | --- | --- |
${row('baseline POST', base.latencyMs)}
${row('churn join', churn.join)}
${row('churn leave', churn.leave)}
${row('churn forget', churn.forget)}
${row('sync wake-up', r.syncWake)}
${Object.entries(ls).map(([size, s]) => row(`leave, ${size} members`, s)).join('\n')}
${r.flood ? `${row('other users, quiet (rate limits on)', r.flood.quiet.others)}
${row('other users, during one user\'s flood', r.flood.flood.others)}` : ''}

${r.flood ? `Flood (its own server, default rate limits on): one user sends join/leave with 16 requests in flight
(${f(r.flood.floodRequestsPerSecond, 0)} req/s) while 16 other users each loop send -> join -> leave with a 150 ms pause.
Responses during the flood: \`${JSON.stringify(r.flood.flood.statuses)}\`.

` : ''}Responses during churn, by operation and status: \`${JSON.stringify(churn.statuses)}\`.

![latency distributions](bench/latency.svg)

## Commands

\`\`\`sh
npm ci
npm run bench                # prints the table, writes bench/results/latest.json
npm run bench -- --report    # also regenerates this file and bench/latency.svg
npm run bench -- --quick     # shorter scenarios and smaller rooms
\`\`\`
`;
  writeFileSync(path.join(root, 'BENCHMARKS.md'), md);
  console.log('wrote BENCHMARKS.md and bench/latency.svg');
}
