// The repository stands alone: a clone with nothing beside it must build and pass its tests, so no
// tracked file may reach outside it (a sibling folder, or an absolute path of one machine).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');
// Spelled in pieces so that this file does not name them itself.
const SIBLING = ['..', 'shared'].join('/');
const MACHINE = ['', 'work', 'shared'].join('/');
const CHECKOUT = ['', 'work', 'main'].join('/');
const OUTSIDE = [SIBLING, MACHINE, CHECKOUT].map((s) => new RegExp(`${s.replace(/\./g, '\\.')}\\b`));
// Data files copied verbatim (the pinned spec) and the lock file are not Hearth's own words.
const SKIP = [/^test\/fixtures\//, /^package-lock\.json$/];

export function filesReachingOutside(files: string[], read: (file: string) => string): string[] {
  return files.filter((file) => !SKIP.some((re) => re.test(file)) && OUTSIDE.some((re) => re.test(read(file))));
}

describe('a repository that stands alone', () => {
  it('no tracked file names a sibling folder or an absolute path of this machine', () => {
    const files = execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8' }).split('\0').filter(Boolean);
    assert.ok(files.length > 100, `git ls-files listed ${files.length} files`);
    const offenders = filesReachingOutside(files, (f) => {
      try { return readFileSync(path.join(root, f), 'utf8'); } catch { return ''; }
    });
    assert.deepEqual(offenders, []);
  });

  it('the check itself catches such a file', () => {
    const text: Record<string, string> = { 'a.ts': `read('${SIBLING}/matrix-spec')`, 'b.md': `see ${MACHINE}/LEAVING.md`, 'c.ts': 'fine', 'test/fixtures/x.yaml': SIBLING };
    assert.deepEqual(filesReachingOutside(Object.keys(text), (f) => text[f] ?? ''), ['a.ts', 'b.md']);
  });

  it('the spec schemas the tests validate against are inside the repository', () => {
    const files = execFileSync('git', ['ls-files', 'test/fixtures/matrix-spec'], { cwd: root, encoding: 'utf8' }).split('\n');
    for (const f of ['LICENSE', 'README.md', 'data/api/client-server/leaving.yaml', 'data/api/server-server/joins-v2.yaml']) {
      assert.ok(files.includes(`test/fixtures/matrix-spec/${f}`), `${f} is tracked`);
    }
  });
});
