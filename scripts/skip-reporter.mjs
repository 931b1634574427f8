// A node:test reporter for scripts/test.mjs: writes one JSON line per skipped test or suite (its
// file, name and reason), so that the run can end by listing every skip; the spec reporter's
// "skipped N" counts skipped tests only, not skipped suites, and scrolls away.
import path from 'node:path';

export default async function* skipReporter(source) {
  for await (const event of source) {
    if (event.type !== 'test:pass' || !event.data.skip) continue;
    const { file, name, skip, details } = event.data;
    yield `${JSON.stringify({
      file: file ? path.relative(process.cwd(), file) : '',
      name,
      suite: details?.type === 'suite',
      reason: typeof skip === 'string' ? skip : 'no reason given',
    })}\n`;
  }
}
