// Two `hearth serve` processes on one PostgreSQL database behave as one server: a long-poll on one
// wakes for a commit on the other (LISTEN/NOTIFY), typing travels between them, sync tokens work on
// either, membership changes racing through both keep each room one line of events, and the purge
// of forgotten rooms deletes each room once.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freshDatabase, POSTGRES_SKIP_REASON } from '../helpers/backends.js';
import { exitOf, freePort, spawnHearth, waitForHttp } from '../helpers/child-server.js';
import { rowsMentioning } from '../helpers/db-scan.js';
import { V3 } from '../helpers/rest.js';
import { authProblems, dumpRooms, lineProblems } from '../helpers/room-replay.js';

const skip = process.env.TEST_POSTGRES_URL ? false : POSTGRES_SKIP_REASON;

interface Proc { base: string; child: ChildProcess; logs: string }
interface User { userId: string; token: string }
type Reply = { status: number; body: Record<string, unknown> };

async function call(base: string, method: string, url: string, token?: string, body?: unknown): Promise<Reply> {
  const res = await fetch(`${base}${url}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function ok(base: string, method: string, url: string, token?: string, body?: unknown): Promise<Record<string, unknown>> {
  const res = await call(base, method, url, token, body);
  assert.equal(res.status, 200, `${method} ${url}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

describe('two Hearth processes on one PostgreSQL database', { skip }, () => {
  let dataDir: string;
  let drop: () => Promise<void>;
  let url: string;
  const procs: Proc[] = [];
  let a: string;
  let b: string;

  const start = async (): Promise<Proc> => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const child = spawnHearth(['serve', '--port', String(port), '--data-dir', dataDir, '--server-name', 'scale.test',
      '--enable-registration', '--disable-rate-limits', '--database', url, '--config', path.join(dataDir, 'hearth.yaml')]);
    const proc: Proc = { base, child, logs: '' };
    child.stdout?.on('data', (d) => (proc.logs += d));
    child.stderr?.on('data', (d) => (proc.logs += d));
    await waitForHttp(`${base}/_matrix/client/versions`);
    assert.equal(child.exitCode, null, proc.logs);
    procs.push(proc);
    return proc;
  };

  const register = async (base: string, username: string): Promise<User> => {
    const first = await call(base, 'POST', `${V3}/register`, undefined, { username });
    assert.equal(first.status, 401, JSON.stringify(first.body));
    const done = await ok(base, 'POST', `${V3}/register`, undefined, { username, auth: { type: 'm.login.dummy', session: first.body.session } });
    return { userId: String(done.user_id), token: String(done.access_token) };
  };

  const room = (roomId: string) => `${V3}/rooms/${encodeURIComponent(roomId)}`;

  before(async () => {
    const fresh = await freshDatabase('postgres');
    drop = fresh.drop;
    assert.equal(fresh.database.kind, 'postgres');
    url = fresh.database.kind === 'postgres' ? fresh.database.url : '';
    dataDir = mkdtempSync(path.join(tmpdir(), 'hearth-scaleout-'));
    // Purge forgotten rooms one second after the last forget, looking every second.
    writeFileSync(path.join(dataDir, 'hearth.yaml'), 'forgotten_room_retention: 1s\nlog_level: info\n');
    // The first process creates the signing key; the second finds it (both sign as scale.test).
    a = (await start()).base;
    b = (await start()).base;
  });

  after(async () => {
    for (const p of procs) {
      p.child.kill('SIGTERM');
      await exitOf(p.child);
    }
    await drop?.();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('a leave on B wakes a long-poll /sync on A, with the reason', { timeout: 40_000 }, async () => {
    const alice = await register(a, 'alice');
    const bob = await register(b, 'bob');
    const roomId = String((await ok(a, 'POST', `${V3}/createRoom`, alice.token, { preset: 'public_chat' })).room_id);
    await ok(b, 'POST', `${room(roomId)}/join`, bob.token, {});
    const initial = await ok(a, 'GET', `${V3}/sync?timeout=0`, alice.token);

    const started = Date.now();
    const poll = ok(a, 'GET', `${V3}/sync?timeout=30000&since=${String(initial.next_batch)}`, alice.token);
    await new Promise((r) => setTimeout(r, 300)); // let the long-poll start waiting on A
    await ok(b, 'POST', `${room(roomId)}/leave`, bob.token, { reason: 'moving to process B' });
    const woken = await poll;
    const elapsed = Date.now() - started;
    const timeline = ((woken.rooms as { join: Record<string, { timeline: { events: Array<Record<string, unknown>> } }> }).join[roomId]?.timeline.events) ?? [];
    const leave = timeline.find((e) => e.type === 'm.room.member' && e.state_key === bob.userId);
    assert.ok(leave, `A's sync returned without bob's leave: ${JSON.stringify(woken)}`);
    assert.deepEqual(leave.content, { membership: 'leave', reason: 'moving to process B' });
    // Woken by the commit on B, not by the 30 s timeout (which would have answered at ~30 s).
    assert.ok(elapsed < 25_000, `the long-poll on A ended after ${elapsed} ms`);
    console.log(`scale-out: long-poll on A returned ${elapsed - 300} ms after the leave was sent to B`);
  });

  it('typing on B reaches a /sync on A; a sync token from A works on B', { timeout: 40_000 }, async () => {
    const carol = await register(a, 'carol');
    const dave = await register(b, 'dave');
    const roomId = String((await ok(a, 'POST', `${V3}/createRoom`, carol.token, { preset: 'public_chat' })).room_id);
    await ok(b, 'POST', `${room(roomId)}/join`, dave.token, {});
    const initial = await ok(a, 'GET', `${V3}/sync?timeout=0`, carol.token);

    const poll = ok(a, 'GET', `${V3}/sync?timeout=30000&since=${String(initial.next_batch)}`, carol.token);
    await new Promise((r) => setTimeout(r, 300));
    await ok(b, 'PUT', `${room(roomId)}/typing/${encodeURIComponent(dave.userId)}`, dave.token, { typing: true, timeout: 20_000 });
    const typed = await poll;
    const ephemeral = (typed.rooms as { join: Record<string, { ephemeral: { events: Array<{ type: string; content: { user_ids?: string[] } }> } }> }).join[roomId]?.ephemeral.events ?? [];
    assert.deepEqual(ephemeral.find((e) => e.type === 'm.typing')?.content.user_ids, [dave.userId], JSON.stringify(typed));

    // The client moves to B (a load balancer's choice) with A's token: only what is new comes back.
    await ok(a, 'PUT', `${room(roomId)}/send/m.room.message/t1`, carol.token, { msgtype: 'm.text', body: 'after the token' });
    const onB = await ok(b, 'GET', `${V3}/sync?timeout=0&since=${String(typed.next_batch)}`, carol.token);
    const events = (onB.rooms as { join: Record<string, { timeline: { events: Array<{ type: string; content: { body?: string } }> } }> }).join[roomId]?.timeline.events ?? [];
    assert.deepEqual(events.map((e) => e.content.body), ['after the token']);
  });

  it('200 membership changes on one room, split across A and B, keep one authorised line of events', { timeout: 90_000 }, async () => {
    const owner = await register(a, 'owner');
    const users: User[] = [];
    for (let i = 0; i < 40; i++) users.push(await register(i % 2 ? b : a, `racer${i}`));
    const moderators = users.slice(0, 8);
    const roomId = String((await ok(a, 'POST', `${V3}/createRoom`, owner.token, {
      preset: 'public_chat',
      power_level_content_override: { users: { [owner.userId]: 100, ...Object.fromEntries(moderators.map((m) => [m.userId, 50])) } },
    })).room_id);
    for (const u of users.slice(0, 20)) await ok(b, 'POST', `${room(roomId)}/join`, u.token, {});

    const ops = ['join', 'leave', 'kick', 'ban', 'invite'] as const;
    const replies = await Promise.all(Array.from({ length: 200 }, (_, i) => {
      const base = i % 2 ? b : a;
      const op = ops[i % ops.length]!;
      const actor = op === 'join' || op === 'leave' ? users[(i * 7) % users.length]! : moderators[i % moderators.length]!;
      const target = users[(i * 13 + 5) % users.length]!;
      const body = op === 'join' ? {} : op === 'leave' ? { reason: 'racing' } : { user_id: target.userId, reason: 'racing' };
      return call(base, 'POST', `${room(roomId)}/${op}`, actor.token, body);
    }));
    for (const res of replies) assert.ok(res.status < 500, `${res.status} ${JSON.stringify(res.body)}`);

    const [dump] = await dumpRooms({ kind: 'postgres', url }, [roomId]);
    assert.ok(dump);
    assert.deepEqual(lineProblems(dump), [], 'the room is not one line of events');
    assert.deepEqual(authProblems(dump), [], 'events fail the auth rules against the state before them');
    const accepted = replies.filter((r) => r.status === 200).length;
    console.log(`scale-out: 200 requests over two processes, ${accepted} accepted, ${dump.events.length} events in one line`);
    assert.ok(accepted > 20, `only ${accepted} requests were accepted`);
  });

  it('rooms every user forgot are purged once, by one of the processes', { timeout: 60_000 }, async () => {
    const erin = await register(b, 'erin');
    const rooms: string[] = [];
    for (let i = 0; i < 6; i++) {
      const roomId = String((await ok(i % 2 ? a : b, 'POST', `${V3}/createRoom`, erin.token, { name: `purge ${i}` })).room_id);
      await ok(i % 2 ? b : a, 'POST', `${room(roomId)}/leave`, erin.token, {});
      await ok(i % 2 ? a : b, 'POST', `${room(roomId)}/forget`, erin.token, {});
      rooms.push(roomId);
    }
    const purgedBy = (roomId: string) => procs.filter((p) => p.logs.split('\n').some((line) => line.includes('purged a room') && line.includes(roomId))).length;
    for (let i = 0; i < 200 && !rooms.every((r) => purgedBy(r) > 0); i++) await new Promise((r) => setTimeout(r, 100));
    for (const roomId of rooms) {
      assert.equal(purgedBy(roomId), 1, `${roomId} was purged by ${purgedBy(roomId)} processes`);
      assert.deepEqual(await rowsMentioning({ kind: 'postgres', url }, roomId), [], `rows still mention ${roomId}`);
    }
  });
});
