// `npm ci` on the Node.js the README names installs without an EBADENGINE warning: every locked
// package accepts this Node (cookie 2, which light-my-request would pull in, requires Node 22:
// package.json's overrides pin cookie 1). A dry run on a copy of package.json and the lock file,
// offline: nothing is downloaded or installed.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { it } from 'node:test';

const root = path.resolve(import.meta.dirname, '../..');

it('npm ci on this Node.js warns of no unsupported engine, and this Node.js is one package.json accepts', { timeout: 120_000 }, async () => {
  const { engines } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { engines: { node: string } };
  const [major, minor] = /^>=(\d+)\.(\d+)$/.exec(engines.node)!.slice(1).map(Number) as [number, number];
  const [ownMajor, ownMinor] = process.versions.node.split('.').map(Number) as [number, number];
  assert.ok(ownMajor > major || (ownMajor === major && ownMinor >= minor), `Node ${process.versions.node} is below package.json's engines ${engines.node}`);

  const dir = mkdtempSync(path.join(tmpdir(), 'hearth-npm-engines-'));
  try {
    for (const f of ['package.json', 'package-lock.json']) copyFileSync(path.join(root, f), path.join(dir, f));
    const child = spawn('npm', ['ci', '--dry-run', '--ignore-scripts', '--offline', '--no-audit', '--no-fund'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const code = await new Promise((resolve) => child.on('close', resolve));
    assert.equal(code, 0, out);
    assert.match(out, /added \d+ packages/);
    assert.doesNotMatch(out, /EBADENGINE/, out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
