// The lint config holds the layers of docs/ARCHITECTURE.md by folder zone, wherever a file sits:
// each case lints a snippet as if it lived at `file`, through the repository's own eslint.config.js.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { ESLint } from 'eslint';

const root = path.resolve(import.meta.dirname, '../..');

/** A snippet that imports `specifier` and uses it, so that nothing but the import can be wrong. */
const importing = (specifier: string) => `import { thing } from '${specifier}';\nexport const used = thing;\n`;

describe('lint zones', () => {
  let eslint: ESLint;
  before(() => {
    eslint = new ESLint({ cwd: root });
  });

  async function problems(file: string, code: string): Promise<string[]> {
    const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
    return result!.messages.map((m) => `${m.ruleId}: ${m.message}`);
  }

  async function rejects(file: string, code: string, ruleId: string, mentions: string): Promise<void> {
    const found = await problems(file, code);
    assert.equal(found.length, 1, `${file}: ${found.join('; ')}`);
    assert.ok(found[0]!.startsWith(`${ruleId}: `), found[0]);
    assert.ok(found[0]!.includes(mentions), `${found[0]} mentions ${mentions}`);
  }

  async function accepts(file: string, code: string): Promise<void> {
    assert.deepEqual(await problems(file, code), [], file);
  }

  it('a deep import into the Kysely store fails from a nested services folder and passes from storage', async () => {
    await rejects('src/services/federation/inbound/x.ts', importing('../../../storage/kysely-store/store.js'),
      'zones/imports', 'src/storage/kysely-store/store');
    await accepts('src/storage/x.ts', importing('./kysely-store/store.js'));
    await accepts('src/storage/deep/er/x.ts', importing('../../kysely-store/store.js'));
  });

  it('services reach the Store interface but neither the engines nor their drivers', async () => {
    await accepts('src/services/federation/inbound/x.ts', importing('../../../storage/store.js'));
    await accepts('src/services/federation/inbound/x.ts', importing('../../../core/ids.js'));
    await rejects('src/services/federation/inbound/x.ts', importing('../../../storage/sqlite.js'), 'zones/imports', 'src/storage/sqlite');
    await rejects('src/services/rooms/x.ts', importing('../../storage/migrations/list.js'), 'zones/imports', 'migrations');
    await rejects('src/services/x.ts', importing('pg'), 'zones/imports', 'package pg');
    await rejects('src/services/x.ts', importing('kysely/helpers/postgres'), 'zones/imports', 'kysely');
    await rejects('src/services/x.ts', importing('../http/server.js'), 'zones/imports', 'src/http/server');
  });

  it('http reaches services and core but not storage', async () => {
    await accepts('src/http/federation/x.ts', importing('../../services/services.js'));
    await rejects('src/http/federation/x.ts', importing('../../storage/kysely-store/store.js'), 'zones/imports', 'kysely-store');
    await rejects('src/http/client/x.ts', importing('../../storage/store.js'), 'zones/imports', 'src/storage/store');
  });

  it('config imports only config and core; cli goes through app.ts', async () => {
    await accepts('src/config/x.ts', importing('../core/ids.js'));
    await rejects('src/config/x.ts', importing('../services/services.js'), 'zones/imports', 'src/services/services');
    await rejects('src/config/x.ts', importing('../storage/store.js'), 'zones/imports', 'src/storage/store');
    await accepts('src/cli/x.ts', importing('../app.js'));
    await accepts('src/cli/x.ts', importing('../config/load.js'));
    await rejects('src/cli/x.ts', importing('../storage/open.js'), 'zones/imports', 'src/storage/open');
    await rejects('src/cli/x.ts', importing('../services/services.js'), 'zones/imports', 'src/services/services');
  });

  it('core imports nothing outside core and no I/O module', async () => {
    await accepts('src/core/new/x.ts', importing('../ids.js'));
    await rejects('src/core/new/x.ts', importing('node:fs'), 'zones/imports', 'package node:fs');
    await rejects('src/core/x.ts', importing('fastify'), 'zones/imports', 'package fastify');
    await rejects('src/core/new/x.ts', importing('../../services/services.js'), 'zones/imports', 'src/services/services');
    await rejects('src/core/x.ts', importing('../../test/helpers/spec-schema.js'), 'zones/imports', 'test/helpers');
    // A test beside core's code may use the test helpers.
    await accepts('src/core/x.test.ts', importing('../../test/helpers/spec-schema.js'));
  });

  it('core reads no clock and no randomness of its own', async () => {
    const file = 'src/core/new/x.ts';
    await rejects(file, 'export const t = Date.now();\n', 'no-restricted-properties', 'no clock');
    await rejects(file, 'export const t = new Date();\n', 'no-restricted-syntax', 'no clock');
    await rejects(file, 'export const t = performance.now();\n', 'no-restricted-properties', 'no clock');
    await rejects(file, 'export const r = Math.random();\n', 'no-restricted-properties', 'no randomness');
    await rejects(file, 'export const r = crypto.randomUUID();\n', 'no-restricted-properties', 'no randomness');
    await rejects(file, importing('node:crypto').replace('thing', 'randomBytes').replace('= thing', '= randomBytes'),
      'no-restricted-imports', 'no randomness');
    await accepts(file, 'export const t = new Date(0).toISOString();\n');
    await accepts(file, "import { createHash } from 'node:crypto';\nexport const h = createHash('sha256');\n");
    // Outside core, services read time through the injected Clock by convention only; app.ts has the wall clock.
    await accepts('src/app.ts', 'export const t = Date.now();\n');
  });

  it('a file in a folder that has no zone yet is an error', async () => {
    await rejects('src/net/x.ts', 'export const x = 1;\n', 'zones/imports', 'no lint zone');
  });
});
