// Hostile input on the federation listener's authenticated routes (issue 15): random query strings
// (control characters, NUL, long and invalid IDs, repeated parameters), signed by a known server or
// not, and random Authorization headers; invites (`PUT /v2/invite`) with random path segments and
// bodies, and valid signed invites with one field replaced by random JSON; make_leave and
// send_leave with random path segments and bodies from random JSON to leave-shaped events with
// hostile fields; transactions (`/v1/send`) of random, leave-shaped and mutated rescind PDUs.
// Properties: never a 5xx, every reply JSON, every 4xx a Matrix error. Signed requests reach the
// handlers and the database, so both backends run.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { hashAndSignEvent } from '../../src/core/events/signing.js';
import type { UnsignedPdu } from '../../src/core/events/types.js';
import { ROOM_VERSIONS, type RoomVersion } from '../../src/core/room-versions.js';
import { assertCanonicalJsonValue } from '../../src/core/events/canonical-json.js';
import { forEachBackend } from '../helpers/backends.js';
import { remoteServer } from '../helpers/remote-server.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

const SEED = Number(process.env.HEARTH_FUZZ_SEED ?? 424242);
const RUNS = Math.round(300 * Number(process.env.HEARTH_FUZZ_SCALE ?? 1));
const OURS = 'hs.test';
const PATHS = ['/_matrix/federation/v1/query/profile', '/_matrix/federation/v1/query/directory', '/_matrix/federation/v1/query/other'];

const text = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('@alice:hs.test', '@alice:remote.test', '#lobby:hs.test', '#a:b', '\u0000', '@a\u0000:hs.test', '%', 'x'.repeat(3000)),
);
/** JSON without fractions (a signed request's body must be canonical JSON: integers only). */
const { json } = fc.letrec<{ json: unknown }>((tie) => ({
  json: fc.oneof({ maxDepth: 3, depthSize: 'small' },
    fc.integer(), fc.boolean(), fc.constant(null), text,
    fc.array(tie('json'), { maxLength: 4 }), fc.dictionary(fc.string({ maxLength: 6 }), tie('json'), { maxKeys: 4 })),
}));
const query = fc.array(fc.tuple(fc.constantFrom('user_id', 'room_alias', 'field', 'x'), text), { maxLength: 4 })
  .map((pairs) => pairs.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&'));

forEachBackend('federation listener: hostile input', (backend) => {
  const remote = remoteServer('remote.test', OURS);
  let s: TestServer;
  let fed: FastifyInstance;
  let roomId: string;
  before(async () => {
    s = await startTestServer({ backend, config: { server_name: OURS, federation: { port: 0 } }, serverKeys: remote.lookup });
    fed = s.app.federationHttp!;
    await fed.ready();
    const alice = await s.createUser('alice');
    roomId = (await s.request('POST', '/_matrix/client/v3/createRoom', { token: alice.accessToken, body: {} })).json().room_id;
  });
  after(() => s.close());

  it(`no 5xx, every reply a Matrix error or 200 (seed ${SEED})`, async () => {
    await fc.assert(fc.asyncProperty(
      fc.constantFrom(...PATHS), query, fc.option(fc.oneof(text, fc.constant('X-Matrix origin=remote.test,key="ed25519:x",sig="y"'))),
      async (path, q, authorization) => {
        const uri = q === '' ? path : `${path}?${q}`;
        // `null`: sign correctly; a string: that header (hostile), sent as is when Node allows it.
        const header = authorization === null ? undefined : authorization.replace(/[^\t\x20-\x7e]/g, '');
        const res = await remote.request(fed, 'GET', uri, header === undefined ? {} : { authorization: header });
        assertMatrixReply(res, `${uri} [${header}]`);
      },
    ), { seed: SEED, numRuns: RUNS });
  });
  // make_leave and send_leave: random path segments (the real room among them) and bodies from
  // random JSON to leave-shaped events with hostile fields, all signed by the known server.
  const segment = fc.oneof(text, fc.constant('ROOM'), fc.constantFrom('@bob:remote.test', '@alice:hs.test', '$abc', '!x:hs.test'));
  const field = fc.oneof(text, fc.integer(), fc.constant(null), fc.array(text, { maxLength: 3 }), fc.dictionary(text, text, { maxKeys: 3 }));
  const leaveShaped = fc.record({
    type: fc.oneof(fc.constant('m.room.member'), field),
    sender: fc.oneof(fc.constant('@bob:remote.test'), field),
    state_key: fc.oneof(fc.constant('@bob:remote.test'), field),
    room_id: fc.oneof(fc.constant('ROOM'), field),
    content: fc.oneof(fc.constant({ membership: 'leave' }), fc.record({ membership: field, reason: field }), field),
    depth: field, origin_server_ts: field, prev_events: field, auth_events: field,
    hashes: fc.oneof(fc.record({ sha256: field }), field),
    signatures: fc.oneof(fc.constant({ 'remote.test': { 'ed25519:x': 'y' } }), field),
  }, { requiredKeys: [] });
  // Only what can be signed: a body that is not canonical JSON (floats) cannot pass the X-Matrix check.
  const leaveBody = fc.oneof(leaveShaped, fc.jsonValue({ maxDepth: 3 })).filter((v) => assertCanonicalJsonValue(v) === undefined);

  it(`make_leave and send_leave: no 5xx, every reply a Matrix error or 200 (seed ${SEED})`, async () => {
    await fc.assert(fc.asyncProperty(
      fc.constantFrom('make_leave/v1', 'send_leave/v1', 'send_leave/v2'), segment, segment, leaveBody,
      async (route, a, b, body) => {
        const [name, v] = route.split('/');
        const fill = (x: unknown): unknown => (x === 'ROOM' ? roomId : x);
        const uri = `/_matrix/federation/${v}/${name}/${encodeURIComponent(String(fill(a)))}/${encodeURIComponent(String(fill(b)))}`;
        const res = name === 'make_leave'
          ? await remote.request(fed, 'GET', uri)
          : await remote.request(fed, 'PUT', uri, { body: typeof body === 'object' && body !== null && !Array.isArray(body) ? { ...body, room_id: fill(body['room_id']) } : body });
        assertMatrixReply(res, uri);
      },
    ), { seed: SEED, numRuns: RUNS });
  });

  it(`invites: no 5xx, every reply a Matrix error or 200 (seed ${SEED})`, async () => {
    const unsigned = {
      type: 'm.room.member', room_id: '!fuzz:remote.test', sender: '@bob:remote.test', state_key: '@alice:hs.test', content: { membership: 'invite' },
      origin_server_ts: 1, depth: 3, prev_events: ['$p'], auth_events: ['$a'],
    } as unknown as UnsignedPdu;
    const valid = hashAndSignEvent(unsigned, 'remote.test', remote.key, ROOM_VERSIONS['10'] as RoomVersion);
    const fields = ['type', 'room_id', 'sender', 'state_key', 'content', 'origin_server_ts', 'depth', 'prev_events', 'auth_events', 'hashes', 'signatures'];
    const mutated = fc.record({ field: fc.constantFrom(...fields), value: json })
      .map(({ field, value }) => ({ ...valid.pdu, [field]: value }));
    const body = fc.oneof(
      fc.record({ room_version: fc.oneof(fc.constantFrom('10', '11', '1'), text), event: fc.oneof(fc.constant(valid.pdu), mutated, json), invite_room_state: fc.oneof(json, fc.array(json, { maxLength: 60 })) }, { requiredKeys: [] }),
      json,
      // The valid invite with random stripped state: reaches the store (NUL and odd text included).
      fc.record({
        room_version: fc.constant('10'), event: fc.constant(valid.pdu),
        invite_room_state: fc.array(fc.record({ type: text, state_key: text, sender: text, content: fc.dictionary(fc.string({ maxLength: 6 }), json, { maxKeys: 3 }) }), { maxLength: 5 }),
      }),
    );
    let stored = 0;
    await fc.assert(fc.asyncProperty(
      fc.oneof(fc.constant('!fuzz:remote.test'), text), fc.oneof(fc.constant(valid.eventId as string), text), body,
      async (roomId, eventId, b) => {
        const uri = `/_matrix/federation/v2/invite/${encodeURIComponent(roomId)}/${encodeURIComponent(eventId)}`;
        const res = await remote.request(fed, 'PUT', uri, { body: b });
        assert.ok(res.statusCode < 500, `${uri} ${JSON.stringify(b)}: ${res.statusCode} ${res.body}`);
        if (res.statusCode >= 400) assert.match(String((res.json() as Record<string, unknown>).errcode), /^M_[A-Z_]+$/, `${uri}: ${res.body}`);
        else assert.equal(res.statusCode, 200, `${uri}: ${res.body}`);
        if (res.statusCode === 200) stored++;
      },
    ), { seed: SEED, numRuns: RUNS });
    // Some reached the store (the valid invite, with random stripped state), not only the checks.
    assert.ok(stored > 0);
    // A body that is not canonical JSON (a fraction) cannot have been signed: 401, never a 500.
    const uri = `/_matrix/federation/v2/invite/${encodeURIComponent('!fuzz:remote.test')}/${encodeURIComponent(valid.eventId)}`;
    const fraction = { room_version: '10', event: { ...valid.pdu, depth: 1.5 } };
    const res = await remote.request(fed, 'PUT', uri, { body: fraction, sign: { body: { ...fraction, event: valid.pdu } } });
    assert.equal(res.statusCode, 401, res.body);
  });

  it(`transactions (/v1/send): no 5xx, every reply a Matrix error or 200 (seed ${SEED})`, async () => {
    const room = '!fuzzsend:remote.test';
    const v10 = ROOM_VERSIONS['10'] as RoomVersion;
    const base = { room_id: room, sender: '@bob:remote.test', state_key: '@alice:hs.test', origin_server_ts: 1, depth: 3, prev_events: ['$p'], auth_events: ['$a'] };
    const invite = hashAndSignEvent({ ...base, type: 'm.room.member', content: { membership: 'invite' } } as unknown as UnsignedPdu, 'remote.test', remote.key, v10);
    const inviteUri = `/_matrix/federation/v2/invite/${encodeURIComponent(room)}/${encodeURIComponent(invite.eventId)}`;
    assert.equal((await remote.request(fed, 'PUT', inviteUri, { body: { room_version: '10', event: invite.pdu } })).statusCode, 200);
    // The one PDU Hearth takes (the inviter's kick of alice), and that PDU with one field replaced.
    const rescind = hashAndSignEvent({ ...base, type: 'm.room.member', content: { membership: 'leave' } } as unknown as UnsignedPdu, 'remote.test', remote.key, v10);
    const fields = ['type', 'room_id', 'sender', 'state_key', 'content', 'origin_server_ts', 'depth', 'prev_events', 'auth_events', 'hashes', 'signatures', 'unsigned'];
    const mutated = fc.record({ field: fc.constantFrom(...fields), value: json }).map(({ field, value }) => ({ ...rescind.pdu, [field]: value }));
    const pdu = fc.oneof(fc.constant(rescind.pdu), mutated, leaveShaped.map((e) => ({ ...e, room_id: e['room_id'] === 'ROOM' ? roomId : e['room_id'] })), json)
      .filter((v) => assertCanonicalJsonValue(v) === undefined);
    const body = fc.oneof(
      fc.record({ origin: fc.oneof(fc.constant('remote.test'), text), origin_server_ts: fc.oneof(fc.integer(), json), pdus: fc.oneof(fc.array(pdu, { maxLength: 6 }), json), edus: fc.oneof(fc.array(json, { maxLength: 4 }), json) }, { requiredKeys: ['pdus'] }),
      json,
    );
    let processed = 0;
    await fc.assert(fc.asyncProperty(fc.oneof(text, fc.constant('t1')), body, async (txnId, b) => {
      const uri = `/_matrix/federation/v1/send/${encodeURIComponent(txnId)}`;
      const res = await remote.request(fed, 'PUT', uri, { body: typeof b === 'object' && b !== null && !Array.isArray(b) ? { origin: 'remote.test', origin_server_ts: 1, ...b } : b });
      assertMatrixReply(res, `${uri} ${JSON.stringify(b)}`);
      if (res.statusCode === 200) processed += Object.keys((res.json() as { pdus: object }).pdus).length;
    }), { seed: SEED, numRuns: RUNS });
    // Some PDUs got past the transaction's checks to their own (and the rescind to the store).
    assert.ok(processed > 0);
    assert.equal((await s.app.store.memberships.get(room as never, '@alice:hs.test' as never))?.membership, 'leave');
  });
}, describe);

/** The properties: never a 5xx, every reply JSON, every 4xx a Matrix error, every success 200. */
function assertMatrixReply(res: { statusCode: number; body: string; json(): unknown }, label: string): void {
  assert.ok(res.statusCode < 500, `${label}: ${res.statusCode} ${res.body}`);
  const body = res.json() as Record<string, unknown>;
  if (res.statusCode >= 400) {
    assert.match(String(body.errcode), /^M_[A-Z_]+$/, `${label}: ${res.body}`);
    assert.equal(typeof body.error, 'string');
  } else {
    assert.equal(res.statusCode, 200, `${label}: ${res.body}`);
  }
}
