// Lint: typescript-eslint's recommended rules, plus the dependency direction of docs/ARCHITECTURE.md
// (eslint/zones.js) and a core/ that reads no clock and no randomness.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

import { zonesPlugin } from './eslint/zones.js';

const ERRCODE_LITERAL = { selector: "Literal[value=/^M_[A-Z_]+$/]", message: 'Matrix errcodes are spelled only in src/core/errors.ts' };
const PROCESS_ENV = { object: 'process', property: 'env', message: 'Only src/config/ reads process.env' };
const NOT_IN_CORE = 'core/ reads no clock and no randomness of its own: take a Clock or a random source as a parameter';
// `new Date()` and `Date()` read the clock; `new Date(ts)` does not.
const CLOCK_SYNTAX = [
  { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: NOT_IN_CORE },
  { selector: "CallExpression[callee.name='Date']", message: NOT_IN_CORE },
];
const RANDOM_EXPORTS = ['randomBytes', 'randomUUID', 'getRandomValues', 'randomInt', 'randomFill', 'randomFillSync', 'webcrypto'];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'data/**', 'bench/results/**', 'bench/tmp/**', '.test-artifacts/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': ['error', ERRCODE_LITERAL],
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
  { files: ['src/**'], plugins: { zones: zonesPlugin }, rules: { 'zones/imports': 'error' } },
  {
    files: ['src/**'],
    ignores: ['src/config/**'],
    rules: {
      'no-restricted-properties': ['error', PROCESS_ENV],
    },
  },
  // core/ is deterministic: time and randomness come in through what is injected (a Clock, a random source).
  {
    files: ['src/core/**'],
    ignores: ['src/core/**/*.test.ts'],
    rules: {
      'no-restricted-syntax': ['error', ERRCODE_LITERAL, ...CLOCK_SYNTAX],
      'no-restricted-properties': ['error', PROCESS_ENV,
        ...[['Date', 'now'], ['performance', 'now'], ['Math', 'random'], ['crypto', 'randomUUID'], ['crypto', 'getRandomValues'],
          ['crypto', 'randomBytes']].map(([object, property]) => ({ object, property, message: NOT_IN_CORE })),
      ],
      'no-restricted-imports': ['error', {
        paths: ['node:crypto', 'crypto'].map((name) => ({ name, importNames: RANDOM_EXPORTS, message: NOT_IN_CORE })),
      }],
    },
  },
  { files: ['src/core/errors.ts'], rules: { 'no-restricted-syntax': ['error', ...CLOCK_SYNTAX] } },
);
