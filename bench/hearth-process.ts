import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');

/** Resource use of a process, read from /proc (Linux). */
export interface ProcessSample {
  rssBytes: number;
  cpuSeconds: number;
}

export function sampleProcess(pid: number): ProcessSample {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return { rssBytes: rssKb * 1024, cpuSeconds: ticks / 100 };
}

/**
 * CPU seconds of a process and its direct children (live ones, and the ones it has reaped): for the
 * PostgreSQL postmaster, the whole server with its backends. Linux only.
 */
export function treeCpuSeconds(pid: number): number {
  const fieldsOf = (p: string) => {
    const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  };
  const own = fieldsOf(String(pid));
  // utime, stime, and cutime, cstime (children that exited and were waited for).
  let ticks = Number(own[11]) + Number(own[12]) + Number(own[13]) + Number(own[14]);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const f = fieldsOf(entry);
      if (Number(f[1]) === pid) ticks += Number(f[11]) + Number(f[12]);
    } catch {
      // the process ended
    }
  }
  return ticks / 100;
}

/** Tracks the peak RSS of a process while a scenario runs (and its last sample, should it end). */
export class ResourceMonitor {
  peakRss = 0;
  private last: ProcessSample = { rssBytes: 0, cpuSeconds: 0 };
  private timer: NodeJS.Timeout | undefined;
  constructor(private readonly pid: number) {}
  private sample(): ProcessSample {
    try {
      this.last = sampleProcess(this.pid);
      this.peakRss = Math.max(this.peakRss, this.last.rssBytes);
    } catch {
      // the process ended: keep its last sample
    }
    return this.last;
  }
  start(): ProcessSample {
    this.peakRss = 0;
    const s = this.sample();
    this.timer = setInterval(() => this.sample(), 50);
    return s;
  }
  stop(): ProcessSample {
    clearInterval(this.timer);
    return this.sample();
  }
}

function assertPortFree(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (err: NodeJS.ErrnoException) => reject(new Error(`port ${port} on 127.0.0.1 is in use (${err.code}): stop what listens there`)));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve()));
  });
}

export interface RunningServer {
  baseUrl: string;
  pid: number;
  child: ChildProcess;
  /** Milliseconds from spawn to the first answered request. */
  startupMs: number;
  dataDir: string;
  stop(): Promise<void>;
}

/**
 * Starts the built Hearth (dist/) as its own process with default settings except registration
 * on and rate limits off, on a loopback port, and waits for its first answer (bounded).
 * `rateLimits: true` keeps the default rate limits on, except registration's (the benchmark
 * registers its users from one IP), through a config file in the data directory.
 */
export async function startHearth(options: { port: number; dataDir?: string; env?: Record<string, string>; nodeArgs?: string[]; rateLimits?: boolean; maxConnectionsPerAddress?: number }): Promise<RunningServer> {
  // Another process on the port (say, a server left over from an interrupted run) would answer the
  // first request in place of this one.
  await assertPortFree(options.port);
  const dataDir = options.dataDir ?? mkdtempSync(path.join(tmpdir(), 'hearth-bench-'));
  let limits = ['--disable-rate-limits'];
  const settings: string[] = [];
  if (options.rateLimits) settings.push('rate_limits:\n  enabled: true\n  registration: { per_second: 1000, burst: 1000 }');
  // Every benchmark client connects from 127.0.0.1: a scenario with more open connections than the
  // default cap per address (its long-polls) raises it, as an operator behind one proxy address would.
  if (options.maxConnectionsPerAddress !== undefined) settings.push(`max_connections_per_address: ${options.maxConnectionsPerAddress}`);
  if (settings.length > 0) {
    const file = path.join(dataDir, 'bench-settings.yaml');
    writeFileSync(file, `${settings.join('\n')}\n`);
    limits = [...(options.rateLimits ? [] : limits), '--config', file];
  }
  const started = performance.now();
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), path.join(root, 'bin/hearth.js'), 'serve', '--port', String(options.port), '--data-dir', dataDir, '--enable-registration', ...limits], {
    env: { ...process.env, NODE_ENV: 'production', ...options.env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const baseUrl = `http://127.0.0.1:${options.port}`;
  let exited: string | undefined;
  child.once('exit', (code, signal) => {
    exited = `exited with ${signal ?? code}`;
  });
  // Polls every 2 ms (a refused connection answers at once) for at most 30 s.
  const deadline = performance.now() + 30_000;
  for (;;) {
    try {
      const res = await fetch(`${baseUrl}/_matrix/client/versions`);
      await res.arrayBuffer();
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (exited || performance.now() > deadline) {
      child.kill('SIGKILL');
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
      throw new Error(exited ? `Hearth did not start: ${exited}` : 'Hearth did not start within 30 s');
    }
    await new Promise((r) => setTimeout(r, 2));
  }
  const startupMs = performance.now() - started;
  return {
    baseUrl, pid: child.pid!, child, startupMs, dataDir,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const gone = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await gone;
      }
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
