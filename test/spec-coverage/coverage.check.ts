/**
 * Spec coverage: every client-server endpoint Hearth serves has at least one response in the API
 * suite (test/api) that was validated against its OpenAPI schema with a 2xx status. Endpoints
 * without one are listed, each with a reason, in uncovered.json next to this file; the list may
 * only shrink.
 *
 * How the data gets here: `npm test` (scripts/test.mjs, full runs only) sets
 * HEARTH_SPEC_COVERAGE_DIR to a fresh directory; every response that validates in
 * assertSpecResponse or assertMatrixError (test/helpers/spec-schema.ts) is appended to
 * `<dir>/<pid>.jsonl` by the test process; once the suite has passed, this file runs on its own
 * (it is not a *.test.ts file, so the normal discovery does not pick it up):
 *
 *   node --import tsx --test test/spec-coverage/coverage.check.ts
 *
 * Only a 2xx response covers an endpoint: a validated error body shows the error shape, not the
 * endpoint's own. HEARTH_SPEC_COVERAGE_REPORT=<file> also writes a Markdown table of every
 * served endpoint (method, path template, spec file, covered or why not).
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import type { SpecCoverageRecord } from '../helpers/spec-schema.js';
import { servedEndpoints, type ServedEndpoints } from './served-endpoints.js';

const DIR = process.env['HEARTH_SPEC_COVERAGE_DIR'];
const REPORT = process.env['HEARTH_SPEC_COVERAGE_REPORT'];
const LIST_FILE = path.join(import.meta.dirname, 'uncovered.json');
/** Only the API suite counts. */
const SUITE = 'test/api/';

interface UncoveredEntry {
  endpoint: string;
  reason: string;
}

function readRecords(dir: string): SpecCoverageRecord[] {
  const out: SpecCoverageRecord[] = [];
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.jsonl')).sort()) {
    for (const line of readFileSync(path.join(dir, name), 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      try {
        out.push(JSON.parse(line) as SpecCoverageRecord);
      } catch {
        // A process killed mid-write leaves a partial last line: nothing it recorded before is lost.
      }
    }
  }
  return out;
}

function readList(): UncoveredEntry[] {
  const raw = JSON.parse(readFileSync(LIST_FILE, 'utf8')) as unknown;
  assert.ok(Array.isArray(raw), `${LIST_FILE}: expected an array of { "endpoint", "reason" }`);
  for (const e of raw as unknown[]) {
    const entry = e as Partial<UncoveredEntry>;
    assert.ok(
      typeof entry.endpoint === 'string' && /^[A-Z]+ \//.test(entry.endpoint) && typeof entry.reason === 'string' && entry.reason.trim() !== '',
      `${LIST_FILE}: every entry needs "endpoint" ("METHOD /path/template") and a non-empty "reason": ${JSON.stringify(e)}`,
    );
  }
  return raw as UncoveredEntry[];
}

describe('spec coverage of the endpoints Hearth serves', { skip: DIR ? false : 'HEARTH_SPEC_COVERAGE_DIR is not set: run the whole suite with `npm test`, which records validated responses and then runs this check' }, () => {
  let served: ServedEndpoints;
  let records: SpecCoverageRecord[];
  let covered: Set<string>;
  let errorsOnly: Map<string, number[]>;
  let list: UncoveredEntry[];

  before(async () => {
    served = await servedEndpoints();
    records = readRecords(DIR ?? '').filter((r) => r.file.startsWith(SUITE));
    // `schema: false` is recorded only when the spec documents the status with no JSON schema (a
    // media download's bytes): its status is all there is to validate, and it was.
    covered = new Set(records.filter((r) => r.status >= 200 && r.status < 300).map((r) => r.operation));
    errorsOnly = new Map();
    for (const r of records) {
      if (covered.has(r.operation) || r.status < 400) continue;
      errorsOnly.set(r.operation, [...new Set([...(errorsOnly.get(r.operation) ?? []), r.status])].sort((a, b) => a - b));
    }
    list = readList();
  });

  it('recorded validated responses from the API suite', () => {
    assert.ok(
      records.length > 0,
      `no validated responses from ${SUITE} were recorded in ${DIR}: was the suite run with HEARTH_SPEC_COVERAGE_DIR set?`,
    );
    assert.ok(served.inSpec.length > 50, `served endpoints found: ${served.inSpec.length}`);
  });

  it('every served endpoint has a validated 2xx response, or is listed in uncovered.json', () => {
    const listed = new Set(list.map((e) => e.endpoint));
    const missing = served.inSpec.filter((e) => !covered.has(e.operation) && !listed.has(e.operation));
    assert.deepEqual(
      missing.map((e) => e.operation),
      [],
      missing
        .map((e) => {
          const errs = errorsOnly.get(e.operation);
          return `${e.operation} (${e.file}) has no 2xx response validated against the spec in ${SUITE}` +
            `${errs ? ` (only error responses: ${errs.join(', ')})` : ''}: add assertSpecResponse(res, method, url) on a successful response ` +
            'in a test that calls it (or, only if that cannot be done, list it in test/spec-coverage/uncovered.json with the reason)';
        })
        .join('\n'),
    );
  });

  it('uncovered.json lists only served endpoints that are still uncovered, each once', () => {
    const servedOps = new Set(served.inSpec.map((e) => e.operation));
    const seen = new Set<string>();
    const problems: string[] = [];
    for (const { endpoint } of list) {
      if (seen.has(endpoint)) problems.push(`${endpoint} is listed twice`);
      seen.add(endpoint);
      if (!servedOps.has(endpoint)) problems.push(`${endpoint} is listed but Hearth does not serve it (or the spec has no such operation): remove it`);
      else if (covered.has(endpoint)) problems.push(`${endpoint} now has a validated 2xx response: remove it from uncovered.json`);
    }
    assert.deepEqual(problems, [], problems.join('\n'));
  });

  it('summary', () => {
    const listed = new Set(list.map((e) => e.endpoint));
    const coveredServed = served.inSpec.filter((e) => covered.has(e.operation));
    const validatedNotServed = [...new Set(records.map((r) => r.operation))].filter((op) => !served.inSpec.some((e) => e.operation === op));
    console.log(
      `spec coverage: ${served.inSpec.length} client-server endpoints served, ${coveredServed.length} covered by a validated 2xx response, ` +
        `${served.inSpec.filter((e) => listed.has(e.operation)).length} listed as uncovered in test/spec-coverage/uncovered.json; ` +
        `${served.notInSpec.length} served routes are not in the client-server spec (${[...new Set(served.notInSpec.map((r) => `${r.method} ${r.url}`))].join(', ')})`,
    );
    if (validatedNotServed.length > 0) console.log(`validated responses of operations Hearth does not serve (404/405 answers): ${validatedNotServed.join(', ')}`);
    if (REPORT) {
      const reasons = new Map(list.map((e) => [e.endpoint, e.reason]));
      const rows = served.inSpec.map((e) => {
        const statuses = [...new Set(records.filter((r) => r.operation === e.operation && r.schema).map((r) => r.status))].sort((a, b) => a - b);
        const state = covered.has(e.operation) ? `covered (${statuses.join(', ')})` : `uncovered: ${reasons.get(e.operation) ?? 'not listed'}`;
        return `| ${e.method} | \`${e.template}\` | ${e.file} | ${state} |`;
      });
      const others = [...new Map(served.notInSpec.map((r) => [`${r.method} ${r.url}`, r])).values()].map(
        (r) => `| ${r.method} | \`${r.url}\` | not in the client-server spec | not required |`,
      );
      writeFileSync(
        REPORT,
        `| method | path | spec file | validated |\n| --- | --- | --- | --- |\n${[...rows, ...others].join('\n')}\n`,
      );
      console.log(`endpoint table written to ${REPORT}`);
    }
  });
});
