// The pieces of the spec coverage check (coverage.check.ts): mapping served routes onto spec
// operations, reading the app's routes, recording validated responses, and assertSpecSchema.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { V3 } from '../helpers/rest.js';
import { assertMatrixError, assertSpecResponse, assertSpecSchema, specOperationForRoute, validateAgainstSpec } from '../helpers/spec-schema.js';
import { routesOfTree } from './served-endpoints.js';

describe('spec coverage helpers', () => {
  it('specOperationForRoute maps Fastify patterns (r0 and v3) onto spec operations', () => {
    const op = (method: string, url: string) => {
      const found = specOperationForRoute(method, url);
      return found && `${found.method} ${found.template} ${found.file}`;
    };
    assert.equal(op('POST', '/_matrix/client/r0/rooms/:roomId/leave'), `POST ${V3}/rooms/{roomId}/leave api/client-server/leaving.yaml`);
    assert.equal(op('POST', `${V3}/rooms/:roomId/leave`), `POST ${V3}/rooms/{roomId}/leave api/client-server/leaving.yaml`);
    // The empty state key: a trailing slash, and no slash at all.
    for (const url of [`${V3}/rooms/:roomId/state/:eventType/`, `${V3}/rooms/:roomId/state/:eventType`, `${V3}/rooms/:roomId/state/:eventType/:stateKey`]) {
      assert.equal(op('PUT', url), `PUT ${V3}/rooms/{roomId}/state/{eventType}/{stateKey} api/client-server/room_state.yaml`, url);
    }
    // A literal segment may fill a spec param; literals win over params.
    assert.equal(op('GET', `${V3}/profile/:userId/displayname`), `GET ${V3}/profile/{userId}/{keyName} api/client-server/profile.yaml`);
    assert.equal(op('GET', `${V3}/rooms/:roomId/joined_members`), `GET ${V3}/rooms/{roomId}/joined_members api/client-server/rooms.yaml`);
    assert.equal(op('GET', `${V3}/pushrules/global/`), `GET ${V3}/pushrules/global/ api/client-server/pushrules.yaml`);
    assert.equal(op('GET', '/.well-known/matrix/client'), 'GET /.well-known/matrix/client api/client-server/wellknown.yaml');
    // A param of the route never matches a literal of the spec.
    assert.equal(op('GET', `${V3}/:anything`), undefined);
    for (const url of ['/_matrix/key/v2/server', '/_synapse/admin/v1/rooms/:roomId', '/_hearth/metrics']) assert.equal(op('GET', url), undefined, url);
    assert.equal(op('DELETE', `${V3}/sync`), undefined);
  });

  it("routesOfTree reads Fastify's printRoutes tree", () => {
    const tree = [
      '└── /',
      '    ├── _matrix/client/v3/rooms/:roomId/join (POST)',
      '    │   └── ed_members (GET, HEAD)',
      '    ├── _matrix/client/v3/pushrules/ (GET, HEAD)',
      '    │   └── global/ (GET, HEAD)',
      '    │       └── :kind/:ruleId (GET, PUT, DELETE)',
      '    └── .well-known/matrix/client (GET, HEAD)',
    ].join('\n');
    assert.deepEqual(
      routesOfTree(tree).map((r) => `${r.method} ${r.url}`),
      [
        'POST /_matrix/client/v3/rooms/:roomId/join',
        'GET /_matrix/client/v3/rooms/:roomId/joined_members',
        'HEAD /_matrix/client/v3/rooms/:roomId/joined_members',
        'GET /_matrix/client/v3/pushrules/',
        'HEAD /_matrix/client/v3/pushrules/',
        'GET /_matrix/client/v3/pushrules/global/',
        'HEAD /_matrix/client/v3/pushrules/global/',
        'GET /_matrix/client/v3/pushrules/global/:kind/:ruleId',
        'PUT /_matrix/client/v3/pushrules/global/:kind/:ruleId',
        'DELETE /_matrix/client/v3/pushrules/global/:kind/:ruleId',
        'GET /.well-known/matrix/client',
        'HEAD /.well-known/matrix/client',
      ],
    );
  });

  it('with HEARTH_SPEC_COVERAGE_DIR set, validated responses are recorded once per operation and status; failures are not', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'hearth-spec-coverage-test-'));
    const saved = process.env['HEARTH_SPEC_COVERAGE_DIR'];
    process.env['HEARTH_SPEC_COVERAGE_DIR'] = dir;
    try {
      // Unlikely operations, so that this process has not recorded them before.
      const url = '/_matrix/client/r0/rooms/!r:hs/report/$e';
      assertSpecResponse({ statusCode: 200, body: '{}' }, 'POST', url);
      assertSpecResponse({ statusCode: 200, body: '{}' }, 'POST', url);
      assert.throws(() => assertSpecResponse({ statusCode: 200, body: '[]' }, 'POST', url));
      const error = { statusCode: 404, headers: { 'content-type': 'application/json' }, body: '{"errcode":"M_NOT_FOUND","error":"no"}', json: () => ({ errcode: 'M_NOT_FOUND', error: 'no' }) };
      assertMatrixError(error, 404, 'M_NOT_FOUND', 'POST', url);
      const lines = readdirSync(dir).flatMap((f) => readFileSync(path.join(dir, f), 'utf8').trim().split('\n'));
      assert.deepEqual(readdirSync(dir), [`${process.pid}.jsonl`]);
      const records = lines.map((l) => JSON.parse(l) as { operation: string; status: number; schema: boolean; file: string });
      const op = `POST ${V3}/rooms/{roomId}/report/{eventId}`;
      assert.deepEqual(records.map(({ operation, status, schema }) => ({ operation, status, schema })), [
        { operation: op, status: 200, schema: true },
        { operation: op, status: 404, schema: true },
      ]);
      assert.equal(records[0]!.file, 'test/spec-coverage/spec-coverage.test.ts');
    } finally {
      if (saved === undefined) delete process.env['HEARTH_SPEC_COVERAGE_DIR'];
      else process.env['HEARTH_SPEC_COVERAGE_DIR'] = saved;
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('GET /state/{eventType}/{stateKey} accepts a whole event (the spec\'s overlapping oneOf is checked as anyOf)', () => {
    const event = { type: 'm.room.topic', state_key: '', content: { topic: 't' }, event_id: '$e', sender: '@a:hs', origin_server_ts: 1, room_id: '!r:hs', unsigned: {} };
    const url = `${V3}/rooms/!r:hs/state/m.room.topic/?format=event`;
    assert.deepEqual(validateAgainstSpec({ method: 'GET', url, status: 200, body: event }), { ok: true });
    assert.deepEqual(validateAgainstSpec({ method: 'GET', url, status: 200, body: { topic: 't' } }), { ok: true });
    // The disjoint oneOfs still reject what matches no alternative: a one-time key is a string or a key object.
    const otks = 'api/client-server/definitions/one_time_keys.yaml';
    assertSpecSchema({ 'curve25519:A': 'key', 'signed_curve25519:B': { key: 'key', signatures: { '@a:hs': { 'ed25519:D': 's' } } } }, otks);
    assert.throws(() => assertSpecSchema({ 'curve25519:A': 5 }, otks), /anyOf/);
  });

  it('assertSpecSchema checks a value against a schema file of the spec', () => {
    const event = { type: 'm.room.topic', state_key: '', content: { topic: 't' }, event_id: '$e', sender: '@a:hs', origin_server_ts: 1, room_id: '!r:hs' };
    assertSpecSchema(event, 'event-schemas/schema/core-event-schema/state_event.yaml');
    const { state_key: _stateKey, ...notState } = event;
    assert.throws(() => assertSpecSchema(notState, 'event-schemas/schema/core-event-schema/state_event.yaml'), /state_key/);
    assertSpecSchema({ errcode: 'M_FORBIDDEN', error: 'no' }, 'api/client-server/definitions/errors/error.yaml');
    assert.throws(() => assertSpecSchema({ error: 'no' }, 'api/client-server/definitions/errors/error.yaml'), /errcode/);
  });
});
