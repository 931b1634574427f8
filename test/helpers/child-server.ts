import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
    });
    srv.on('error', reject);
  });
}

/** Runs `hearth <args>` (from source) to completion. */
export function runHearth(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawnHearth(args, env);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d) => (stdout += d));
  child.stderr?.on('data', (d) => (stderr += d));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
}

let cli: string | undefined;

/**
 * The hearth CLI from source, bundled once per test process by scripts/bundle.mjs (as `npm run build`
 * bundles it for users): a process starts in a fifth of the CPU time it takes through tsx, which
 * the crash and process suites pay at every start.
 */
function hearthCli(): string {
  if (cli) return cli;
  mkdirSync(path.join(root, 'dist'), { recursive: true });
  const dir = mkdtempSync(path.join(root, 'dist', 'test-cli-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  const built = spawnSync(process.execPath, [path.join(root, 'scripts/bundle.mjs'), '--entry', 'src/main.ts', '--outdir', dir], { cwd: root, encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`bundling the CLI failed: ${built.stderr}`);
  writeFileSync(path.join(dir, 'run.mjs'), "import { main } from './hearth.mjs';\nprocess.exitCode = await main(process.argv.slice(2));\n");
  cli = path.join(dir, 'run.mjs');
  return cli;
}

export function spawnHearth(args: string[], env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, [hearthCli(), ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Polls a URL until it answers 200 (bounded: 200 tries, 50 ms apart). */
export async function waitForHttp(url: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    try {
      const res = await fetch(url);
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${url} did not answer`);
}

export function exitOf(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}
