// A node:test reporter for scripts/test.mjs: writes one JSON line per skipped test or suite (its
// file, name and reason), so that the run can end by listing every skip; the spec reporter's
// "skipped N" counts skipped tests only, not skipped suites, and scrolls away. The lines are
// appended synchronously to HEARTH_SKIP_FILE, not yielded to the reporter's destination stream:
// `--test-force-exit` may end the process before that stream is flushed (a loaded machine lost
// lines that way).
import { appendFileSync } from 'node:fs';
import path from 'node:path';

export default async function* skipReporter(source) {
  for await (const event of source) {
    if (event.type !== 'test:pass' || !event.data.skip) continue;
    const { file, name, skip, details } = event.data;
    appendFileSync(process.env.HEARTH_SKIP_FILE, `${JSON.stringify({
      file: file ? path.relative(process.cwd(), file) : '',
      name,
      suite: details?.type === 'suite',
      reason: typeof skip === 'string' ? skip : 'no reason given',
    })}\n`);
  }
  yield '';
}
