// Lint: typescript-eslint's recommended rules, plus the dependency direction of ARCHITECTURE.md.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const layer = (files, patterns) => ({
  files,
  rules: { 'no-restricted-imports': ['error', { patterns }] },
});

const outside = (msg, ...groups) => ({ group: groups, message: msg });

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'data/**', 'bench/results/**', 'bench/tmp/**', '.test-artifacts/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        { selector: "Literal[value=/^M_[A-Z_]+$/]", message: 'Matrix errcodes are spelled only in src/core/errors.ts' },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly', Buffer: 'readonly' },
    },
  },
  { files: ['src/core/errors.ts', 'test/**', 'bench/**', 'scripts/**'], rules: { 'no-restricted-syntax': 'off' } },
  // Benchmark scripts read loosely shaped JSON from the server and from earlier runs.
  { files: ['bench/**'], rules: { '@typescript-eslint/no-explicit-any': 'off' } },
  layer(['src/core/**'], [
    outside('core/ is pure: it imports nothing outside core/ and no I/O or framework modules',
      '../storage/*', '../../storage/*', '../services/*', '../../services/*', '../http/*', '../../http/*',
      '../config/*', '../../config/*', '../cli/*', '../app*', '../../app*', 'fastify', 'kysely', 'better-sqlite3', 'pg',
      'node:fs', 'node:fs/*', 'node:net', 'node:http', 'fs', 'net', 'http', 'pino'),
  ]),
  layer(['src/storage/**'], [
    outside('storage/ imports only core/ types', '../services/*', '../../services/*', '../http/*', '../../http/*',
      '../cli/*', '../../cli/*', 'fastify'),
  ]),
  layer(['src/services/**'], [
    outside('services import core/ and the Store interface only, never http/, kysely or the store implementation',
      '../http/*', '../../http/*', '../storage/kysely-store/*', '../../storage/kysely-store/*',
      '../storage/sqlite*', '../../storage/sqlite*', '../storage/postgres*', '../../storage/postgres*',
      'kysely', 'better-sqlite3', 'pg', 'fastify'),
  ]),
  layer(['src/http/**'], [
    outside('http/ imports services and core/ only, never storage or SQL drivers',
      '../storage/*', '../../storage/*', '../../../storage/*', 'kysely', 'better-sqlite3', 'pg'),
  ]),
  {
    files: ['src/**'],
    ignores: ['src/config/**'],
    rules: {
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'Only src/config/ reads process.env' }],
    },
  },
);
