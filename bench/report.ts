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

/** Start-up targets (ms): the figure to stay under, per database. */
const STARTUP_TARGET_MS = { empty: 500, large: 1000 };

function startupSection(r: Results): { summary: string; section: string } {
  const s = r.startup;
  if (!s) return { summary: '', section: '' };
  const emptyMedian = s.empty?.medianMs ?? s.emptyMs;
  const verdict = (ms: number, target: number) => (ms < target ? 'met' : '**missed**');
  const lines = [
    `| start-up to first answer, empty database${s.empty ? `, median of ${s.empty.samplesMs.length}` : ''} | ${f(emptyMedian, 0)} ms | target < ${STARTUP_TARGET_MS.empty} ms: ${verdict(emptyMedian, STARTUP_TARGET_MS.empty)} |`,
  ];
  if (s.large) {
    lines.push(`| start-up to first answer, large database, median of ${s.large.samplesMs.length} | ${f(s.large.medianMs, 0)} ms | target < ${STARTUP_TARGET_MS.large} ms: ${verdict(s.large.medianMs, STARTUP_TARGET_MS.large)} |`);
    lines.push(`| RSS after start-up, large database | ${f(s.large.rssMb, 1)} MiB | |`);
  }
  if (!s.empty) return { summary: lines.join('\n'), section: '' };
  const db = s.largeDb;
  const row = (name: string, x: any, target: number) =>
    `| ${name} | ${f(x.medianMs, 0)} | ${f(x.maxMs, 0)} | < ${target} | ${f(x.rssMb, 1)} | ${f(x.settledRssMb, 1)} |`;
  const section = `## Start-up

Time from spawning \`hearth serve\` to the first answered request (\`GET /_matrix/client/versions\`, polled
every 2 ms), default configuration (SQLite, \`sqlite_synchronous: full\`: the write-ahead log is fdatasync'ed before any answer that depends on it), ${s.empty.samplesMs.length} starts of each, one after the other, empty and large alternating.
Empty: a new data directory each time (the database is created and migrated, a signing key generated).
${db ? `Large: ${db.users.toLocaleString('en')} users (each with a device and an access token), ${db.rooms.toLocaleString('en')} rooms and
${db.totalEvents.toLocaleString('en')} events (${db.creationEvents.toLocaleString('en')} from createRoom, ${db.joins.toLocaleString('en')} joins, ${db.invites.toLocaleString('en')} invites, ${db.leaves.toLocaleString('en')} leaves,
${db.messages.toLocaleString('en')} messages; the largest room has ${db.largestRoom.toLocaleString('en')} members), a ${f(db.dbBytes / 2 ** 20, 0)} MiB file, seeded in-process with the
built services (signed, hashed, auth-checked events in each room's line) in ${f(db.originalSeedSeconds, 1)} s and cached under
\`bench/results/\`; every start uses the same copy, so the file is in the page cache, as on a restart.
` : ''}
| database | median (ms) | max (ms) | target (ms) | RSS at first answer (MiB) | RSS 1 s later (MiB; large: after the probes below) |
| --- | --- | --- | --- | --- | --- |
${row('empty', s.empty, STARTUP_TARGET_MS.empty)}
${s.large ? row('large', s.large, STARTUP_TARGET_MS.large) : ''}

${s.large?.firstSyncMs !== undefined && db?.probe ? `Right after each start on the large database, a member of the largest room (${db.probe.rooms} rooms) made a first authenticated
request (\`GET /account/whoami\`): median ${f(s.large.firstWhoamiMs)} ms, then a first initial \`/sync\` (lazy-loaded members, timeline
limit 10; ${s.large.firstSyncRooms} rooms): median ${f(s.large.firstSyncMs, 0)} ms. Work deferred from start-up to first use shows here.

` : ''}Every start (ms): empty ${s.empty.samplesMs.map((v: number) => f(v, 0)).join(', ')}${s.large ? `; large ${s.large.samplesMs.map((v: number) => f(v, 0)).join(', ')}` : ''}.

`;
  return { summary: lines.join('\n'), section };
}

function pgSummary(r: Results): string {
  const runs = r.pgChurn?.runs as any[] | undefined;
  if (!runs) return '';
  const one = runs.find((x) => x.processCount === 1);
  return runs.map((x) => `| churn on PostgreSQL (durable), ${x.label} | ${f(x.opsPerSecond, 0)} ops/s, p99 ${f(x.all.p99)} ms | ${one && x !== one ? `${f(x.opsPerSecond / one.opsPerSecond)} of 1 process` : ''} |\n`).join('');
}

function pgSection(r: Results): string {
  const pg = r.pgChurn;
  if (!pg) return '';
  if (pg.skipped) return `## churn on PostgreSQL: 1 vs 2 processes\n\nSkipped: ${pg.skipped}.\n\n`;
  if (pg.failed) return `## churn on PostgreSQL: 1 vs 2 processes\n\nFailed: \`${String(pg.failed).split('\n')[0]}\`.\n\n`;
  const runs = pg.runs as any[];
  const one = runs.find((x) => x.processCount === 1);
  const proc = (x: any) => x.processes.map((p: any) => `${f(p.peakRssMb, 0)} MiB, ${f(p.cpuUtilization * 100, 0)}%`).join(' / ');
  const rows = runs.map((x) => `| ${x.label} | ${f(x.opsPerSecond, 0)} | ${one ? f(x.opsPerSecond / one.opsPerSecond) : ''} | ${f(x.all.p50)} | ${f(x.all.p99)} | ${proc(x)} | ${x.postgresCpuUtilization == null ? '' : `${f(x.postgresCpuUtilization * 100, 0)}%`} | ${f(x.cpuSecondsPerOp * 1e6, 0)} | \`${JSON.stringify(x.statuses)}\` |`);
  const errors = runs.flatMap((x) => Object.entries(x.errors ?? {}).map(([k, e]: [string, any]) => `- ${x.label}: \`${k}\` x${e.count}, e.g. from process #${e.server + 1}: \`${e.example}\``));
  return `## churn on PostgreSQL: 1 vs 2 processes

The churn scenario (${r.settings.seconds} s, 32 clients, join -> leave -> forget) against Hearth on PostgreSQL (${pg.postgres}; a
throwaway cluster on 127.0.0.1 with durable settings: ${pg.settings.replace(/, 127.0.0.1$/, '')}), a fresh database per row,
default pool (10 connections per process). Two processes share the database and the signing key, with no load
balancer: the bench's clients spread their requests themselves, either round-robin per request (each client's
join, leave and forget alternate between the processes, as a load balancer without sticky sessions would) or
per client (each client and its users stay on one process). Everything (PostgreSQL, the Hearth processes and the
load) shares the machine's ${r.machine.cpus} cores.

| run | ops/s | vs 1 process | p50 (ms) | p99 (ms) | per Hearth process: peak RSS, CPU (of one core) | PostgreSQL CPU (of one core) | Hearth CPU µs/op | responses |
| --- | --- | --- | --- | --- | --- | --- | --- | --- |
${rows.join('\n')}

What Hearth's database connections were doing during each run (pg_stat_activity sampled every 100 ms; \`Lock:advisory\`
is a wait for a room's lock, or for the moment another writer reserves an event position):

${runs.filter((x) => x.connectionStates).map((x) => `- ${x.label}: ${Object.entries(x.connectionStates as Record<string, number>).filter(([, v]) => v >= 0.01).map(([k, v]) => `${k} ${f(v * 100, 0)}%`).join(', ')}`).join('\n')}

${errors.length ? `Errors:\n\n${errors.join('\n')}\n\n` : 'No errors: every request got 200.\n\n'}`;
}

/** The fan-out table: one room, every member long-polling, one sender. */
function fanoutSection(r: Results): string {
  const runs = r.fanout as Array<Record<string, any>> | undefined;
  if (!runs?.length) return '';
  const rows = runs.map((x) => `| ${x.members} x ${x.messages} | ${f(x.delivery.p50, 0)} / ${f(x.p90, 0)} / ${f(x.delivery.p99, 0)} / ${f(x.delivery.max, 0)} | ${f(x.send.p50, 1)} | ${x.deliveredIn30s} of ${x.expected} | ${f(x.deliveriesPerSecond, 0)} | ${f(x.cpuMsPerDelivery)} |`);
  return `## Fan-out: a message to a room whose members are all online

Its own server per size. Each member holds a \`/sync\` long-poll (\`set_presence=offline\`, a filter for the room's
messages); one sender posts the messages one after another with a ${runs[0]!.pauseMs} ms pause. Delivery = from the start of the
send to the member's \`/sync\` returning the message; "delivered" counts those within 30 s of the last send.

| members x messages | delivery p50 / p90 / p99 / max ms | send p50 ms | delivered | deliveries/s | server CPU ms per delivery |
| --- | --- | --- | --- | --- | --- |
${rows.join('\n')}

`;
}

/** The noisy-neighbour table: the others' latency while one user abuses each route, against a quiet run. */
function noisySection(r: Results): string {
  const nn = r.noisyNeighbour;
  if (!nn) return '';
  const q = nn.quiet.others as Summary;
  const rows = Object.entries(nn.routes as Record<string, { others: Summary; p50Ratio: number; p99Ratio: number; otherStatuses: Record<string, number>; abuse: Record<string, number> }>)
    .map(([route, x]) => `| ${route} | ${f(x.others.p50)} (${f(x.p50Ratio)}x) | ${f(x.others.p99)} (${f(x.p99Ratio)}x) | \`${JSON.stringify(x.otherStatuses)}\` | \`${JSON.stringify(x.abuse)}\` |`);
  return `## Noisy neighbour

Its own server, default rate limits on. ${nn.settings.others} users each loop send -> join -> leave with a ${nn.settings.pauseMs} ms
pause and a \`/sync\` long-poll parked; then, for ${nn.settings.seconds} s per route, one user abuses one route with
${nn.settings.concurrency} requests in flight (the findings of the security review; the slow body comes from 127.0.0.2).
Target: the others' latency within 2x of the quiet run.

| route abused | others p50 ms (x quiet) | others p99 ms (x quiet) | what the others got | what the abuser got |
| --- | --- | --- | --- | --- |
| none (quiet) | ${f(q.p50)} | ${f(q.p99)} | \`${JSON.stringify(nn.quiet.otherStatuses)}\` | |
${rows.join('\n')}

`;
}

/**
 * Regenerates BENCHMARKS.md and bench/latency.svg from one run's results (`out` writes them
 * elsewhere, e.g. to look at a report without touching the committed one).
 */
export function writeReport(r: Results, out = { markdown: path.join(root, 'BENCHMARKS.md'), svg: path.join(root, 'bench/latency.svg') }): void {
  const base = r.baseline;
  const churn = r.churn;
  const ls = r.leaveScaling as Record<string, Summary>;
  const small = ls['2']!.p50;
  const series: Record<string, number[]> = {
    'churn join': churn.samples.join, 'churn leave': churn.samples.leave, 'churn forget': churn.samples.forget,
    'sync wake-up': r.syncWake.samples,
  };
  for (const size of Object.keys(ls)) series[`leave, ${size} members`] = (ls[size] as any).samples;
  writeFileSync(out.svg, latencySvg(series));
  const row = (name: string, s: Summary) => `| ${name} | ${f(s.p50)} | ${f(s.p95)} | ${f(s.p99)} | ${s.count} |`;
  const startup = startupSection(r);
  const md = `# Benchmarks

Measured by \`npm run bench -- --report\` on ${r.date.slice(0, 10)}: ${r.machine.cpus} cores (${r.machine.cpuModel}),
${r.machine.memoryGiB} GiB, ${r.machine.platform}, Node ${r.machine.node}. Hearth runs built (\`dist/\`), as its own
process, with the default configuration (SQLite, \`sqlite_synchronous: full\`: the write-ahead log is fdatasync'ed before any answer that depends on it) except registration on and rate limits off;
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
${startup.summary}
${pgSummary(r)}| churn peak / final RSS | ${f(churn.peakRssMb, 1)} / ${f(churn.finalRssMb, 1)} MiB | |
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

` : ''}${fanoutSection(r)}${noisySection(r)}Responses during churn, by operation and status: \`${JSON.stringify(churn.statuses)}\`.

![latency distributions](bench/latency.svg)

${[startup.section, pgSection(r)].filter(Boolean).map((x) => `${x.trimEnd()}\n\n`).join('')}## Commands

\`\`\`sh
npm ci
npm run bench                # prints the table, writes bench/results/latest.json
npm run bench -- --report    # also regenerates this file and bench/latency.svg
npm run bench -- --quick     # shorter scenarios, smaller rooms and a smaller large database
npm run bench -- --only startup,pg-churn   # just these scenarios (writes bench/results/partial.json)
\`\`\`

The large database is seeded on the first run and cached under \`bench/results/\` (keyed by the schema's
migrations); later runs skip the seeding. Without PostgreSQL's binaries (under \`/usr/lib/postgresql\`)
the PostgreSQL scenario is skipped with a note.
`;
  writeFileSync(out.markdown, md);
  console.log(`wrote ${path.relative(process.cwd(), out.markdown)} and ${path.relative(process.cwd(), out.svg)}`);
}
