#!/usr/bin/env node
// Bundles dist/main.js (tsc's output) and the pure-JavaScript dependencies into dist/bundle/, which
// `hearth` (and `npm start`) runs. A few files instead of some six hundred modules start about 40%
// sooner and take less memory. What Hearth imports on demand (PostgreSQL, metrics) becomes chunks of
// its own, still loaded only on demand. Left outside: native code (better-sqlite3), packages that load
// files or worker threads at run time (pino and its transports), and the ones Hearth loads only on
// demand (pg, prom-client, yaml), which are then imported from node_modules as usual.
// `--entry src/main.ts --outdir DIR` bundles the sources instead (test/helpers/child-server.ts does,
// so that the process suites start the CLI without tsx).
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

const root = path.resolve(import.meta.dirname, '..');
const { values: args } = parseArgs({ options: { entry: { type: 'string' }, outdir: { type: 'string' } } });
const outdir = path.resolve(root, args.outdir ?? path.join('dist', 'bundle'));
// Chunk names carry content hashes: start empty so that old chunks do not pile up.
rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: [path.resolve(root, args.entry ?? path.join('dist', 'main.js'))],
  outdir,
  outExtension: { '.js': '.mjs' },
  entryNames: 'hearth',
  chunkNames: 'chunk-[hash]',
  bundle: true,
  splitting: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['better-sqlite3', 'pg', 'pino', 'pino-pretty', 'prom-client', 'sharp', 'yaml'],
  // CommonJS dependencies inside an ES module bundle still call require() for Node's built-ins.
  banner: { js: "import { createRequire as hearthCreateRequire } from 'node:module'; const require = hearthCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});
