#!/usr/bin/env node
// The `hearth` command: runs the compiled entry point (built by `npm ci` / `npm run build`).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/bundle/hearth.mjs', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  console.error('hearth: dist/ is missing; run `npm run build` (npm ci does this) first');
  process.exit(1);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
