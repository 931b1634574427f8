// `npm test` (scripts/test.mjs) ends with every skip, after the summary, where it cannot scroll away:
// a skipped suite is listed too, although node:test's "skipped N" counts only tests.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { it } from 'node:test';

const root = path.resolve(import.meta.dirname, '../..');

it('scripts/test.mjs lists every skipped suite and test, with its reason and file, after the summary', async () => {
  const fixture = path.join('test', 'fixtures', 'test-runner', 'skips.test.ts');
  // Any TEST_POSTGRES_URL keeps the runner from starting a cluster the fixture does not use; without
  // NODE_TEST_CONTEXT the inner node --test does not take itself for a file of this run.
  const { NODE_TEST_CONTEXT: _, ...env } = process.env;
  const child = spawn(process.execPath, ['scripts/test.mjs', fixture], {
    cwd: root,
    env: { ...env, TEST_POSTGRES_URL: 'postgres://unused@127.0.0.1:1/unused' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const code = await new Promise((resolve) => child.on('close', resolve));
  assert.equal(code, 0, out);
  assert.match(out, /ℹ skipped 1\n/);
  const end = out.slice(out.lastIndexOf('ℹ duration_ms'));
  assert.match(end, new RegExp([
    '\\*\\*\\* SKIPPED: 1 suite: fixture: the suite reason \\*\\*\\*\\n',
    `      ${fixture.replace(/[./]/g, '\\$&')}\\n`,
    '\\*\\*\\* SKIPPED: 1 test: fixture: the test reason \\*\\*\\*\\n',
    `      ${fixture.replace(/[./]/g, '\\$&')}\\n`,
  ].join('')));
});
