// What the hearth command says about itself: --help for every command, --version, one-line
// messages for unknown options and invalid environment variables, and generate-config --output
// refusing to overwrite a file unless --force.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { buildConfig } from '../../src/config/load.js';
import { runHearth } from '../helpers/child-server.js';

const root = path.resolve(import.meta.dirname, '../..');

// Two at a time: each test starts Hearth processes, and the machine may be shared.
describe('hearth usage', { concurrency: 2 }, () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'hearth-cli-usage-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('--version prints the version of package.json', async () => {
    const { version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
    const res = await runHearth(['--version']);
    assert.equal(res.code, 0);
    assert.equal(res.stdout, `hearth ${version}\n`);
  });

  it('every command answers --help on standard output, exit 0', async () => {
    const cases: Array<[string[], RegExp[]]> = [
      [['--help'], [/^usage: hearth <command>/, /register-user/, /generate-config/, /npm run -s hearth/]],
      [['serve', '--help'], [/^usage: hearth serve/, /--data-dir DIR/, /HEARTH_ENABLE_REGISTRATION/]],
      [['register-user', '--help'], [/^usage: hearth register-user <user>/, /--password-file FILE/, /--password-stdin/, /other users of the machine can see it/]],
      [['generate-config', '--help'], [/^usage: hearth generate-config/, /--force/, /npm run -s hearth -- generate-config > hearth\.yaml/]],
    ];
    for (const [args, patterns] of cases) {
      const res = await runHearth(args);
      assert.equal(res.code, 0, args.join(' '));
      assert.equal(res.stderr, '');
      for (const p of patterns) assert.match(res.stdout, p, args.join(' '));
    }
  });

  it('an unknown option, a missing value or a stray argument is one line pointing at the help, exit 2', async () => {
    const cases: Array<[string[], string]> = [
      [['serve', '--foo'], 'hearth: unknown option --foo for serve; see hearth serve --help\n'],
      [['generate-config', '--outptu', 'x'], 'hearth: unknown option --outptu for generate-config; see hearth generate-config --help\n'],
      [['serve', '--port'], 'hearth: option --port of serve needs a value; see hearth serve --help\n'],
      [['serve', 'now'], 'hearth: serve takes no arguments (got "now"); see hearth serve --help\n'],
      [['--foo'], 'hearth: unknown option --foo; see hearth --help\n'],
      [['serv'], 'hearth: unknown command "serv"; see hearth --help\n'],
    ];
    for (const [args, stderr] of cases) {
      const res = await runHearth(args);
      assert.equal(res.code, 2, args.join(' '));
      assert.equal(res.stderr, stderr);
    }
  });

  it('environment booleans and ports are checked like the file\'s settings, named by the variable, exit 2', async () => {
    const cases: Array<[Record<string, string>, string]> = [
      [{ HEARTH_ENABLE_REGISTRATION: 'maybe' }, 'hearth: invalid config: HEARTH_ENABLE_REGISTRATION: must be true or false (or 1, yes, on, 0, no, off)\n'],
      [{ HEARTH_DISABLE_RATE_LIMITS: 'sometimes' }, 'hearth: invalid config: HEARTH_DISABLE_RATE_LIMITS: must be true or false (or 1, yes, on, 0, no, off)\n'],
      [{ HEARTH_PORT: '80a' }, 'hearth: invalid config: HEARTH_PORT: must be an integer from 0 to 65535\n'],
    ];
    for (const [env, stderr] of cases) {
      const res = await runHearth(['serve', '--data-dir', path.join(dir, 'never')], env);
      assert.equal(res.code, 2, JSON.stringify(env));
      assert.equal(res.stderr, stderr);
    }
  });

  it('generate-config --output keeps an existing file unless --force', async () => {
    const file = path.join(dir, 'hearth.yaml');
    writeFileSync(file, 'server_name: mine.example\n');
    const refused = await runHearth(['generate-config', '--output', file]);
    assert.equal(refused.code, 1);
    assert.equal(refused.stderr, `hearth: ${file} exists; use --force to overwrite\n`);
    assert.equal(readFileSync(file, 'utf8'), 'server_name: mine.example\n');

    const forced = await runHearth(['generate-config', '--output', file, '--force']);
    assert.equal(forced.code, 0, forced.stderr);
    assert.equal(forced.stdout, '', 'nothing on standard output: it may be redirected');
    assert.deepEqual(buildConfig(parseYaml(readFileSync(file, 'utf8')) as Record<string, unknown>, '/srv'), buildConfig({}, '/srv'));
  });
});
