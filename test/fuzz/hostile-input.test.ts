import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { METHODS } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import SqliteDatabase from 'better-sqlite3';
import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import { POSTGRES_SKIP_REASON } from '../helpers/backends.js';
import { rest, V3 } from '../helpers/rest.js';
import { settlePush } from '../helpers/push.js';
import { startTestServer, type TestServer, type TestUser } from '../helpers/test-server.js';
import { refusal } from '../helpers/fake-peers.js';
import type { FederationRequester } from '../../src/services/federation/federation-client.js';

/**
 * Other servers as the fuzz sees them: each says there is no such user (a remote profile is
 * 404), so generated IDs of other servers reach no network and cannot time out.
 */
const NO_ONE_ELSE: FederationRequester = { request: () => Promise.reject(refusal(404, 'M_NOT_FOUND')) };

/**
 * A property-based fuzzer over every route of the running app (the route list comes from Fastify's
 * own route tree, so new routes are fuzzed without touching this file). Hostile inputs: malformed
 * and truncated JSON, wrong types, duplicate keys, numbers outside canonical JSON, huge strings and
 * bodies past max_request_bytes, deep nesting, invalid and over-long IDs, percent-encoding tricks,
 * unicode edge cases, and random methods. Properties: never a 5xx, never a hang, every reply JSON,
 * every 4xx a Matrix error (string `errcode` M_..., string `error`) with no stack trace, SQL or file
 * path in it, and a rejected write leaves the database exactly as it was. (Requests Node's HTTP parser
 * refuses never reach inject(): test/api/error-replies.test.ts sends those over a real socket.)
 *
 * The seed is fixed and printed; HEARTH_FUZZ_SEED=<n> replays or explores another one, and
 * HEARTH_FUZZ_SCALE=<x> multiplies the number of cases (e.g. 10 for a long run).
 */

const SEED = Number(process.env.HEARTH_FUZZ_SEED ?? 424242);
const SCALE = Number(process.env.HEARTH_FUZZ_SCALE ?? 1);
const RUNS = {
  requests: Math.round(9000 * SCALE),
  heavy: Math.round(400 * SCALE),
  rejectedWrites: Math.round(2000 * SCALE),
  /** PostgreSQL refuses some text SQLite takes (U+0000): a shorter run there, when a test cluster is available. */
  postgres: Math.round(1500 * SCALE),
  quotas: Math.round(300 * SCALE),
};
const TOTAL = RUNS.requests + RUNS.heavy + RUNS.rejectedWrites;
/** A request that takes longer than this is a hang (no route long-polls here: /sync timeouts are kept short). */
const HANG_MS = 10_000;
/** The fixture room is rebuilt this often: the fuzzer may ban its owner, lower her power, or make her leave. */
const FRESH_WORLD_EVERY = 500;

// ---------------------------------------------------------------------------------------------
// Routes, from the app itself

interface RouteInfo { url: string; methods: string[] }

/** Parses `printRoutes({ commonPrefix: false })`: one node a line, children indented by four columns. */
function routesOf(tree: string): RouteInfo[] {
  const out: RouteInfo[] = [];
  const stack: string[] = [];
  for (const line of tree.split('\n')) {
    const m = /^((?:[│ ] {3})*)[├└]── (.*?)(?: \(([^)]*)\))?$/.exec(line);
    if (!m) continue;
    stack.length = m[1]!.length / 4;
    stack.push(m[2]!);
    const methods = (m[3] ?? '').split(',').map((x) => x.trim()).filter((x) => x !== '' && x !== '-');
    if (methods.length > 0) out.push({ url: stack.join(''), methods });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The request model: plain data (so fast-check can print and shrink it), resolved against the
// current fixture ("world") only when sent.

type SymName = 'roomId' | 'alias' | 'eventId' | 'stateEventId' | 'userId' | 'otherUserId' | 'deviceId' | 'filterId' | 'since' | 'from' | 'backupVersion' | 'mediaId';

/** A path segment or query value: symbolic (a real ID of the fixture, encoded) or raw URL text. */
type Piece = { sym: SymName } | { raw: string } | { json: J };

/** JSON with what JSON.parse would lose: raw number tokens, duplicate keys, references to fixture IDs. */
class RawNum { constructor(readonly text: string) {} }
class Obj { constructor(readonly entries: ReadonlyArray<readonly [string, J]>) {} }
class Ref { constructor(readonly sym: SymName) {} }
type J = null | boolean | number | string | RawNum | Obj | Ref | J[];

type Body =
  | { kind: 'none' }
  | { kind: 'json'; value: J; contentType: string | undefined }
  | { kind: 'truncated'; value: J; keep: number; contentType: string | undefined }
  | { kind: 'text'; text: string; contentType: string | undefined }
  /** Raw bytes: JSON cut at any byte (inside a multi-byte character, say), then bytes that are not UTF-8. */
  | { kind: 'bytes'; value: J; keep: number; junk: readonly number[] }
  | { kind: 'huge'; size: number; shape: 'string-field' | 'raw' | 'content' }
  | { kind: 'deep'; depth: number; shape: 'array' | 'object' | 'content' | 'mixed' };

type Auth = 'valid' | 'admin' | 'other' | 'none' | 'garbage' | 'query';

interface Spec {
  method: string;
  route: string;
  params: Piece[];
  query: Array<readonly [string, Piece]>;
  body: Body;
  auth: Auth;
}

interface World {
  alice: TestUser;
  bob: TestUser;
  admin: TestUser;
  roomId: string;
  alias: string;
  eventId: string;
  stateEventId: string;
  filterId: string;
  since: string;
  from: string;
  /** Alice's current key backup version. */
  backupVersion: string;
  /** A picture Alice uploaded (so downloads and thumbnails reach the files). */
  mediaId: string;
}

/** Percent-encodes every code point; lone surrogates (which encodeURIComponent refuses) go as their raw WTF-8 bytes. */
function encodeAll(s: string): string {
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (cp >= 0xd800 && cp <= 0xdfff) out += `%${(0xe0 | (cp >> 12)).toString(16)}%${(0x80 | ((cp >> 6) & 0x3f)).toString(16)}%${(0x80 | (cp & 0x3f)).toString(16)}`.toUpperCase();
    else out += encodeURIComponent(ch);
  }
  return out;
}

function resolveSym(name: SymName, w: World): string {
  switch (name) {
    case 'userId': return w.alice.userId;
    case 'otherUserId': return w.bob.userId;
    case 'deviceId': return w.alice.deviceId;
    default: return w[name];
  }
}

function resolvePiece(p: Piece, w: World): string {
  if ('sym' in p) return encodeURIComponent(resolveSym(p.sym, w));
  if ('json' in p) return encodeAll(serialize(p.json, w));
  return p.raw;
}

/** Object keys that stand for fixture IDs (a user's, a device's), as in /keys/query or power levels' `users`. */
const KEY_REFS: Record<string, SymName> = { '\u0001userId': 'userId', '\u0001otherUserId': 'otherUserId', '\u0001deviceId': 'deviceId', '\u0001roomId': 'roomId' };

function serialize(j: J, w: World): string {
  if (j instanceof RawNum) return j.text;
  if (j instanceof Ref) return JSON.stringify(resolveSym(j.sym, w));
  if (j instanceof Obj) {
    const key = (k: string) => JSON.stringify(KEY_REFS[k] ? resolveSym(KEY_REFS[k], w) : k);
    return `{${j.entries.map(([k, v]) => `${key(k)}:${serialize(v, w)}`).join(',')}}`;
  }
  if (Array.isArray(j)) return `[${j.map((v) => serialize(v, w)).join(',')}]`;
  return JSON.stringify(j) ?? 'null';
}

const deepText = (depth: number, shape: 'array' | 'object' | 'mixed') => {
  if (shape === 'array') return `${'['.repeat(depth)}${']'.repeat(depth)}`;
  if (shape === 'object') return `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
  return `${'[{"a":'.repeat(depth / 2)}1${'}]'.repeat(depth / 2)}`;
};

function payloadOf(body: Body, w: World): { payload?: string | Buffer; contentType?: string } {
  const ct = (contentType: string | undefined) => (contentType === undefined ? {} : { contentType });
  switch (body.kind) {
    case 'none': return {};
    case 'json': return { payload: serialize(body.value, w), ...ct(body.contentType) };
    case 'truncated': {
      const text = serialize(body.value, w);
      return { payload: text.slice(0, Math.floor(text.length * body.keep)), ...ct(body.contentType) };
    }
    case 'text': return { payload: body.text, ...ct(body.contentType) };
    case 'bytes': {
      const bytes = Buffer.from(serialize(body.value, w));
      return { payload: Buffer.concat([bytes.subarray(0, Math.floor(bytes.length * body.keep)), Buffer.from(body.junk)]), contentType: 'application/json' };
    }
    case 'huge': {
      const filler = 'x'.repeat(body.size);
      const payload = body.shape === 'raw' ? filler
        : body.shape === 'string-field' ? `{"reason":"${filler}","body":"${filler.slice(0, 10)}"}`
        : `{"msgtype":"m.text","body":"${filler}"}`;
      return { payload, contentType: 'application/json' };
    }
    case 'deep': {
      const inner = deepText(body.depth, body.shape === 'content' ? 'array' : body.shape);
      const payload = body.shape === 'content' ? `{"msgtype":"m.text","body":"deep","nested":${inner},"typing":true,"presence":"online"}` : inner;
      return { payload, contentType: 'application/json' };
    }
  }
}

interface Resolved { method: string; url: string; headers: Record<string, string>; payload?: string | Buffer }

function resolve(spec: Spec, w: World): Resolved {
  let i = 0;
  const pathText = spec.route.split('/').map((seg) => (seg.startsWith(':') ? resolvePiece(spec.params[i++] ?? { raw: 'x' }, w) : seg)).join('/');
  const query: string[] = [];
  for (const [k, v] of spec.query) {
    let value = resolvePiece(v, w);
    // A long-poll is not a hang: /sync is asked for short timeouts only.
    if (spec.route.endsWith('/sync') && k === 'timeout' && !(Number(safeDecode(value)) <= 50)) value = '0';
    query.push(`${k}=${value}`);
  }
  const token = spec.auth === 'valid' || spec.auth === 'query' ? w.alice.accessToken
    : spec.auth === 'admin' ? w.admin.accessToken
    : spec.auth === 'other' ? w.bob.accessToken
    : spec.auth === 'garbage' ? 'syt_not_a_real_token' : undefined;
  if (spec.auth === 'query') query.push(`access_token=${token}`);
  const headers: Record<string, string> = {};
  if (token !== undefined && spec.auth !== 'query') headers.authorization = `Bearer ${token}`;
  const { payload, contentType } = payloadOf(spec.body, w);
  if (contentType !== undefined) headers['content-type'] = contentType;
  return { method: spec.method, url: query.length ? `${pathText}?${query.join('&')}` : pathText, headers, ...(payload === undefined ? {} : { payload }) };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

// ---------------------------------------------------------------------------------------------
// Arbitraries

const EDGE_STRINGS = [
  '', ' ', '\u0000', 'a\u0000b', '\ud800', '\udfff', 'a\ud800b', '\udc00\ud800', '\u202e', 'abc\u202edef', '\u200b', '\u200d',
  '\ufeff', '\u2028', '\uffff', '\ufffd', '𝕳', 'e\u0301', '\u0085', '..', '.', '/', '\\', '%', '$', '!', '@', '#', ':', '@:', '!:hs.test',
  '#:hs.test', '@a:hs.test:99999', '@a:[::1', '@a:-', '@a b:hs.test', '@A:hs.test', 'null', 'undefined', '__proto__', 'constructor',
  'prototype', 'hasOwnProperty', 'toString', 'true', '0', '-0', '1e400', '9007199254740993', 'NaN', 'Infinity', "' OR '1'='1", '"; --',
  '\r\n', '\t', 'm.room.member', 'm.room.power_levels', 'm.room.redaction', 'm.room.create', 'm.login.password', 'm.id.user',
];
const PERCENT_TRICKS = [
  '%00', '%2F', '%2f', '%252F', '%25', '%', '%Z', '%zz', '%C0%AF', '%ED%A0%80', '%FF', '%E2%80%AE', '%2E%2E', '%2E', '%20', '+',
  '%u0041', '%%', '%0A', '%0D%0A', '%3F', '%23', '%5C', '%F0%9F%98', '%C3%28', '%EF%BF%BF', '%F4%90%80%80', '%3A', '%40', '%21', '%24',
];
const NUMBER_TOKENS = [
  '1e400', '-1e400', '9007199254740992', '9007199254740993', '-9007199254740993', '-0', '1.5', '0.1', '1E2', '1e-400',
  '123456789012345678901234567890', '-0.0', '0e0', '2e53', '1e308', '5e-324', '-1',
];
const FIELD_NAMES = [
  'user_id', 'reason', 'room_id', 'visibility', 'typing', 'timeout', 'presence', 'status_msg', 'displayname', 'avatar_url', 'msgtype',
  'body', 'type', 'content', 'state_key', 'auth', 'session', 'password', 'username', 'device_id', 'initial_device_display_name',
  'limit', 'since', 'filter', 'room', 'timeline', 'state', 'event_fields', 'event_format', 'account_data', 'membership', 'm.fully_read',
  'm.read', 'm.read.private', 'thread_id', 'actions', 'enabled', 'conditions', 'pattern', 'kind', 'new_password', 'logout_devices',
  'devices', 'identifier', 'user', 'medium', 'address', 'token', 'invite', 'preset', 'name', 'topic', 'room_version',
  'creation_content', 'initial_state', 'power_level_content_override', 'is_direct', 'room_alias_name', 'redacts', 'display_name',
  'generic_search_term', 'not_senders', 'senders', 'rooms', 'not_rooms', 'types', 'not_types', 'lazy_load_members', 'include_leave',
  'users', 'events', 'users_default', 'join_rule', 'history_visibility', 'inhibit_login', 'refresh_token', 'server', 'ts', 'url',
  'algorithm', 'auth_data', 'public_key', 'sessions', 'first_message_index', 'forwarded_count', 'is_verified', 'session_data',
  // Synapse's admin API (users, registration tokens).
  'admin', 'deactivated', 'erase', 'valid_until_ms', 'uses_allowed', 'expiry_time', 'length', 'threepids', 'user_type',
  'search_term', 'client_secret', 'sid',
  '__proto__', 'constructor', '',
];
const QUERY_KEYS = [
  'limit', 'from', 'to', 'dir', 'filter', 'since', 'timeout', 'full_state', 'set_presence', 'format', 'at', 'membership',
  'not_membership', 'server', 'token', 'user_id', 'kind', 'ts', 'access_token', 'include_leave', 'room_id', 'event_id', 'version',
  'name', 'guests', 'deactivated', 'order_by', 'valid',
  'recurse', 'include',
  'suggested_only', 'max_depth', 'via',
];
const CONTENT_TYPES = [
  undefined, 'application/json', 'application/json', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x',
  'application/json; charset=utf-16le', 'application/octet-stream', '', 'garbage', 'application/json; charset=latin1',
];
const MALFORMED = [
  '{', '}', '{"a":}', "{'a':1}", '{"a":1,}', '[1,]', 'NaN', '{"a":NaN}', '{"a":Infinity}', '{"a":-Infinity}', '\ufeff{}', '{"a":"\u0000"}',
  '{"a":"\u0001"}', '{"a":"\\x41"}', '{"a":"\\u12"}', '{"a":"\\ud800"}', '{"a":"\\udc00\\ud800"}', '{"a":"\ud800"}', '{"__proto__":{"admin":true}}',
  '{"constructor":{"prototype":{"polluted":1}}}', '{"a":1}{"b":2}', '{"a":1} trailing', '// comment\n{}', '{"a":01}', '{"a":.5}', '{"a":+1}',
  '{"a":1e}', '{"a":tru}', 'nul', '"\\', '\u0000', '\u00ff\u00fe', '[]', 'null', '"string"', '123', 'true', '{}', ' ', '\n',
  '{"user_id":"@a:hs.test","user_id":5}', '{"typing":true,"typing":"yes"}', '{"membership":"join","membership":"leave"}',
];

/** A decoded hostile string. */
const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...EDGE_STRINGS) },
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 24 }) },
  { weight: 2, arbitrary: fc.string({ maxLength: 24 }) },
  { weight: 1, arbitrary: fc.constantFrom(254, 255, 256, 300, 2047, 2049, 5000, 20_000).map((n) => 'a'.repeat(n)) },
);

/** A decoded ID-like string: a sigil, a (hostile) localpart, a (hostile) server name. */
const idLike: fc.Arbitrary<string> = fc.tuple(
  fc.constantFrom('@', '!', '$', '#', '+', ''),
  fc.oneof(
    { weight: 3, arbitrary: fc.stringMatching(/^[a-z0-9._=-]{1,12}$/) },
    { weight: 2, arbitrary: hostileString },
    { weight: 1, arbitrary: fc.constantFrom(240, 250, 251, 255, 256, 2040, 2100).map((n) => 'a'.repeat(n)) },
  ),
  fc.constantFrom(':hs.test', ':hs.test', ':other.example', '', ':', ':hs.test:0', ':hs.test:65536', ':[::1]', ':[::1', ':hs..test', ':-.test', `:${'a'.repeat(260)}`, ':hs.test/x'),
).map(([sigil, local, domain]) => `${sigil}${local}${domain}`);

/** Raw URL text for a path segment or query value. */
const rawPiece: fc.Arbitrary<Piece> = fc.oneof(
  { weight: 4, arbitrary: fc.oneof(hostileString, idLike).map((s) => ({ raw: encodeAll(s) })) },
  { weight: 2, arbitrary: fc.array(fc.oneof(fc.constantFrom(...PERCENT_TRICKS), fc.stringMatching(/^[a-z!@$#:.]{0,6}$/)), { minLength: 1, maxLength: 5 }).map((parts) => ({ raw: parts.join('') })) },
  { weight: 1, arbitrary: fc.oneof(hostileString, idLike).map((s) => ({ raw: encodeAll(encodeAll(s)) })) },
  // Raw, unencoded text: the router sees whatever the characters do to the URL.
  { weight: 1, arbitrary: fc.oneof(hostileString, idLike).map((s) => ({ raw: s })) },
);

const SYMS_FOR_PARAM: Record<string, SymName[]> = {
  roomId: ['roomId'], roomIdOrAlias: ['roomId', 'alias'], roomAlias: ['alias'], userId: ['userId', 'userId', 'otherUserId'],
  eventId: ['eventId', 'stateEventId'], deviceId: ['deviceId'], filterId: ['filterId'], version: ['backupVersion'], mediaId: ['mediaId'],
};
const WORDS_FOR_PARAM: Record<string, string[]> = {
  eventType: ['m.room.message', 'm.room.topic', 'm.room.name', 'org.example.custom', 'm.room.member', 'm.room.redaction', 'm.room.power_levels', 'm.room.join_rules'],
  type: ['m.direct', 'org.example.data', 'm.fully_read', 'm.push_rules', 'm.ignored_user_list'],
  stateKey: ['', '@alice-fuzz:hs.test', 'x'],
  txnId: ['t1', 't2', 'txn'],
  kind: ['override', 'underride', 'sender', 'room', 'content'],
  ruleId: ['.m.rule.master', '.m.rule.message', 'custom', '.m.rule.contains_user_name'],
  receiptType: ['m.read', 'm.read.private', 'm.fully_read'],
  relType: ['m.thread', 'm.replace', 'm.reference', 'm.annotation'],
  sessionId: ['s1', 's2', '__proto__'],
  serverName: ['hs.test', 'hs.test', 'other.test'],
  fileName: ['a.png', 'a%22b', '..%2F..%2Fx', '%0D%0Ax'],
  // Registration tokens of the admin API (the fixture's admin may create them).
  token: ['fuzz-token', 'new', 'a.b~c_d-e', 'x'.repeat(65)],
  deleteId: ['x', '__proto__'],
  reportId: ['1', '0', '-1', '1e3', '9007199254740993'],
};

function paramArb(name: string): fc.Arbitrary<Piece> {
  const syms = SYMS_FOR_PARAM[name];
  const words = WORDS_FOR_PARAM[name];
  const good: Array<fc.Arbitrary<Piece>> = [];
  if (syms) good.push(fc.constantFrom(...syms).map((sym) => ({ sym })));
  if (words) good.push(fc.constantFrom(...words).map((w) => ({ raw: encodeURIComponent(w) })));
  if (good.length === 0) good.push(fc.stringMatching(/^[a-zA-Z0-9._-]{1,16}$/).map((raw) => ({ raw })));
  return fc.oneof({ weight: 4, arbitrary: fc.oneof(...good) }, { weight: 2, arbitrary: rawPiece });
}

const jsonLeaf: fc.Arbitrary<J> = fc.oneof(
  fc.constant(null), fc.boolean(), fc.integer(), fc.double(), hostileString, idLike,
  fc.constantFrom(...NUMBER_TOKENS).map((t) => new RawNum(t)),
  fc.constantFrom<SymName>('userId', 'otherUserId', 'roomId', 'eventId', 'alias', 'deviceId').map((s) => new Ref(s)),
);

const { json: jsonArb } = fc.letrec<{ json: J }>((tie) => ({
  json: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    jsonLeaf,
    fc.array(tie('json'), { maxLength: 4 }),
    fc.array(fc.tuple(fc.oneof(fc.constantFrom(...FIELD_NAMES), fc.string({ maxLength: 8 })), tie('json')), { maxLength: 5 }).map((e) => new Obj(e)),
  ),
}));

/** Bodies that pass (or nearly pass) the schemas of the routes, so that requests reach the handlers. */
const TEMPLATES: Array<Array<[string, J]>> = [
  [['msgtype', 'm.text'], ['body', 'hello']],
  [['user_id', new Ref('otherUserId')], ['reason', 'r']],
  [['typing', true], ['timeout', 1000]],
  [['presence', 'online'], ['status_msg', 'hi']],
  [['displayname', 'Alice']],
  [['avatar_url', 'mxc://hs.test/abc']],
  [['visibility', 'public']],
  [['room_id', new Ref('roomId')]],
  [['type', 'm.login.password'], ['identifier', new Obj([['type', 'm.id.user'], ['user', 'alice-fuzz']])], ['password', 'wrong']],
  [['room', new Obj([['timeline', new Obj([['limit', 1]])]])]],
  [['m.fully_read', new Ref('eventId')], ['m.read', new Ref('eventId')]],
  [['actions', ['notify']]],
  [['enabled', true]],
  [['pattern', 'cake*']],
  [['display_name', 'phone']],
  [['devices', ['ABC']]],
  [['preset', 'private_chat'], ['name', 'n'], ['topic', 't']],
  [['limit', 5], ['filter', new Obj([['generic_search_term', 'x']])]],
  [['topic', 'new'], ['name', 'new'], ['join_rule', 'public']],
  [['thread_id', 'main']],
  [['username', 'fuzz'], ['password', 'pw'], ['auth', new Obj([['type', 'm.login.dummy']])]],
  [['new_password', 'pw2'], ['logout_devices', false]],
  // Search, room tags, reports.
  [['search_categories', new Obj([['room_events', new Obj([['search_term', 'hello'], ['order_by', 'recent'], ['event_context', new Obj([['before_limit', 2], ['include_profile', true]])], ['include_state', true]])]])]],
  [['order', 0.5]],
  [['reason', 'spam'], ['score', -50]],
  // The user directory, TURN, third-party identifiers (client-extras, users).
  [['search_term', 'ali'], ['limit', 3]],
  [['client_secret', 'cs'], ['email', 'a@example.org'], ['send_attempt', 1]],
  [['client_secret', 'cs'], ['sid', 'sid']],
  [['kind', 'http'], ['app_id', 'fz.app'], ['pushkey', 'fz'], ['app_display_name', 'a'], ['device_display_name', 'd'], ['lang', 'en'], ['data', new Obj([['url', 'https://gw.invalid/_matrix/push/v1/notify']])]],
];

const templateBody: fc.Arbitrary<J> = fc.tuple(
  fc.constantFrom(...TEMPLATES),
  fc.array(fc.tuple(fc.constantFrom(...FIELD_NAMES), jsonArb), { maxLength: 2 }),
  fc.boolean(),
).map(([template, extra, prepend]) => new Obj(prepend ? [...extra, ...template] : [...template, ...extra]));

/**
 * Bodies shaped like the spec's (filters, power levels, join rules, push rules, createRoom, login and UIA,
 * end-to-end keys), each leaf kept or swapped for a hostile value: deep service logic meets bad input.
 */
const leafOr = (good: J): fc.Arbitrary<J> => fc.oneof({ weight: 3, arbitrary: fc.constant(good) }, { weight: 1, arbitrary: jsonLeaf }, { weight: 1, arbitrary: jsonArb });
const shape = (...entries: Array<readonly [string, fc.Arbitrary<J>]>): fc.Arbitrary<J> =>
  fc.tuple(...entries.map(([, a]) => a), fc.subarray(entries.map((_, i) => i))).map((values) => {
    // Read, never popped: fast-check may map the same generated tuple again (when it clones or replays it).
    const kept = values[values.length - 1] as number[];
    return new Obj(entries.map(([k], i) => [k, values[i] as J] as const).filter((_, i) => kept.includes(i) || kept.length === 0));
  });
const listOf = (a: fc.Arbitrary<J>): fc.Arbitrary<J> => fc.array(a, { maxLength: 3 });
const ME = '\u0001userId';
const DEVICE = '\u0001deviceId';

/** One entry over the filter list cap (MAX_FILTER_LIST_LENGTH): 400 without a 5xx. */
const TOO_MANY_ROOMS: J[] = Array.from({ length: 1001 }, (_, i) => `!r${i}:hs.test`);
/** A push pattern over MAX_PUSH_PATTERN_LENGTH that keeps every glob state live. */
const COSTLY_PATTERN = `${'*a'.repeat(256)}*`;

const eventFilterShape = shape(
  ['limit', leafOr(5)], ['types', listOf(leafOr('m.room.*'))], ['not_types', listOf(leafOr('m.room.member'))],
  ['senders', listOf(leafOr(new Ref('userId')))], ['not_senders', listOf(leafOr(new Ref('otherUserId')))],
  ['rooms', listOf(leafOr(new Ref('roomId')))], ['not_rooms', fc.oneof(listOf(leafOr('!x:hs.test')), fc.constant(TOO_MANY_ROOMS))],
  ['contains_url', leafOr(true)], ['lazy_load_members', leafOr(true)], ['include_redundant_members', leafOr(false)], ['unread_thread_notifications', leafOr(true)],
);
const filterShape = shape(
  ['room', shape(['timeline', eventFilterShape], ['state', eventFilterShape], ['ephemeral', eventFilterShape], ['account_data', eventFilterShape],
    ['rooms', listOf(leafOr(new Ref('roomId')))], ['not_rooms', listOf(leafOr('!x:hs.test'))], ['include_leave', leafOr(true)])],
  ['presence', eventFilterShape], ['account_data', eventFilterShape],
  ['event_fields', listOf(leafOr('content.body'))], ['event_format', leafOr('client')],
);
const powerLevelsShape = shape(
  ['users', shape([ME, leafOr(100)], ['\u0001otherUserId', leafOr(50)], ['@x:hs.test', leafOr(1)])], ['users_default', leafOr(0)],
  ['events', shape(['m.room.name', leafOr(50)], ['m.room.power_levels', leafOr(100)], ['m.room.message', leafOr(0)])],
  ['events_default', leafOr(0)], ['state_default', leafOr(50)], ['ban', leafOr(50)], ['kick', leafOr(50)], ['redact', leafOr(50)],
  ['invite', leafOr(0)], ['notifications', shape(['room', leafOr(50)])],
);
const joinRulesShape = shape(
  ['join_rule', leafOr('restricted')],
  ['allow', listOf(shape(['type', leafOr('m.room_membership')], ['room_id', leafOr(new Ref('roomId'))]))],
);
const canonicalAliasShape = shape(
  ['alias', leafOr('#fuzz:hs.test')], ['alt_aliases', listOf(fc.constantFrom<J>('#fuzz:hs.test', '#elsewhere:other.example', 'not an alias'))],
);
const pushRuleShape = shape(
  ['actions', listOf(fc.oneof(leafOr('notify'), shape(['set_tweak', leafOr('sound')], ['value', leafOr('default')])))],
  ['conditions', listOf(shape(['kind', leafOr('event_match')], ['key', leafOr('content.body')], ['pattern', leafOr('cake*')],
    ['is', leafOr('>2')], ['value', leafOr('x')], ['rel_type', leafOr('m.thread')]))],
  ['pattern', fc.oneof(leafOr('cake'), fc.constant(COSTLY_PATTERN))], ['enabled', leafOr(true)],
);
const identifierShape = shape(['type', leafOr('m.id.user')], ['user', leafOr(new Ref('userId'))]);
const authShape = shape(['type', leafOr('m.login.password')], ['session', leafOr('sess')], ['identifier', identifierShape], ['password', leafOr('wrong')]);
const createRoomShape = shape(
  ['preset', leafOr('private_chat')], ['visibility', leafOr('private')], ['invite', listOf(leafOr(new Ref('otherUserId')))],
  ['initial_state', listOf(fc.oneof(
    shape(['type', leafOr('m.room.join_rules')], ['state_key', leafOr('')], ['content', joinRulesShape]),
    shape(['type', leafOr('m.room.canonical_alias')], ['state_key', leafOr('')], ['content', canonicalAliasShape]),
    // Lone surrogates in a type and a state key: 400 M_BAD_JSON, never a failure to hash.
    shape(['type', leafOr('org.example.\ud800')], ['state_key', leafOr('\udc00')], ['content', leafOr(new Obj([]))]),
  ))],
  ['power_level_content_override', powerLevelsShape], ['creation_content', shape(['m.federate', leafOr(true)], ['type', leafOr('m.space')])],
  ['room_version', leafOr('10')], ['is_direct', leafOr(true)], ['name', leafOr('n')], ['topic', leafOr('t')], ['room_alias_name', leafOr('alias')],
);
const keysShape = shape(
  ['device_keys', fc.oneof(
    shape(['user_id', leafOr(new Ref('userId'))], ['device_id', leafOr(new Ref('deviceId'))], ['algorithms', listOf(leafOr('m.olm.v1.curve25519-aes-sha2'))],
      ['keys', shape(['curve25519:DEV', leafOr('abc')], ['ed25519:DEV', leafOr('def')])], ['signatures', shape([ME, shape(['ed25519:DEV', leafOr('sig')])])]),
    shape([ME, listOf(leafOr(new Ref('deviceId')))], ['\u0001otherUserId', listOf(leafOr('X'))]))],
  ['one_time_keys', fc.oneof(
    shape(['signed_curve25519:AAAA', shape(['key', leafOr('k')], ['signatures', leafOr(new Obj([]))])], ['curve25519:AAAB', leafOr('k2')]),
    shape([ME, shape([DEVICE, leafOr('signed_curve25519')])]))],
  ['fallback_keys', shape(['signed_curve25519:AAAC', shape(['key', leafOr('k')], ['fallback', leafOr(true)])])],
  ['master_key', shape(['user_id', leafOr(new Ref('userId'))], ['usage', listOf(leafOr('master'))], ['keys', shape(['ed25519:K', leafOr('K')])])],
  ['messages', shape([ME, shape([DEVICE, shape(['body', leafOr('x')])], ['*', shape(['a', leafOr(1)])])])],
  ['timeout', leafOr(10)], ['auth', authShape],
);
const backupKeyShape = shape(
  ['first_message_index', leafOr(0)], ['forwarded_count', leafOr(1)], ['is_verified', leafOr(false)],
  ['session_data', shape(['ephemeral', leafOr('eph')], ['ciphertext', leafOr('c')], ['mac', leafOr('m')])],
);
const keyBackupShape = shape(
  ['algorithm', leafOr('m.megolm_backup.v1.curve25519-aes-sha2')], ['version', leafOr(new Ref('backupVersion'))],
  ['auth_data', shape(['public_key', leafOr('hPQNcabIABgGnx3/ACv/jmMmiQHoeFfuLB17tzWp6Hw')], ['signatures', shape([ME, shape(['ed25519:DEV', leafOr('sig')])])])],
  ['rooms', shape(['\u0001roomId', shape(['sessions', shape(['s1', backupKeyShape], ['__proto__', backupKeyShape])])])],
  ['sessions', shape(['s1', backupKeyShape], ['s2', backupKeyShape])],
  ['first_message_index', leafOr(0)], ['forwarded_count', leafOr(1)], ['is_verified', leafOr(true)], ['session_data', leafOr(new Obj([]))],
);
const shapedBody: fc.Arbitrary<J> = fc.oneof(
  filterShape, powerLevelsShape, joinRulesShape, canonicalAliasShape, pushRuleShape, createRoomShape, keysShape, keyBackupShape,
  shape(['type', leafOr('m.login.password')], ['identifier', identifierShape], ['password', leafOr('wrong')], ['device_id', leafOr(new Ref('deviceId'))],
    ['initial_device_display_name', leafOr('phone')], ['refresh_token', leafOr(false)]),
  shape(['auth', authShape], ['username', leafOr('fuzzer')], ['password', leafOr('pw')], ['new_password', leafOr('pw2')], ['devices', listOf(leafOr(new Ref('deviceId')))]),
  shape(['m.fully_read', leafOr(new Ref('eventId'))], ['m.read', leafOr(new Ref('eventId'))], ['m.read.private', leafOr(new Ref('stateEventId'))], ['thread_id', leafOr('main')]),
);

const queryValue: fc.Arbitrary<Piece> = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom<SymName>('since', 'from', 'roomId', 'eventId', 'filterId', 'backupVersion').map((sym) => ({ sym })) },
  { weight: 2, arbitrary: fc.constantFrom(...NUMBER_TOKENS, '0', '10', 'b', 'f', 'x', 'true', 'false', 'event', 'content', 'join', 'online').map((raw) => ({ raw })) },
  { weight: 1, arbitrary: fc.constantFrom('{}', '{"room":{"timeline":{"limit":1}}}', '{"limit":-1}', '{"types":[1]}', '{"lazy_load_members":"yes"}', deepText(3000, 'array'), '{"room":{"rooms":[null]}}').map((s) => ({ raw: encodeAll(s) })) },
  { weight: 1, arbitrary: fc.oneof(filterShape, eventFilterShape).map((json) => ({ json })) },
  { weight: 3, arbitrary: rawPiece },
);

const queryArb = fc.array(fc.tuple(fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...QUERY_KEYS) }, { weight: 1, arbitrary: fc.string({ maxLength: 6 }).map(encodeAll) }), queryValue), { maxLength: 4 });

const contentType = fc.constantFrom(...CONTENT_TYPES);

const bodyArb: fc.Arbitrary<Body> = fc.oneof(
  { weight: 2, arbitrary: fc.constant<Body>({ kind: 'none' }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('json' as const), value: templateBody, contentType }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('json' as const), value: shapedBody, contentType }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('json' as const), value: jsonArb, contentType }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('truncated' as const), value: fc.oneof(templateBody, jsonArb), keep: fc.double({ min: 0, max: 1, noNaN: true }), contentType }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('text' as const), text: fc.constantFrom(...MALFORMED), contentType }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('text' as const), text: fc.string({ unit: 'binary', maxLength: 40 }), contentType }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('bytes' as const),
      value: fc.oneof(templateBody, shapedBody),
      keep: fc.double({ min: 0, max: 1, noNaN: true }),
      junk: fc.oneof(fc.constantFrom<number[]>([0xff], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0xf4, 0x90, 0x80, 0x80], [0x22, 0x7d], []), fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 8 })),
    }),
  },
);

const heavyBodyArb: fc.Arbitrary<Body> = fc.oneof(
  fc.record({
    kind: fc.constant('huge' as const),
    size: fc.oneof(fc.constantFrom(65_536, 70_000, 1_048_000, 1_048_576, 1_048_577, 2_000_000, 2_097_152), fc.integer({ min: 1, max: 2_100_000 })),
    shape: fc.constantFrom('string-field' as const, 'raw' as const, 'content' as const),
  }),
  fc.record({
    kind: fc.constant('deep' as const),
    depth: fc.oneof(fc.constantFrom(100, 1000, 5000, 10_000, 100_000), fc.integer({ min: 2, max: 20_000 })),
    shape: fc.constantFrom('array' as const, 'object' as const, 'content' as const, 'mixed' as const),
  }),
);

const authArb: fc.Arbitrary<Auth> = fc.oneof(
  { weight: 16, arbitrary: fc.constant<Auth>('valid') },
  { weight: 1, arbitrary: fc.constantFrom<Auth>('admin', 'other', 'none', 'garbage', 'query') },
);

function specArb(routes: RouteInfo[], bodies: fc.Arbitrary<Body>, methodsOf: (r: RouteInfo) => string[]): fc.Arbitrary<Spec> {
  return fc.constantFrom(...routes).chain((route) => {
    const names = route.url.split('/').filter((s) => s.startsWith(':')).map((s) => s.slice(1));
    const ownMethods = methodsOf(route);
    return fc.record({
      method: fc.oneof({ weight: 9, arbitrary: fc.constantFrom(...ownMethods) }, { weight: 1, arbitrary: fc.constantFrom(...METHODS) }),
      route: fc.constant(route.url),
      params: fc.tuple(...names.map(paramArb)),
      query: queryArb,
      body: bodies,
      auth: authArb,
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Requests that once failed, replayed first in every run (fast-check `examples`)

const example = (method: string, route: string, params: Piece[], body: Body, query: Spec['query'] = []): Spec =>
  ({ method, route, params, query, body, auth: 'valid' });
const json = (value: J): Body => ({ kind: 'json', value, contentType: 'application/json' });
const BACKUP_KEY = new Obj([['first_message_index', 0], ['forwarded_count', 0], ['is_verified', false], ['session_data', new Obj([])]]);
const REGRESSIONS: Spec[] = [
  // A float in content, for state the sender had set before: the "unchanged?" comparison encoded it first (500).
  example('PUT', `${V3}/rooms/:roomId/state/:eventType/`, [{ sym: 'roomId' }, { raw: 'm.room.topic' }], json(new Obj([['topic', new RawNum('5e-324')]]))),
  // 5,000 levels of [[[...]]] in event content overflowed the stack while the event was stored (500).
  example('PUT', `${V3}/rooms/:roomId/send/:eventType/:txnId`, [{ sym: 'roomId' }, { raw: 'm.room.message' }, { raw: 'deep' }], { kind: 'deep', depth: 5000, shape: 'content' }),
  example('PUT', `${V3}/rooms/:roomId/send/:eventType/:txnId`, [{ sym: 'roomId' }, { raw: 'm.room.message' }, { raw: 'deeper' }], { kind: 'deep', depth: 100_000, shape: 'content' }),
  // An unparseable Content-Type was a 415 before the body was even read.
  example('POST', `${V3}/rooms/:roomId/leave`, [{ sym: 'roomId' }], { kind: 'text', text: '', contentType: '' }),
  example('PUT', `${V3}/profile/:userId/displayname`, [{ sym: 'userId' }], { kind: 'text', text: '{"displayname":"x"}', contentType: 'garbage' }),
  // U+0000 in stored text: PostgreSQL refuses it (500 there, fine on SQLite).
  example('PUT', `${V3}/rooms/:roomId/state/:eventType/:stateKey`, [{ sym: 'roomId' }, { raw: 'org.example' }, { raw: 'a%00b' }], json(new Obj([['a', 1]]))),
  example('GET', `${V3}/directory/room/:roomAlias`, [{ raw: encodeAll('#a\u0000b:hs.test') }], { kind: 'none' }),
  example('PUT', `${V3}/profile/:userId/displayname`, [{ sym: 'userId' }], json(new Obj([['displayname', 'a\u0000b']]))),
  example('PUT', `${V3}/presence/:userId/status`, [{ sym: 'userId' }], json(new Obj([['presence', 'online'], ['status_msg', '\u0000']]))),
  example('PUT', `${V3}/devices/:deviceId`, [{ sym: 'deviceId' }], json(new Obj([['display_name', '\u0000']]))),
  example('POST', `${V3}/createRoom`, [], json(new Obj([['room_alias_name', 'a\u0000b']]))),
  example('POST', `${V3}/createRoom`, [], json(new Obj([['initial_state', [new Obj([['type', 'a\u0000'], ['state_key', ''], ['content', new Obj([])]])]]]))),
  example('POST', `${V3}/login`, [], json(new Obj([['type', 'm.login.password'], ['user', 'a\u0000'], ['password', 'x']]))),
  example('POST', `${V3}/login`, [], json(new Obj([['type', 'm.login.password'], ['identifier', new Obj([['type', 'm.id.user'], ['user', new Ref('userId')]])], ['password', 'x'], ['initial_device_display_name', '\u0000']]))),
  example('GET', `${V3}/sync`, [], { kind: 'none' }, [['filter', { raw: 'a%00b' }]]),
  // A refresh token is hashed, never compared as stored text: U+0000 is merely unknown.
  example('POST', `${V3}/refresh`, [], json(new Obj([['refresh_token', 'a\u0000b']]))),
  // The OpenID request's body is ignored, whatever it holds.
  example('POST', `${V3}/user/:userId/openid/request_token`, [{ sym: 'userId' }], json(new Obj([['a\u0000', deepText(3000, 'array')]]))),
  // Relations: a rel_type and an event type with U+0000 are compared with stored text (PostgreSQL refuses it).
  example('GET', '/_matrix/client/v1/rooms/:roomId/relations/:eventId/:relType/:eventType', [{ sym: 'roomId' }, { sym: 'eventId' }, { raw: 'm.thread%00' }, { raw: 'a%00b' }], { kind: 'none' }),
  // Key backups: a session ID with U+0000 in a body, and one named __proto__.
  example('PUT', `${V3}/room_keys/keys`, [], json(new Obj([['rooms', new Obj([['\u0001roomId', new Obj([['sessions', new Obj([['a\u0000b', BACKUP_KEY]])]])]])]])),
    [['version', { sym: 'backupVersion' }]]),
  example('PUT', `${V3}/room_keys/keys/:roomId/:sessionId`, [{ sym: 'roomId' }, { raw: '__proto__' }], json(BACKUP_KEY), [['version', { sym: 'backupVersion' }]]),
  // Search, tags and reports with U+0000: a search term is never stored, a tag is JSON content, a reason is refused.
  example('POST', `${V3}/search`, [], json(new Obj([['search_categories', new Obj([['room_events', new Obj([['search_term', 'a\u0000b']])]])]]))),
  example('PUT', `${V3}/user/:userId/rooms/:roomId/tags/:tag`, [{ sym: 'userId' }, { sym: 'roomId' }, { raw: 'a%00b' }], json(new Obj([['order', 0.5]]))),
  example('POST', `${V3}/rooms/:roomId/report`, [{ sym: 'roomId' }], json(new Obj([['reason', 'a\u0000b']]))),
  // Room upgrades: a version with U+0000 or a lone surrogate is only a version not served (400), never stored.
  example('POST', `${V3}/rooms/:roomId/upgrade`, [{ sym: 'roomId' }], json(new Obj([['new_version', 'a\u0000b']]))),
  example('POST', `${V3}/rooms/:roomId/upgrade`, [{ sym: 'roomId' }], json(new Obj([['new_version', '\ud800']]))),
  // Media: a file name that would split the header, a traversal as the media ID, a thumbnail of the picture.
  example('GET', '/_matrix/client/v1/media/download/:serverName/:mediaId/:fileName', [{ raw: 'hs.test' }, { sym: 'mediaId' }, { raw: 'a%0D%0ASet-Cookie:%20x' }], { kind: 'none' }),
  example('GET', '/_matrix/client/v1/media/download/:serverName/:mediaId', [{ raw: 'hs.test' }, { raw: '..%2F..%2Fhearth.db' }], { kind: 'none' }),
  example('GET', '/_matrix/client/v1/media/thumbnail/:serverName/:mediaId', [{ raw: 'hs.test' }, { sym: 'mediaId' }], { kind: 'none' }, [['width', { raw: '32' }], ['height', { raw: '32' }]]),
  // Synapse's room admin API, as an admin: a hostile search term and order, a deletion with a body of the wrong types.
  { ...example('GET', '/_synapse/admin/v1/rooms', [], { kind: 'none' }, [['search_term', { raw: '%25%00_' }], ['order_by', { raw: '__proto__' }], ['limit', { raw: '1e308' }]]), auth: 'admin' },
  { ...example('DELETE', '/_synapse/admin/v1/rooms/:roomId', [{ sym: 'roomId' }], json(new Obj([['new_room_user_id', new Ref('roomId')], ['purge', 'no']]))), auth: 'admin' },
  { ...example('DELETE', '/_synapse/admin/v2/rooms/:roomId', [{ sym: 'roomId' }], json(new Obj([['block', true], ['message', '\u0000']]))), auth: 'admin' },
  // Its event reports: LIKE's wildcards and a NUL in the filters, a limit past any integer.
  { ...example('GET', '/_synapse/admin/v1/event_reports', [], { kind: 'none' }, [['user_id', { raw: '%25%00_' }], ['room_id', { raw: '!%25' }], ['limit', { raw: '1e308' }]]), auth: 'admin' },
  // Suspension and locking, as an admin: a mark of the wrong type, a user ID that is not one.
  { ...example('PUT', '/_matrix/client/v1/admin/suspend/:userId', [{ sym: 'userId' }], json(new Obj([['suspended', 'yes']]))), auth: 'admin' },
  { ...example('PUT', '/_matrix/client/v1/admin/lock/:userId', [{ raw: '__proto__' }], json(new Obj([['locked', true]]))), auth: 'admin' },
  { ...example('PUT', '/_synapse/admin/v1/suspend/:userId', [{ raw: '%40a%00b%3Ahs.test' }], json(new Obj([['suspend', true]]))), auth: 'admin' },
];

// ---------------------------------------------------------------------------------------------
// The properties of every response

/** What must never appear in an error body (unless the request itself said it: errors may echo input). */
const LEAK_PATTERNS: Array<[string, RegExp]> = [
  ['stack trace', /\n\s+at\s|\bat [\w$.<>]+ \(|\bat (?:async )?[\w$.<>]+ \[?[\w$.<>]*\]? ?\(?(?:file|node):/],
  ['stack trace', /node:internal|Error: .*\n/],
  ['file path', /\/work\/|\/home\/|\/usr\/|\/tmp\/|node_modules|\.(?:ts|js|mjs|cjs):\d+|file:\/\//],
  ['SQL', /\bSQLITE_[A-Z]+|\bsyntax error\b|\bSELECT\b[\s\S]*\bFROM\b|\bINSERT INTO\b|\bUPDATE\b[\s\S]*\bSET\b|\bDELETE FROM\b|constraint failed|no such (?:table|column)|duplicate key|violates|relation "/i],
  ['internal error text', /TypeError|RangeError|ReferenceError|SyntaxError|Cannot read propert|is not a function|Maximum call stack|undefined is not|Unexpected token/],
];

/** Downloads and thumbnails answer with the file's bytes, not JSON. */
const MEDIA_READ = /^\/_matrix\/(?:client\/v1\/media|media\/(?:v3|r0))\/(?:download|thumbnail)\//;
/** A 1x1 PNG. */
const TINY_PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

function checkResponse(req: Resolved, res: LightMyRequestResponse): string | undefined {
  if (res.statusCode >= 500) return `status ${res.statusCode}: ${res.body.slice(0, 300)}`;
  // Media content: whatever its type, it goes out sandboxed, unsniffed, with a disposition.
  if (res.statusCode === 200 && MEDIA_READ.test(req.url)) {
    const safe = res.headers['x-content-type-options'] === 'nosniff' && /^sandbox;/.test(String(res.headers['content-security-policy']))
      && /^(inline|attachment)\b/.test(String(res.headers['content-disposition']));
    return safe ? undefined : `media reply without its safety headers: ${JSON.stringify(res.headers)}`;
  }
  // Every reply with a body is JSON (a HEAD reply has the headers of one, without the body).
  if (res.statusCode !== 204 && !String(res.headers['content-type'] ?? '').startsWith('application/json')) {
    return `reply ${res.statusCode} without a JSON content type: ${res.headers['content-type']}`;
  }
  if (req.method === 'HEAD' || res.statusCode === 204) return undefined;
  if (res.statusCode < 400) {
    try {
      JSON.parse(res.body);
      return undefined;
    } catch {
      return `reply ${res.statusCode} is not JSON: ${res.body.slice(0, 200)}`;
    }
  }
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(res.body) as Record<string, unknown>;
  } catch {
    return `error body is not JSON: ${res.body.slice(0, 200)}`;
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return `error body is not an object: ${res.body.slice(0, 200)}`;
  // User-interactive auth: a 401 with `flows` may omit errcode (spec), when no stage has failed yet.
  const uia = res.statusCode === 401 && Array.isArray(body.flows);
  if (!uia || body.errcode !== undefined) {
    if (typeof body.errcode !== 'string' || !/^M_[A-Z_]+$/.test(body.errcode)) return `bad errcode ${JSON.stringify(body.errcode)}: ${res.body.slice(0, 200)}`;
    if (typeof body.error !== 'string') return `error body without a string "error": ${res.body.slice(0, 200)}`;
  }
  const said = `${safeDecode(req.url)} ${req.url} ${req.payload?.toString().slice(0, 100_000) ?? ''}`;
  for (const [what, pattern] of LEAK_PATTERNS) {
    if (pattern.test(res.body) && !pattern.test(said)) return `error body leaks ${what}: ${res.body.slice(0, 300)}`;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Database digest (raw access, as test/helpers/db-scan.ts does)

/** One hash per table, over every row in storage order. */
function digestOf(db: SqliteDatabase.Database): Map<string, string> {
  const out = new Map<string, string>();
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as Array<{ name: string }>;
  for (const { name } of tables) {
    const hash = createHash('sha256');
    for (const row of db.prepare(`SELECT * FROM "${name}"`).raw().iterate()) {
      hash.update(JSON.stringify(row, (_k, v: unknown) => (Buffer.isBuffer(v) ? v.toString('base64') : typeof v === 'bigint' ? String(v) : v)));
      hash.update('\u0000');
    }
    out.set(name, hash.digest('hex'));
  }
  return out;
}

function changedTables(before: Map<string, string>, after: Map<string, string>): string[] {
  const names = new Set([...before.keys(), ...after.keys()]);
  return [...names].filter((t) => before.get(t) !== after.get(t));
}

// ---------------------------------------------------------------------------------------------

/** One server under fuzz, with its fixture ("world"), kept usable whatever the fuzzer does to it. */
class Harness {
  world!: World;
  /** Responses by status and errcode: printed, to show how deep the requests reach. */
  stats = new Map<string, number>();
  private sent = 0;
  private worlds = 0;
  /** Set when a fixture token stopped working (the fuzzer found POST /logout): new tokens before the next case. */
  private loggedOut = false;

  constructor(readonly s: TestServer, private readonly name: string) {}

  async start(): Promise<this> {
    const [alice, bob, admin] = await Promise.all([
      this.s.createUser(`alice-${this.name}`), this.s.createUser(`bob-${this.name}`), this.s.createUser(`root-${this.name}`, { admin: true }),
    ]);
    this.world = await this.freshWorld(alice, bob, admin);
    return this;
  }

  private async login(u: TestUser): Promise<TestUser> {
    // The admin API may have deactivated the user (POST /_synapse/admin/v1/deactivate): back for the next cases.
    await this.s.app.store.accounts.reactivate(u.userId);
    const issued = await this.s.app.services.sessions.issue(u.userId, undefined, null);
    return { ...u, accessToken: issued.access_token, deviceId: issued.device_id };
  }

  /** Fresh tokens (the old ones may be logged out) and a fresh room with a message, a state event, a filter and tokens. */
  private async freshWorld(alice: TestUser, bob: TestUser, admin: TestUser): Promise<World> {
    const r = rest(this.s);
    const n = ++this.worlds;
    const [a, b, root] = await Promise.all([this.login(alice), this.login(bob), this.login(admin)]);
    const roomId = await r.createRoom(a, { preset: 'public_chat', room_alias_name: `${this.name}-${n}`, name: 'Fuzz' });
    await r.join(b, roomId);
    const eventId = await r.send(a, roomId, 'a message');
    const stateEventId = await r.putState(a, roomId, 'm.room.topic', { topic: 'fuzzing' });
    const filterId = (await r.ok('POST', `/user/${encodeURIComponent(a.userId)}/filter`, a, { room: { timeline: { limit: 5 } } })).filter_id as string;
    const since = (await r.ok('GET', '/sync?timeout=0', a)).next_batch as string;
    const from = (await r.messages(a, roomId, 'dir=b&limit=1')).start as string;
    const backup = { algorithm: 'm.megolm_backup.v1.curve25519-aes-sha2', auth_data: { public_key: 'hPQNcabIABgGnx3/ACv/jmMmiQHoeFfuLB17tzWp6Hw' } };
    const backupVersion = (await r.ok('POST', '/room_keys/version', a, backup)).version as string;
    const uploaded = await this.s.app.http.inject({ method: 'POST', url: '/_matrix/media/v3/upload?filename=p.png', headers: { authorization: `Bearer ${a.accessToken}`, 'content-type': 'image/png' }, payload: TINY_PNG });
    const mediaId = (uploaded.json().content_uri as string).split('/').pop()!;
    return { alice: a, bob: b, admin: root, roomId, alias: `#${this.name}-${n}:hs.test`, eventId, stateEventId, filterId, since, from, backupVersion, mediaId };
  }

  /**
   * The fuzzer may log the fixture's users out, ban them, or take their power: fresh tokens when they were logged
   * out, and a fresh fixture now and then. Returns whether the database changed.
   */
  async maybeRefresh(): Promise<boolean> {
    const w = this.world;
    if (++this.sent % FRESH_WORLD_EVERY === 0) {
      this.world = await this.freshWorld(w.alice, w.bob, w.admin);
    } else if (this.loggedOut) {
      this.world = { ...w, alice: await this.login(w.alice), bob: await this.login(w.bob), admin: await this.login(w.admin) };
    } else {
      return false;
    }
    this.loggedOut = false;
    return true;
  }

  /** Sends one request, failing on a hang. */
  async send(spec: Spec): Promise<{ req: Resolved; res: LightMyRequestResponse }> {
    const req = resolve(spec, this.world);
    let timer: NodeJS.Timeout | undefined;
    const hang = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`hang: ${req.method} ${req.url.slice(0, 200)} took over ${HANG_MS} ms`)), HANG_MS);
    });
    try {
      const res = await Promise.race([
        this.s.app.http.inject({ method: req.method as 'GET', url: req.url, headers: req.headers, ...(req.payload === undefined ? {} : { payload: req.payload }) }),
        hang,
      ]);
      if (res.statusCode === 401 && spec.auth !== 'none' && spec.auth !== 'garbage' && res.body.includes('M_UNKNOWN_TOKEN')) this.loggedOut = true;
      const key = res.statusCode < 400 ? String(res.statusCode) : `${res.statusCode} ${/"errcode":"(\w+)"/.exec(res.body)?.[1] ?? '(no body: HEAD, or UIA)'}`;
      this.stats.set(key, (this.stats.get(key) ?? 0) + 1);
      return { req, res };
    } finally {
      clearTimeout(timer);
    }
  }

  /** Sends one request and checks the response's properties. */
  async check(spec: Spec): Promise<{ req: Resolved; res: LightMyRequestResponse }> {
    const { req, res } = await this.send(spec);
    const problem = checkResponse(req, res);
    assert.equal(problem, undefined, `${problem}\n  request: ${describeReq(req)}`);
    return { req, res };
  }

  printStats(what: string): void {
    const line = [...this.stats.entries()].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k}: ${v}`).join(', ');
    console.log(`hostile-input fuzz, ${what}: ${line}`);
    this.stats = new Map();
  }
}

const describeReq = (req: Resolved) =>
  `${req.method} ${req.url.slice(0, 300)} ${JSON.stringify(req.headers)} ${req.payload === undefined ? '(no body)' : `${req.payload.length} ${typeof req.payload === 'string' ? 'chars' : 'bytes'}: ${req.payload.toString().slice(0, 200)}`}`;

describe('hostile input fuzz', () => {
  /** The random and heavy requests: an in-memory database. */
  let main: Harness;
  /** The rejected writes: a database file of its own, kept small so that a digest of every row after each request is cheap. */
  let writes: Harness;
  let dir: string;
  let reader: SqliteDatabase.Database;
  let routes: RouteInfo[];
  const crashes: unknown[] = [];
  const onCrash = (err: unknown) => crashes.push(err);

  before(async () => {
    process.on('uncaughtException', onCrash);
    process.on('unhandledRejection', onCrash);
    dir = mkdtempSync(path.join(tmpdir(), 'hearth-fuzz-'));
    const database = path.join(dir, 'fuzz.db');
    const config = { enable_registration: true };
    main = await new Harness(await startTestServer({ config, federationRequester: NO_ONE_ELSE }), 'fuzz').start();
    writes = await new Harness(await startTestServer({ config: { ...config, database, sqlite_synchronous: 'off' }, federationRequester: NO_ONE_ELSE }), 'writes').start();
    reader = new SqliteDatabase(database, { readonly: true });
    routes = routesOf(main.s.app.http.printRoutes({ commonPrefix: false }));
    assert.ok(routes.length > 50, `routes found: ${routes.length}`);
    console.log(`hostile-input fuzz: seed=${SEED} (HEARTH_FUZZ_SEED to replay), ${TOTAL} cases over ${routes.length} routes`);
  });

  after(async () => {
    process.off('uncaughtException', onCrash);
    process.off('unhandledRejection', onCrash);
    reader?.close();
    await main?.s.close();
    await writes?.s.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('each limit (push rules and their number, filters, to-device, canonical_alias, lone surrogates, ignore lists, tokens) answers its status and errcode and changes nothing', async () => {
    // First, on a fresh fixture: the random cases below may ban or log out its users.
    const w = writes.world;
    const u = (id: string) => encodeURIComponent(id);
    const me = `${V3}/user/${u(w.alice.userId)}`;
    const room = `${V3}/rooms/${u(w.roomId)}`;
    const toDevice = (messages: unknown) => ({ messages: { [w.bob.userId]: messages } });
    const cases: Array<[string, 'GET' | 'POST' | 'PUT', string, unknown, string]> = [
      ['push rule pattern over 512 characters', 'PUT', `${V3}/pushrules/global/content/fz-long`, { pattern: 'a'.repeat(513), actions: ['notify'] }, '400 M_INVALID_PARAM'],
      ['push rule condition pattern over 512 characters', 'PUT', `${V3}/pushrules/global/override/fz-long`, { conditions: [{ kind: 'event_match', key: 'content.body', pattern: 'b'.repeat(513) }], actions: [] }, '400 M_INVALID_PARAM'],
      ['push rule with 21 conditions', 'PUT', `${V3}/pushrules/global/override/fz-many`, { conditions: Array.from({ length: 21 }, () => ({ kind: 'event_match', key: 'type', pattern: 'm.*' })), actions: [] }, '400 M_INVALID_PARAM'],
      ['filter listing 1,001 rooms', 'POST', `${me}/filter`, { room: { rooms: Array.from({ length: 1001 }, (_, i) => `!r${i}:hs.test`) } }, '400 M_BAD_JSON'],
      ['filter with a 256-character type', 'POST', `${me}/filter`, { room: { timeline: { types: ['t'.repeat(256)] } } }, '400 M_BAD_JSON'],
      ['filter over 64 Ki characters', 'POST', `${me}/filter`, { room: { timeline: { not_types: Array.from({ length: 300 }, (_, i) => `${i}`.padEnd(255, 'x')) } } }, '413 M_TOO_LARGE'],
      ['to-device content over 64 KiB', 'PUT', `${V3}/sendToDevice/m.test/fz-big`, toDevice({ [w.bob.deviceId]: { pad: 'x'.repeat(64 * 1024) } }), '413 M_TOO_LARGE'],
      ['1,001 to-device messages', 'PUT', `${V3}/sendToDevice/m.test/fz-many`, toDevice(Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`D${i}`, {}]))), '413 M_TOO_LARGE'],
      ['canonical_alias naming an alias nobody made', 'PUT', `${room}/state/m.room.canonical_alias/`, { alias: '#fz-nobody:hs.test' }, '400 M_BAD_ALIAS'],
      ['canonical_alias that is not an alias', 'PUT', `${room}/state/m.room.canonical_alias/`, { alias: 'not an alias' }, '400 M_INVALID_PARAM'],
      ['lone surrogate in a room name', 'POST', `${V3}/createRoom`, { name: 'x\ud800y' }, '400 M_BAD_JSON'],
      ['lone surrogate in a join reason', 'POST', `${room}/join`, { reason: '\udc00' }, '400 M_BAD_JSON'],
      ['ignore list that is not a map', 'PUT', `${me}/account_data/m.ignored_user_list`, { ignored_users: [w.bob.userId] }, '400 M_BAD_JSON'],
      ['ignore list naming oneself', 'PUT', `${me}/account_data/m.ignored_user_list`, { ignored_users: { [w.alice.userId]: {} } }, '400 M_BAD_JSON'],
      ['join of an unknown room', 'POST', `${V3}/rooms/${u('!fz-unknown:hs.test')}/join`, {}, '403 M_FORBIDDEN'],
      ['email pusher (no mail is sent)', 'POST', `${V3}/pushers/set`, { kind: 'email', app_id: 'm.email', pushkey: 'a@example.org', app_display_name: 'a', device_display_name: 'd', lang: 'en', data: {} }, '400 M_INVALID_PARAM'],
      ['pusher with a 513-byte pushkey', 'POST', `${V3}/pushers/set`, { kind: null, app_id: 'fz.app', pushkey: 'k'.repeat(513) }, '400 M_INVALID_PARAM'],
      ['pusher URL without the gateway path', 'POST', `${V3}/pushers/set`, { kind: 'http', app_id: 'fz.app', pushkey: 'k', app_display_name: 'a', device_display_name: 'd', lang: 'en', data: { url: 'https://gw.invalid/' } }, '400 M_INVALID_PARAM'],
      ['notifications from a token never given', 'GET', `${V3}/notifications?from=x`, undefined, '400 M_INVALID_PARAM'],
      ['publicRooms without a token', 'GET', `${V3}/publicRooms`, undefined, '401 M_MISSING_TOKEN'],
      ['search term over 1,000 characters', 'POST', `${V3}/search`, { search_categories: { room_events: { search_term: 's'.repeat(1001) } } }, '400 M_BAD_JSON'],
      ['search next_batch never given', 'POST', `${V3}/search?next_batch=x`, { search_categories: { room_events: { search_term: 's' } } }, '400 M_INVALID_PARAM'],
      ['tag name over 255 bytes', 'PUT', `${me}/rooms/${u(w.roomId)}/tags/${u('é'.repeat(128))}`, {}, '400 M_INVALID_PARAM'],
      ['report reason over 1,000 characters', 'POST', `${room}/report`, { reason: 'r'.repeat(1001) }, '400 M_BAD_JSON'],
      ['report score outside -100..0', 'POST', `${room}/report/${u(w.eventId)}`, { reason: 'r', score: 1 }, '400 M_BAD_JSON'],
    ];
    const failures: string[] = [];
    for (const [what, method, url, body, expected] of cases) {
      await settlePush(writes.s);
      const before = digestOf(reader);
      const token = expected.startsWith('401') ? undefined : w.alice.accessToken;
      const res = await writes.s.request(method, url, { ...(token === undefined ? {} : { token }), ...(body === undefined ? {} : { body }) });
      const got = `${res.statusCode} ${String(/"errcode":"(\w+)"/.exec(res.body)?.[1])}`;
      if (got !== expected) failures.push(`${what}: expected ${expected}, got ${got}: ${res.body.slice(0, 200)}`);
      const problem = checkResponse({ method, url, headers: {} }, res);
      if (problem) failures.push(`${what}: ${problem}`);
      const changed = changedTables(before, digestOf(reader));
      if (changed.length > 0) failures.push(`${what}: changed the tables ${changed.join(', ')}`);
    }
    assert.deepEqual(failures, []);

    // At most 100 rules of one's own: the 101st is refused and stores nothing; the 100 go again after, for the random cases.
    const rule = (i: number) => `${V3}/pushrules/global/content/fz-${i}`;
    const token = w.alice.accessToken;
    for (let i = 0; i < 100; i++) assert.equal((await writes.s.request('PUT', rule(i), { token, body: { pattern: `w${i}`, actions: ['notify'] } })).statusCode, 200);
    await settlePush(writes.s);
    const before = digestOf(reader);
    const refused = await writes.s.request('PUT', rule(100), { token, body: { pattern: 'one more', actions: ['notify'] } });
    assert.equal(`${refused.statusCode} ${String(refused.json().errcode)}`, '400 M_INVALID_PARAM', refused.body);
    assert.deepEqual(changedTables(before, digestOf(reader)), []);
    for (let i = 0; i < 100; i++) assert.equal((await writes.s.request('DELETE', rule(i), { token })).statusCode, 200);
  });

  it(`every route, random requests: ${RUNS.requests} cases (seed ${SEED})`, async () => {
    // HEAD answers have no body to check: it comes only with the random methods.
    const ownMethods = (r: RouteInfo) => r.methods.filter((m) => m !== 'HEAD');
    await fc.assert(fc.asyncProperty(specArb(routes, bodyArb, ownMethods), async (spec) => {
      await main.maybeRefresh();
      await main.check(spec);
    }), { seed: SEED, numRuns: RUNS.requests, examples: REGRESSIONS.map((spec) => [spec]) });
    main.printStats('random requests');
  });

  it(`every route, huge bodies (to ~2 MB, past max_request_bytes) and deep nesting (to 100,000 levels): ${RUNS.heavy} cases (seed ${SEED})`, async () => {
    const withBody = (r: RouteInfo) => r.methods.filter((m) => m !== 'GET' && m !== 'HEAD').concat(['POST']).slice(0, 3);
    await fc.assert(fc.asyncProperty(specArb(routes, heavyBodyArb, withBody), async (spec) => {
      await main.maybeRefresh();
      await main.check(spec);
    }), { seed: SEED + 1, numRuns: RUNS.heavy });
    main.printStats('huge and deep bodies');
  });

  it(`rejected writes leave the database unchanged: ${RUNS.rejectedWrites} cases (seed ${SEED})`, async () => {
    const writeRoutes = routes.filter((r) => r.methods.some((m) => m === 'POST' || m === 'PUT' || m === 'DELETE'));
    const writeMethods = (r: RouteInfo) => r.methods.filter((m) => m === 'POST' || m === 'PUT' || m === 'DELETE');
    const bodies = fc.oneof({ weight: 6, arbitrary: bodyArb }, { weight: 1, arbitrary: heavyBodyArb });
    let rejected = 0;
    await fc.assert(fc.asyncProperty(specArb(writeRoutes, bodies, writeMethods), async (spec) => {
      await writes.maybeRefresh();
      // Background work for the writes accepted before (push recording) is done first, so that the
      // comparison sees this request's effect only.
      await settlePush(writes.s);
      const baseline = digestOf(reader);
      const { req, res } = await writes.check(spec);
      const now = digestOf(reader);
      // A user-interactive-auth challenge (401 with `flows`) is not a rejection: it opens the session that the
      // client's next request continues, so it is the one 4xx that writes (a `uia_sessions` row).
      const challenge = res.statusCode === 401 && /"flows"/.test(res.body);
      if (res.statusCode >= 400 && !challenge) {
        const changed = changedTables(baseline, now);
        assert.deepEqual(changed, [], `a rejected write (${res.statusCode} ${res.body.slice(0, 200)}) changed the tables ${changed.join(', ')}\n  request: ${describeReq(req)}`);
        rejected++;
      }
    }), { seed: SEED + 2, numRuns: RUNS.rejectedWrites, examples: REGRESSIONS.filter((spec) => spec.method !== 'GET').map((spec) => [spec]) });
    writes.printStats('writes');
    console.log(`hostile-input fuzz: ${rejected} of ${RUNS.rejectedWrites} writes were rejected, each leaving the database unchanged`);
    assert.ok(rejected > RUNS.rejectedWrites / 2, `too few rejected writes to mean anything: ${rejected}`);
  });

  it(`every route on PostgreSQL, random requests: ${RUNS.postgres} cases (seed ${SEED})`, { skip: process.env.TEST_POSTGRES_URL ? false : POSTGRES_SKIP_REASON }, async () => {
    const pg = await new Harness(await startTestServer({ backend: 'postgres', config: { enable_registration: true }, federationRequester: NO_ONE_ELSE }), 'pg').start();
    try {
      const ownMethods = (r: RouteInfo) => r.methods.filter((m) => m !== 'HEAD');
      await fc.assert(fc.asyncProperty(specArb(routes, bodyArb, ownMethods), async (spec) => {
        await pg.maybeRefresh();
        await pg.check(spec);
      }), { seed: SEED + 3, numRuns: RUNS.postgres, examples: REGRESSIONS.map((spec) => [spec]) });
      pg.printStats('random requests on PostgreSQL');
    } finally {
      await pg.s.close();
    }
  });

  it(`writes at the per-user quotas: random account data, key and filter uploads get 200 or 403 M_USER_LIMIT_EXCEEDED, never a 5xx, and never pass a quota: ${RUNS.quotas} cases (seed ${SEED})`, async () => {
    const limits = { account_data_entries: 4, account_data_bytes: 2048, filters: 2, devices: 3, one_time_keys_per_device: 5 };
    const s = await startTestServer({ config: { quotas: limits } });
    try {
      const alice = await s.createUser('quota');
      const enc = encodeURIComponent;
      const write = fc.oneof(
        fc.record({ kind: fc.constant('data' as const), room: fc.boolean(), type: fc.constantFrom('x.a', 'x.b', 'x.c', 'x.d', 'x.e', 'x.f'), size: fc.nat(1500) }),
        fc.record({ kind: fc.constant('keys' as const), ids: fc.array(fc.nat(12), { maxLength: 8 }), fallback: fc.option(fc.constantFrom('alg1', 'alg2', 'alg3')) }),
        fc.record({ kind: fc.constant('filter' as const), size: fc.nat(100) }),
        fc.record({ kind: fc.constant('login' as const) }),
      );
      await fc.assert(fc.asyncProperty(write, async (w) => {
        const [method, url, body] = w.kind === 'data'
          ? ['PUT', `${V3}/user/${enc(alice.userId)}/${w.room ? `rooms/${enc('!q:hs.test')}/` : ''}account_data/${w.type}`, { pad: 'p'.repeat(w.size) }]
          : w.kind === 'keys'
            ? ['POST', `${V3}/keys/upload`, {
              one_time_keys: Object.fromEntries(w.ids.map((i) => [`signed_curve25519:K${i}`, `key${i}`])),
              ...(w.fallback ? { fallback_keys: { [`${w.fallback}:F`]: 'fallback' } } : {}),
            }]
            : w.kind === 'filter'
              ? ['POST', `${V3}/user/${enc(alice.userId)}/filter`, { event_fields: ['x'.repeat(w.size)] }]
              : ['POST', `${V3}/login`, { type: 'm.login.password', identifier: { type: 'm.id.user', user: 'quota' }, password: alice.password }];
        const res = await s.request(method, url, { ...(w.kind === 'login' ? {} : { token: alice.accessToken }), body });
        if (res.statusCode !== 200) {
          assert.equal(res.statusCode, 403, res.body);
          assert.equal(res.json().errcode, 'M_USER_LIMIT_EXCEEDED', res.body);
        }
        const store = s.app.store;
        const usage = await store.accountData.usage(alice.userId as never, []);
        assert.ok(usage.entries <= limits.account_data_entries && usage.bytes <= limits.account_data_bytes, JSON.stringify(usage));
        assert.ok((await store.devices.count(alice.userId as never)) <= limits.devices);
        const keys = Object.values(await store.e2ee.oneTimeKeys.counts(alice.userId as never, alice.deviceId as never)).reduce((a, b) => a + b, 0)
          + (await store.e2ee.fallbackKeys.algorithms(alice.userId as never, alice.deviceId as never)).length;
        assert.ok(keys <= limits.one_time_keys_per_device, `${keys} keys`);
      }), { seed: SEED + 4, numRuns: RUNS.quotas });
    } finally {
      await s.close();
    }
  });

  it(`${TOTAL} cases in all on SQLite; nothing crashed and both servers still answer`, async () => {
    assert.ok(TOTAL >= 10_000 || SCALE < 1, `at least 10,000 cases a run (got ${TOTAL})`);
    assert.deepEqual(crashes, []);
    for (const h of [main, writes]) {
      const res = await h.s.request('GET', '/_matrix/client/versions');
      assert.equal(res.statusCode, 200);
      await h.maybeRefresh();
      const who = await h.s.request('GET', '/_matrix/client/v3/account/whoami', { token: h.world.alice.accessToken });
      assert.ok(who.statusCode === 200 || who.statusCode === 401, who.body);
    }
  });
});
