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

/**
 * Runs `hearth <args>` (from source) to completion; `input`, when given, is its standard input.
 * Resolves on 'close', not 'exit': a process can exit before its last output has been read.
 */
export function runHearth(args: string[], env: Record<string, string> = {}, input?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawnHearth(args, env, input === undefined ? 'ignore' : 'pipe');
  child.stdin?.end(input);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d) => (stdout += d));
  child.stderr?.on('data', (d) => (stderr += d));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
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

/** The command line that runs the hearth CLI (for tests that run it through another program: runuser, script). */
export function hearthCommand(): string[] {
  return [process.execPath, hearthCli()];
}

export function spawnHearth(args: string[], env: Record<string, string> = {}, stdin: 'ignore' | 'pipe' = 'ignore'): ChildProcess {
  return spawn(process.execPath, [hearthCli(), ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: [stdin, 'pipe', 'pipe'],
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

/**
 * The exit code (null when a signal ended it), also for a child that has already exited; resolves
 * once its output pipes are closed too, so that everything it wrote has been read.
 */
export function exitOf(child: ChildProcess): Promise<number | null> {
  const exited = child.exitCode !== null || child.signalCode !== null;
  const drained = [child.stdout, child.stderr].every((s) => !s || s.closed);
  if (exited && drained) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('close', (code) => resolve(code)));
}
