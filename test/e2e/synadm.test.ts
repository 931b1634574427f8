// Synapse's admin API proven with the real admin tool: synadm against a Hearth process. Each command's
// JSON output is checked, not only its exit code.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { exitOf, freePort, runHearth, spawnHearth, waitForHttp } from '../helpers/child-server.js';
import { rowsMentioning } from '../helpers/db-scan.js';
import { synadmFor, synadmSkip, type Synadm } from '../helpers/synadm.js';

const SERVER = 'syn.test';
const ALICE = `@alice:${SERVER}`;
type Json = Record<string, unknown>;

describe('synadm against Hearth', { skip: synadmSkip, timeout: 180_000 }, () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'hearth-synadm-e2e-'));
  const dataDir = path.join(dir, 'data');
  let child: ChildProcess;
  let base: string;
  let synadm: Synadm;

  before(async () => {
    const reg = await runHearth(['register-user', 'root', '--admin', '--password', 'root password', '--data-dir', dataDir, '--server-name', SERVER]);
    assert.equal(reg.code, 0, reg.stderr);
    const port = await freePort();
    child = spawnHearth(['serve', '--port', String(port), '--data-dir', dataDir, '--server-name', SERVER], { HEARTH_DISABLE_RATE_LIMITS: 'true' });
    base = `http://127.0.0.1:${port}`;
    await waitForHttp(`${base}/_matrix/client/versions`);
    const login = await fetch(`${base}/_matrix/client/v3/login`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'm.login.password', identifier: { type: 'm.id.user', user: 'root' }, password: 'root password' }),
    });
    assert.equal(login.status, 200);
    const { access_token: token } = (await login.json()) as { access_token: string };
    synadm = synadmFor({ baseUrl: base, user: `@root:${SERVER}`, token, homeserver: SERVER });
  });
  after(async () => {
    synadm?.close();
    if (child) {
      child.kill('SIGTERM');
      assert.equal(await exitOf(child), 0);
    }
    rmSync(dir, { recursive: true, force: true });
  });

  async function ok(args: string[]): Promise<Json> {
    const res = await synadm.run(args);
    assert.equal(res.code, 0, `synadm ${args.join(' ')}: ${res.stdout}${res.stderr}`);
    assert.ok(res.last && typeof res.last === 'object', `synadm ${args.join(' ')} printed no JSON: ${res.stdout}`);
    return res.last as Json;
  }

  /** One client-server request to the running Hearth, as `token`'s user. */
  async function client(method: string, route: string, token: string, body?: unknown): Promise<{ status: number; json: Json }> {
    const res = await fetch(`${base}/_matrix/client/v3${route}`, {
      method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, json: (await res.json()) as Json };
  }

  async function login(user: string, password: string): Promise<string> {
    const res = await fetch(`${base}/_matrix/client/v3/login`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'm.login.password', identifier: { type: 'm.id.user', user }, password }),
    });
    assert.equal(res.status, 200);
    return ((await res.json()) as { access_token: string }).access_token;
  }

  it('version', async () => {
    assert.match(String((await ok(['version'])).server_version), /^Hearth \d+\.\d+\.\d+/);
  });

  it('user modify creates and changes accounts; user details and user list show them', async () => {
    const created = await ok(['user', 'modify', ALICE, '-P', 'alice password', '--display-name', 'Alice']);
    assert.equal(created.name, ALICE);
    assert.equal(created.displayname, 'Alice');
    assert.equal(created.admin, false);
    const login = await fetch(`${base}/_matrix/client/v3/login`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'm.login.password', identifier: { type: 'm.id.user', user: 'alice' }, password: 'alice password' }),
    });
    assert.equal(login.status, 200);

    const promoted = await ok(['user', 'modify', ALICE, '--admin']);
    assert.equal(promoted.admin, true);
    const details = await ok(['user', 'details', ALICE]);
    assert.equal(details.name, ALICE);
    assert.equal(details.admin, true);
    assert.equal(details.deactivated, false);

    const list = await ok(['user', 'list']);
    assert.equal(list.total, 2);
    assert.deepEqual((list.users as Json[]).map((u) => u.name), [ALICE, `@root:${SERVER}`]);
    const searched = await ok(['user', 'list', '--name', 'ali']);
    assert.deepEqual((searched.users as Json[]).map((u) => u.name), [ALICE]);
  });

  it('user whois, then user deactivate: the account leaves the default list', async () => {
    const whois = await ok(['user', 'whois', ALICE]);
    assert.equal(whois.user_id, ALICE);
    assert.equal(Object.keys(whois.devices as Json).length, 1);

    const res = await synadm.run(['user', 'deactivate', ALICE]);
    assert.equal(res.code, 0, res.stdout + res.stderr);
    // synadm shows the account and its rooms first, then deactivates it.
    const [shown, rooms, done] = res.json as Json[];
    assert.equal(shown?.name, ALICE);
    assert.deepEqual(rooms, { joined_rooms: [], total: 0 });
    assert.deepEqual(done, { id_server_unbind_result: 'no-support' });
    assert.equal((await ok(['user', 'details', ALICE])).deactivated, true);
    assert.deepEqual(((await ok(['user', 'list'])).users as Json[]).map((u) => u.name), [`@root:${SERVER}`]);
    const all = await ok(['user', 'list', '--deactivated']);
    assert.deepEqual((all.users as Json[]).map((u) => [u.name, u.deactivated]), [[ALICE, true], [`@root:${SERVER}`, false]]);
  });
  it('regtok new, list and delete', async () => {
    const made = await ok(['regtok', 'new']);
    assert.match(String(made.token), /^[A-Za-z0-9._~-]{16}$/);
    assert.deepEqual({ ...made, token: 'x' }, { token: 'x', uses_allowed: null, pending: 0, completed: 0, expiry_time: null });
    const named = await ok(['regtok', 'new', '--token', 'party-2026', '--uses-allowed', '3']);
    assert.deepEqual(named, { token: 'party-2026', uses_allowed: 3, pending: 0, completed: 0, expiry_time: null });
    const listed = await ok(['regtok', 'list', '--timestamp']);
    assert.deepEqual((listed.registration_tokens as Json[]).map((t) => t.token).sort(), [made.token, 'party-2026'].sort());
    assert.deepEqual(((await ok(['regtok', 'list', '--valid'])).registration_tokens as Json[]).length, 2);

    const deleted = await synadm.run(['regtok', 'delete', 'party-2026']);
    assert.equal(deleted.code, 0, deleted.stdout + deleted.stderr);
    // synadm prints this line only when the answer is {}.
    assert.match(deleted.stdout, /Registration token successfully deleted/);
    assert.deepEqual(((await ok(['regtok', 'list'])).registration_tokens as Json[]).map((t) => t.token), [made.token]);
  });

  it('room list, details, members and state, then room delete: members get the message, the room is purged and blocked', async () => {
    const BOB = `@bob:${SERVER}`;
    const CAROL = `@carol:${SERVER}`;
    await ok(['user', 'modify', BOB, '-P', 'bob password']);
    await ok(['user', 'modify', CAROL, '-P', 'carol password']);
    const bob = await login('bob', 'bob password');
    const carol = await login('carol', 'carol password');
    const created = await client('POST', '/createRoom', bob, { preset: 'public_chat', name: 'Doomed', room_alias_name: 'doomed' });
    assert.equal(created.status, 200);
    const roomId = String(created.json.room_id);
    assert.equal((await client('POST', `/rooms/${encodeURIComponent(roomId)}/join`, carol, {})).status, 200);
    const sent = await client('PUT', `/rooms/${encodeURIComponent(roomId)}/send/m.room.message/t1`, bob, { msgtype: 'm.text', body: 'hello' });
    assert.equal(sent.status, 200);

    const list = await ok(['room', 'list']);
    assert.equal(list.total_rooms, 1);
    assert.deepEqual((list.rooms as Json[]).map((r) => [r.room_id, r.name, r.canonical_alias, r.joined_members, r.creator]),
      [[roomId, 'Doomed', `#doomed:${SERVER}`, 2, BOB]]);
    assert.deepEqual(((await ok(['room', 'list', '--name', 'nothing-like-it'])).rooms as Json[]), []);
    const details = await ok(['room', 'details', roomId]);
    assert.deepEqual([details.room_id, details.name, details.joined_members, details.join_rules, details.public],
      [roomId, 'Doomed', 2, 'public', false]);
    const members = await ok(['room', 'members', roomId]);
    assert.deepEqual({ ...members, members: [...(members.members as string[])].sort() }, { members: [BOB, CAROL], total: 2 });
    const state = (await ok(['room', 'state', roomId])).state as Json[];
    const stateOf = (type: string, key = ''): Json | undefined => state.find((e) => e.type === type && e.state_key === key);
    assert.equal(stateOf('m.room.create')?.sender, BOB);
    assert.deepEqual(stateOf('m.room.name')?.content, { name: 'Doomed' });
    assert.equal((stateOf('m.room.member', CAROL)?.content as Json).membership, 'join');
    const eventIds = state.map((e) => String(e.event_id)).concat(String(sent.json.event_id));

    // First without the purge, so that the members' next /sync still finds the room: they get the message.
    const since = String((await client('GET', '/sync', carol)).json.next_batch);
    const message = 'Closed by the moderators';
    const deleted = await synadm.run(['room', 'delete', roomId, '--message', message, '--block', '--no-purge']);
    assert.equal(deleted.code, 0, deleted.stdout + deleted.stderr);
    // synadm shows the room and its members first, then deletes it.
    const [shown, shownMembers, answer] = deleted.json as Json[];
    assert.equal(shown?.room_id, roomId);
    assert.equal(shownMembers?.total, 2);
    assert.deepEqual({ ...answer, kicked_users: [...(answer?.kicked_users as string[])].sort() },
      { kicked_users: [BOB, CAROL], failed_to_kick_users: [], local_aliases: [`#doomed:${SERVER}`], new_room_id: null });

    const carolSync = await client('GET', `/sync?since=${encodeURIComponent(since)}`, carol);
    const left = ((carolSync.json.rooms as Json).leave as Record<string, Json>)[roomId];
    assert.ok(left, JSON.stringify(carolSync.json.rooms));
    const leave = ((left.timeline as Json).events as Json[]).at(-1) as Json;
    assert.deepEqual([leave.type, leave.state_key, (leave.content as Json).membership, (leave.content as Json).reason],
      ['m.room.member', CAROL, 'leave', message]);
    assert.deepEqual(((await ok(['room', 'list'])).rooms as Json[]).map((r) => [r.room_id, r.joined_members]), [[roomId, 0]]);

    // Then the purge: the room leaves the list, and no row of the room or its events is left; only the
    // block (which outlives the room) names it.
    const purged = await synadm.run(['room', 'delete', roomId]);
    assert.equal(purged.code, 0, purged.stdout + purged.stderr);
    assert.deepEqual(purged.last, { kicked_users: [], failed_to_kick_users: [], local_aliases: [], new_room_id: null });
    assert.deepEqual(await ok(['room', 'list']), { rooms: [], offset: 0, total_rooms: 0 });
    const database = { kind: 'sqlite' as const, path: path.join(dataDir, 'hearth.db') };
    assert.deepEqual((await rowsMentioning(database, roomId)).map((row) => row.split(':')[0]), ['room_blocks']);
    for (const id of eventIds) assert.deepEqual(await rowsMentioning(database, id), [], id);
    const rejoin = await client('POST', `/rooms/${encodeURIComponent(roomId)}/join`, carol, {});
    assert.deepEqual([rejoin.status, rejoin.json.errcode], [403, 'M_FORBIDDEN']);
  });
});
