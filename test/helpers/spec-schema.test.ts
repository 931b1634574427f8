import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import {
  assertSpecResponse,
  compileAllResponseSchemas,
  specOperations,
  SPEC_DIR,
  validateAgainstSpec,
} from './spec-schema.js';
import { V3 } from './rest.js';

/**
 * Inline the `$ref`s inside spec *examples* (matrix-spec's convention: the
 * referenced document, with the sibling keys of the `$ref` merged over it).
 */
function inlineExample(value: unknown, file: string): unknown {
  if (Array.isArray(value)) return value.map((v) => inlineExample(v, file));
  if (typeof value !== 'object' || value === null) return value;
  const obj = value as Record<string, unknown>;
  let out: Record<string, unknown> = {};
  const ref = obj['$ref'];
  if (typeof ref === 'string') {
    const [target = '', pointer = ''] = ref.split('#');
    const targetFile = target === '' ? file : path.resolve(path.dirname(file), target);
    let node = parseYaml(readFileSync(targetFile, 'utf8')) as unknown;
    for (const token of pointer.split('/').slice(1)) node = (node as Record<string, unknown>)[token];
    out = inlineExample(node, targetFile) as Record<string, unknown>;
  }
  for (const [k, v] of Object.entries(obj)) if (k !== '$ref') out[k] = inlineExample(v, file);
  return out;
}

describe('spec-schema', () => {
  it('accepts a valid /versions body and rejects versions as a number', () => {
    assert.deepEqual(
      validateAgainstSpec({
        method: 'GET',
        url: '/_matrix/client/versions',
        status: 200,
        body: { versions: ['v1.11', 'v1.19'], unstable_features: { 'org.example.feature': true } },
      }),
      { ok: true },
    );
    const bad = validateAgainstSpec({ method: 'GET', url: '/_matrix/client/versions', status: 200, body: { versions: 3 } });
    assert.equal(bad.ok, false);
    assert.ok(!bad.ok && bad.operation.includes('getVersions'), JSON.stringify(bad));
    assert.ok(!bad.ok && /versions/.test(bad.errors) && /array/.test(bad.errors), JSON.stringify(bad));
  });

  it('checks whoami bodies, including the required user_id', () => {
    const url = `${V3}/account/whoami`;
    assert.deepEqual(
      validateAgainstSpec({ method: 'GET', url, status: 200, body: { user_id: '@alice:hs', device_id: 'ABC' } }),
      { ok: true },
    );
    const missing = validateAgainstSpec({ method: 'GET', url, status: 200, body: { device_id: 'ABC' } });
    assert.equal(missing.ok, false);
    assert.ok(!missing.ok && /user_id/.test(missing.errors), JSON.stringify(missing));
  });

  it('accepts a standard error body for a documented 401', () => {
    assert.deepEqual(
      validateAgainstSpec({
        method: 'GET',
        url: `${V3}/account/whoami?foo=bar`,
        status: 401,
        body: { errcode: 'M_UNKNOWN_TOKEN', error: 'Unrecognised access token.' },
      }),
      { ok: true },
    );
    const bad = validateAgainstSpec({ method: 'GET', url: `${V3}/account/whoami`, status: 401, body: { error: 'x' } });
    assert.equal(bad.ok, false);
  });

  it('reports undocumented statuses and unknown paths', () => {
    const r = validateAgainstSpec({ method: 'GET', url: `${V3}/account/whoami`, status: 418, body: {} });
    assert.ok(!r.ok && /undocumented/.test(r.errors) && /418/.test(r.errors), JSON.stringify(r));
    const u = validateAgainstSpec({ method: 'GET', url: `${V3}/no/such/endpoint`, status: 200, body: {} });
    assert.ok(!u.ok && /no operation/.test(u.errors), JSON.stringify(u));
    const m = validateAgainstSpec({ method: 'DELETE', url: `${V3}/account/whoami`, status: 200, body: {} });
    assert.equal(m.ok, false);
  });

  it('accepts a 429 on login with retry_after_ms', () => {
    assert.deepEqual(
      validateAgainstSpec({
        method: 'POST',
        url: `${V3}/login`,
        status: 429,
        body: { errcode: 'M_LIMIT_EXCEEDED', error: 'Too many requests', retry_after_ms: 2000 },
      }),
      { ok: true },
    );
    const bad = validateAgainstSpec({
      method: 'POST',
      url: `${V3}/login`,
      status: 429,
      body: { errcode: 'M_LIMIT_EXCEEDED', retry_after_ms: 'soon' },
    });
    assert.equal(bad.ok, false);
  });

  it('matches r0 URLs as v3', () => {
    assert.deepEqual(
      validateAgainstSpec({ method: 'get', url: '/_matrix/client/r0/account/whoami', status: 200, body: { user_id: '@a:b' } }),
      { ok: true },
    );
    const bad = validateAgainstSpec({ method: 'GET', url: '/_matrix/client/r0/account/whoami', status: 200, body: {} });
    assert.ok(!bad.ok && bad.operation.includes(`${V3}/account/whoami`), JSON.stringify(bad));
  });

  it('accepts {} for leaving a room', () => {
    assert.deepEqual(validateAgainstSpec({ method: 'POST', url: `${V3}/rooms/!a:b/leave`, status: 200, body: {} }), {
      ok: true,
    });
    assert.equal(validateAgainstSpec({ method: 'POST', url: `${V3}/rooms/!a:b/leave`, status: 200, body: [] }).ok, false);
  });

  it('accepts a minimal /sync body (only next_batch is required)', () => {
    assert.deepEqual(
      validateAgainstSpec({ method: 'GET', url: `${V3}/sync?timeout=0`, status: 200, body: { next_batch: 's1' } }),
      { ok: true },
    );
    assert.equal(validateAgainstSpec({ method: 'GET', url: `${V3}/sync`, status: 200, body: {} }).ok, false);
  });

  it('validates nested $refs in /sync (event schemas in another directory)', () => {
    const good = {
      next_batch: 's2',
      rooms: {
        join: {
          '!r:hs': {
            timeline: {
              events: [
                {
                  type: 'm.room.message',
                  content: { msgtype: 'm.text', body: 'hi' },
                  event_id: '$e',
                  sender: '@a:hs',
                  origin_server_ts: 1,
                },
              ],
              limited: false,
            },
          },
        },
      },
    };
    assert.deepEqual(validateAgainstSpec({ method: 'GET', url: `${V3}/sync`, status: 200, body: good }), { ok: true });
    const bad = structuredClone(good);
    const event = bad.rooms.join['!r:hs'].timeline.events[0] as Record<string, unknown>;
    delete event['sender'];
    const r = validateAgainstSpec({ method: 'GET', url: `${V3}/sync`, status: 200, body: bad });
    assert.ok(!r.ok && /sender/.test(r.errors), JSON.stringify(r));
  });

  it('matches the state template with an empty trailing state key', () => {
    const body = { name: 'My room' };
    for (const url of [
      `${V3}/rooms/!r:hs/state/m.room.name/`,
      `${V3}/rooms/!r:hs/state/m.room.name`,
      `${V3}/rooms/!r:hs/state/m.room.name/%40alice%3Ahs`,
    ]) {
      assert.deepEqual(validateAgainstSpec({ method: 'GET', url, status: 200, body }), { ok: true }, url);
    }
    const put = validateAgainstSpec({ method: 'PUT', url: `${V3}/rooms/!r:hs/state/m.room.name/`, status: 200, body: {} });
    assert.ok(!put.ok && /event_id/.test(put.errors), JSON.stringify(put));
    // The state listing itself is not mistaken for a state event lookup.
    assert.deepEqual(validateAgainstSpec({ method: 'GET', url: `${V3}/rooms/!r:hs/state`, status: 200, body: [] }), {
      ok: true,
    });
  });

  it('prefers literal segments over params', () => {
    // /rooms/{roomId}/messages must not be confused with other templates, and
    // /user/{userId}/filter (POST) with /user/{userId}/filter/{filterId}.
    assert.deepEqual(
      validateAgainstSpec({ method: 'POST', url: `${V3}/user/@a:hs/filter`, status: 200, body: { filter_id: '1' } }),
      { ok: true },
    );
    assert.deepEqual(
      validateAgainstSpec({ method: 'GET', url: `${V3}/user/@a:hs/filter/1`, status: 200, body: {} }),
      { ok: true },
    );
  });

  it('handles unprefixed and v1 base paths', () => {
    assert.deepEqual(
      validateAgainstSpec({
        method: 'GET',
        url: '/.well-known/matrix/client',
        status: 200,
        body: { 'm.homeserver': { base_url: 'https://hs.example' } },
      }),
      { ok: true },
    );
    assert.equal(
      validateAgainstSpec({ method: 'GET', url: '/.well-known/matrix/client', status: 200, body: {} }).ok,
      false,
    );
    assert.deepEqual(
      validateAgainstSpec({
        method: 'GET',
        url: '/_matrix/client/v1/rooms/!r:hs/relations/$e',
        status: 200,
        body: { chunk: [] },
      }),
      { ok: true },
    );
  });

  it('assertSpecResponse parses inject-style responses and throws AssertionError', () => {
    assertSpecResponse({ statusCode: 200, body: '{"user_id":"@a:hs"}' }, 'GET', `${V3}/account/whoami`);
    assertSpecResponse({ statusCode: 200, json: () => ({ user_id: '@a:hs' }) }, 'GET', `${V3}/account/whoami`);
    assert.throws(
      () => assertSpecResponse({ statusCode: 200, body: '{"device_id":"D"}' }, 'GET', `${V3}/account/whoami`),
      (err: unknown) =>
        err instanceof assert.AssertionError && /getTokenOwner/.test(err.message) && /user_id/.test(err.message),
    );
    assert.throws(
      () => assertSpecResponse({ statusCode: 200, body: 'not json' }, 'GET', `${V3}/account/whoami`),
      assert.AssertionError,
    );
  });

  it('lists every operation with a full path template', () => {
    const ops = specOperations();
    assert.ok(ops.length > 150, `only ${ops.length} operations`);
    const has = (method: string, template: string): boolean =>
      ops.some((o) => o.method === method && o.template === template);
    assert.ok(has('GET', '/_matrix/client/versions'));
    assert.ok(has('GET', '/.well-known/matrix/client'));
    assert.ok(has('GET', `${V3}/sync`));
    assert.ok(has('GET', '/_matrix/client/v1/media/config'));
    assert.ok(has('POST', '/_matrix/media/v3/upload'));
    assert.ok(has('PUT', `${V3}/rooms/{roomId}/state/{eventType}/{stateKey}`));
    for (const o of ops) {
      assert.match(o.template, /^\/(_matrix|\.well-known)\/\S*$/, JSON.stringify(o));
      assert.match(o.file, /^api\/client-server\/[^/]+\.yaml$/);
    }
  });

  it('compiles every response schema of every operation', () => {
    const all = compileAllResponseSchemas();
    assert.ok(all.length > 400, `only ${all.length} responses`);
    assert.ok(all.filter((r) => r.hasSchema).length > 350);
  });

  it("validates every JSON response example in the spec against its operation's schema", () => {
    let checked = 0;
    const failures: string[] = [];
    const done = new Set<string>();
    for (const op of specOperations()) {
      const file = path.join(SPEC_DIR, op.file);
      const doc = parseYaml(readFileSync(file, 'utf8')) as { paths: Record<string, Record<string, unknown>> };
      for (const [rawPath, item] of Object.entries(doc.paths)) {
        if (!op.template.endsWith(rawPath.trim())) continue;
        const key = `${op.file} ${op.method} ${rawPath}`;
        const operation = item[op.method.toLowerCase()] as { responses?: Record<string, unknown> } | undefined;
        if (!operation?.responses || done.has(key)) continue;
        done.add(key);
        for (const [status, rawResponse] of Object.entries(operation.responses)) {
          const response = inlineExample(rawResponse, file) as {
            content?: Record<string, { examples?: Record<string, { value?: unknown }> }>;
          };
          const examples = response.content?.['application/json']?.examples ?? {};
          for (const [name, example] of Object.entries(examples)) {
            const url = op.template.replace(/\{[^}]+\}/g, 'x');
            const r = validateAgainstSpec({ method: op.method, url, status: Number(status), body: example.value });
            checked++;
            if (!r.ok) failures.push(`${op.method} ${op.template} ${status} example ${name}:\n${r.errors}`);
          }
        }
      }
    }
    assert.ok(checked > 200, `only ${checked} examples`);
    assert.deepEqual(failures, []);
  });
});
