import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

/** Tracks the peak RSS of a process while a scenario runs. */
export class ResourceMonitor {
  peakRss = 0;
  private timer: NodeJS.Timeout | undefined;
  constructor(private readonly pid: number) {}
  start(): ProcessSample {
    const s = sampleProcess(this.pid);
    this.peakRss = s.rssBytes;
    this.timer = setInterval(() => {
      try {
        this.peakRss = Math.max(this.peakRss, sampleProcess(this.pid).rssBytes);
      } catch {
        // the process ended
      }
    }, 50);
    return s;
  }
  stop(): ProcessSample {
    clearInterval(this.timer);
    const s = sampleProcess(this.pid);
    this.peakRss = Math.max(this.peakRss, s.rssBytes);
    return s;
  }
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
export async function startHearth(options: { port: number; dataDir?: string; env?: Record<string, string>; nodeArgs?: string[]; rateLimits?: boolean }): Promise<RunningServer> {
  const dataDir = options.dataDir ?? mkdtempSync(path.join(tmpdir(), 'hearth-bench-'));
  let limits = ['--disable-rate-limits'];
  if (options.rateLimits) {
    const file = path.join(dataDir, 'bench-rate-limits.yaml');
    writeFileSync(file, 'rate_limits:\n  enabled: true\n  registration: { per_second: 1000, burst: 1000 }\n');
    limits = ['--config', file];
  }
  const started = performance.now();
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), path.join(root, 'bin/hearth.js'), 'serve', '--port', String(options.port), '--data-dir', dataDir, '--enable-registration', ...limits], {
    env: { ...process.env, NODE_ENV: 'production', ...options.env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const baseUrl = `http://127.0.0.1:${options.port}`;
  for (let i = 0; i < 2000; i++) {
    try {
      const res = await fetch(`${baseUrl}/_matrix/client/versions`);
      if (res.ok) break;
    } catch {
      await new Promise((r) => setTimeout(r, 5));
    }
    if (i === 1999) throw new Error('Hearth did not start');
  }
  const startupMs = performance.now() - started;
  return {
    baseUrl, pid: child.pid!, child, startupMs, dataDir,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
