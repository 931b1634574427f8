#!/usr/bin/env node
// `npm test`: runs every test file with node:test (through tsx). When TEST_POSTGRES_URL is not set
// and PostgreSQL's binaries are installed, a throwaway cluster is started for the PostgreSQL suites.
// HEARTH_REQUIRE_POSTGRES=1 (set by CI) makes a missing PostgreSQL a failure instead of a skip.
// `--quick` (`npm run test:quick`): the unit tests and the API tests on SQLite only, no PostgreSQL
// cluster and no process, browser, crash or fuzz suites; with file arguments, those files on SQLite.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { postgresBinDir, startPostgres } from './pg-cluster.mjs';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

function findTests(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (name === 'node_modules' || name === 'fixtures') continue;
    if (statSync(full).isDirectory()) findTests(full, out);
    else if (name.endsWith('.test.ts')) out.push(path.relative(root, full));
  }
  return out;
}

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const named = args.filter((a) => a !== '--quick');
const files = named.length ? named
  : quick ? [...findTests(path.join(root, 'src')), ...findTests(path.join(root, 'test', 'api'))]
  : [...findTests(path.join(root, 'src')), ...findTests(path.join(root, 'test'))];
const env = { ...process.env };
// Spec coverage: a full run records every response the tests validate against the spec (test/helpers/spec-schema.ts)
// in a fresh directory, then test/spec-coverage/coverage.check.ts checks that every served endpoint has one.
const coverageDir = named.length || quick ? undefined : mkdtempSync(path.join(tmpdir(), 'hearth-spec-coverage-'));
if (coverageDir) env.HEARTH_SPEC_COVERAGE_DIR = coverageDir;
// The suites skip PostgreSQL, with test/helpers/backends.ts's reason, when TEST_POSTGRES_URL is unset.
const QUICK_SKIP_NOTE = 'PostgreSQL suites (quick run: SQLite only; `npm test` runs them)';
let postgres;
/** Said before the run and again at its end, with every skipped test and suite. */
const skipNotes = [];
if (quick) {
  delete env.TEST_POSTGRES_URL;
  env.HEARTH_TEST_QUICK = '1';
  skipNotes.push(QUICK_SKIP_NOTE);
  console.log(`\n*** SKIPPED: ${QUICK_SKIP_NOTE} ***\n`);
}
if (!quick && !env.TEST_POSTGRES_URL) {
  const binDir = postgresBinDir();
  if (binDir) {
    postgres = await startPostgres(binDir);
    env.TEST_POSTGRES_URL = postgres.url;
  } else if (env.HEARTH_REQUIRE_POSTGRES === '1') {
    console.error('PostgreSQL is required (HEARTH_REQUIRE_POSTGRES=1) but no binaries were found under /usr/lib/postgresql');
    process.exit(1);
  } else {
    skipNotes.push('PostgreSQL suites (no PostgreSQL binaries; install postgresql or set TEST_POSTGRES_URL)');
    console.log(`\n*** SKIPPED: ${skipNotes.at(-1)} ***\n`);
  }
}

const CONCURRENCY = 2;
// node:test gives each file its own process, and loading Hearth through tsx costs each API file
// about 2 CPU-seconds, more than half of the quick run's CPU time. The whole quick run therefore
// loads its files into CONCURRENCY processes (shards balanced by file size), trading the
// full run's process-per-file isolation for speed.
const shardDir = quick && !named.length ? mkdtempSync(path.join(tmpdir(), 'hearth-quick-')) : undefined;
const runFiles = shardDir ? shards(files, CONCURRENCY, shardDir) : files;

const skipDir = mkdtempSync(path.join(tmpdir(), 'hearth-test-skips-'));
const skipFile = path.join(skipDir, 'skips.jsonl');
const child = spawn(process.execPath, [
  '--import', 'tsx', '--test', `--test-concurrency=${CONCURRENCY}`,
  '--test-reporter=spec', '--test-reporter-destination=stdout',
  `--test-reporter=${path.join(root, 'scripts', 'skip-reporter.mjs')}`, `--test-reporter-destination=${path.join(skipDir, 'reporter-stream')}`,
  // Client libraries under test (matrix-js-sdk) leave request timers running after they stop.
  '--test-force-exit', ...runFiles,
], { cwd: root, env: { ...env, HEARTH_SKIP_FILE: skipFile }, stdio: 'inherit' });
const code = await new Promise((resolve) => child.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0))));
if (shardDir) rmSync(shardDir, { recursive: true, force: true });
if (postgres) await postgres.stop();
let coverageCode = 0;
if (coverageDir) {
  if (code === 0) {
    const check = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', path.join('test', 'spec-coverage', 'coverage.check.ts')], { cwd: root, env, stdio: 'inherit' });
    coverageCode = await new Promise((resolve) => check.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0))));
  } else {
    console.log('\n*** spec coverage check not run: the test suite failed ***\n');
  }
  rmSync(coverageDir, { recursive: true, force: true });
}
reportSkips();
process.exit(code || coverageCode);

/** Writes `count` shard files into `dir`, each importing a share of `testFiles` (largest first, each onto the lightest shard). */
function shards(testFiles, count, dir) {
  const sized = testFiles.map((f) => ({ f, size: statSync(path.join(root, f)).size })).sort((a, b) => b.size - a.size);
  const groups = Array.from({ length: count }, () => ({ size: 0, files: [] }));
  for (const { f, size } of sized) {
    const lightest = groups.reduce((a, b) => (b.size < a.size ? b : a));
    lightest.files.push(f);
    lightest.size += size;
  }
  return groups.filter((g) => g.files.length).map((g, i) => {
    const shard = path.join(dir, `shard-${i + 1}.test.mjs`);
    writeFileSync(shard, g.files.sort().map((f) => `import ${JSON.stringify(pathToFileURL(path.join(root, f)).href)};\n`).join(''));
    return shard;
  });
}

/** Ends the run with every skip, grouped by reason, where it cannot scroll out of sight. */
function reportSkips() {
  const skips = existsSync(skipFile) ? readFileSync(skipFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)) : [];
  rmSync(skipDir, { recursive: true, force: true });
  const byReason = new Map();
  for (const s of skips) byReason.set(s.reason, [...(byReason.get(s.reason) ?? []), s]);
  if (skipNotes.length === 0 && byReason.size === 0) return;
  console.log('');
  for (const note of skipNotes) console.log(`*** SKIPPED: ${note} ***`);
  for (const [reason, list] of byReason) {
    const suites = list.filter((s) => s.suite).length;
    const tests = list.length - suites;
    const counts = [tests && `${tests} test${tests > 1 ? 's' : ''}`, suites && `${suites} suite${suites > 1 ? 's' : ''}`].filter(Boolean).join(' and ');
    console.log(`*** SKIPPED: ${counts}: ${reason} ***`);
    for (const file of new Set(list.map((s) => s.file))) console.log(`      ${file}`);
  }
  console.log('');
}
