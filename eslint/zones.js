// The dependency direction of docs/ARCHITECTURE.md, by folder zone. Each import specifier is resolved
// against the importing file's path, so a file in a new nested folder (services/federation/inbound/)
// is held to its zone's rules without anyone listing '../../../storage/*' for it.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

// Longest match wins. A folder ends in '/'; a file is named without its extension. A file under src/
// that matches no zone is itself an error: a new top-level folder gets its rules here first.
const ZONES = [
  ['app', ['src/app', 'src/main']],
  ['cli', ['src/cli/']],
  ['config', ['src/config/']],
  ['core', ['src/core/']],
  // What services may see of storage: the Store interface, its record types and its typed errors.
  ['store-contract', ['src/storage/store', 'src/storage/room-store', 'src/storage/sync-store', 'src/storage/e2ee-store',
    'src/storage/purge-store', 'src/storage/outbox-store', 'src/storage/media-store', 'src/storage/push-store', 'src/storage/admin-store', 'src/storage/search-store', 'src/storage/errors', 'src/storage/change-channel']],
  // Everything else in storage: the Kysely store, migrations, the SQLite and PostgreSQL engines.
  ['storage', ['src/storage/']],
  ['services', ['src/services/']],
  ['http', ['src/http/']],
  ['test', ['test/']],
];

const ENGINES = ['kysely', 'better-sqlite3', 'pg'];

// What each zone may import: zones, and packages it must not import (a package's subpaths included).
const RULES = {
  app: { zones: ['app', 'cli', 'config', 'core', 'store-contract', 'storage', 'services', 'http'], packages: [] },
  core: {
    zones: ['core'],
    // Only node:crypto (hashes, signatures) of Node's modules; I/O, frameworks and engines never.
    packages: ['*'],
    allowPackages: ['node:crypto'],
  },
  config: { zones: ['config', 'core'], packages: ['fastify', 'pino', ...ENGINES] },
  'store-contract': { zones: ['store-contract', 'core'], packages: ['fastify', ...ENGINES] },
  storage: { zones: ['storage', 'store-contract', 'core', 'config'], packages: ['fastify'] },
  services: { zones: ['services', 'store-contract', 'core', 'config'], packages: ['fastify', ...ENGINES] },
  http: { zones: ['http', 'services', 'core', 'config'], packages: ENGINES },
  // Commands get a built server from app.ts; wiring stores and services is app.ts's job.
  cli: { zones: ['cli', 'app', 'config', 'core'], packages: ['fastify', ...ENGINES] },
};

// A test beside the code (and core's auth-rule test support) may use the test helpers and node:test.
const TEST_FILE = /(\.test|\/test-support)\.[cm]?[jt]s$/;
const TEST_PACKAGES = ['node:test', 'node:assert', 'node:assert/strict'];

function zoneOf(relative) {
  const bare = relative.replace(/\.[cm]?[jt]s$/, '');
  let best;
  for (const [zone, entries] of ZONES) {
    for (const entry of entries) {
      const hit = entry.endsWith('/') ? bare.startsWith(entry) : bare === entry;
      if (hit && (!best || entry.length > best.length)) best = { zone, length: entry.length };
    }
  }
  return best?.zone;
}

const packageMatches = (specifier, name) => specifier === name || specifier.startsWith(`${name}/`);

function specifierOf(node) {
  const source = node.source ?? node.argument;
  if (source?.type === 'Literal' && typeof source.value === 'string') return { value: source.value, at: source };
  if (source?.type === 'TSLiteralType') return { value: source.literal.value, at: source };
  return undefined;
}

/** @type {import('eslint').Rule.RuleModule} */
const zonesRule = {
  meta: { type: 'problem', schema: [], docs: { description: 'imports follow the folder zones of docs/ARCHITECTURE.md' } },
  create(context) {
    const file = path.relative(root, context.filename).split(path.sep).join('/');
    if (!file.startsWith('src/')) return {};
    const zone = zoneOf(file);
    const rules = RULES[zone];
    if (!rules) {
      return { Program: (node) => context.report({ node, message: `${file} is in no lint zone: give its folder one in eslint/zones.js` }) };
    }
    const isTest = TEST_FILE.test(file);
    const zones = isTest ? [...rules.zones, 'test'] : rules.zones;
    const check = (node) => {
      const specifier = specifierOf(node);
      if (!specifier) return;
      const { value, at } = specifier;
      if (value.startsWith('.') || value.startsWith('/')) {
        const target = path.relative(root, path.resolve(path.dirname(context.filename), value)).split(path.sep).join('/');
        const targetZone = zoneOf(target) ?? 'nowhere';
        if (!zones.includes(targetZone)) {
          context.report({ node: at, message: `${zone}/ may not import ${target} (${targetZone}): allowed are ${zones.join(', ')}` });
        }
        return;
      }
      if (isTest && TEST_PACKAGES.includes(value)) return;
      const denied = rules.packages.includes('*')
        ? !(rules.allowPackages ?? []).some((name) => packageMatches(value, name))
        : rules.packages.some((name) => packageMatches(value, name));
      if (denied) context.report({ node: at, message: `${zone}/ may not import the package ${value}` });
    };
    return {
      ImportDeclaration: check,
      ExportAllDeclaration: check,
      ExportNamedDeclaration: check,
      ImportExpression: check,
      TSImportType: check,
    };
  },
};

export const zonesPlugin = { rules: { imports: zonesRule } };
