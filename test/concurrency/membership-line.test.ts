// 200 concurrent membership requests (join, leave, kick, ban, invite) on one room from 50 users.
// Whatever the interleaving, the room must stay one line of events, each authorised against the
// state before it, and its current state must be the replay of its events.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { describe } from 'node:test';
import { forEachBackend } from '../helpers/backends.js';
import { V3 } from '../helpers/rest.js';
import { authProblems, dumpRooms, lineProblems, replayState, stateKey } from '../helpers/room-replay.js';
import { startTestServer, type TestServer, type TestUser } from '../helpers/test-server.js';
import { seededRandom } from '../helpers/seeded-random.js';

const USERS = 50;
const MODERATORS = 10;
const REQUESTS = 200;
const SEED = Number(process.env.MEMBERSHIP_SEED ?? Math.floor(Math.random() * 2 ** 31));

forEachBackend('membership requests racing on one room', (backend) => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer({ backend, sqliteFile: true });
  });
  after(() => s.close());

  it(`${REQUESTS} concurrent requests from ${USERS} users leave one authorised line whose replay is the state`, { timeout: 80_000 }, async () => {
    console.log(`membership-line [${backend}] seed: ${SEED} (rerun with MEMBERSHIP_SEED=${SEED})`);
    const rng = seededRandom(SEED);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!;
    const owner = await s.createUser('owner');
    const users: TestUser[] = [];
    for (let i = 0; i < USERS; i++) users.push(await s.createUser(`racer${i}`));
    const moderators = users.slice(0, MODERATORS);
    const created = await s.request('POST', `${V3}/createRoom`, {
      token: owner.accessToken,
      body: {
        preset: 'public_chat',
        power_level_content_override: { users: { [owner.userId]: 100, ...Object.fromEntries(moderators.map((m) => [m.userId, 50])) } },
      },
    });
    assert.equal(created.statusCode, 200, created.body);
    const roomId = created.json().room_id as string;
    const r = `${V3}/rooms/${encodeURIComponent(roomId)}`;
    // Half of the users (moderators among them) are in the room before the race, so that leaves and kicks have targets.
    for (const u of users.slice(0, USERS / 2)) {
      const res = await s.request('POST', `${r}/join`, { token: u.accessToken, body: {} });
      assert.equal(res.statusCode, 200, res.body);
    }

    const ops = ['join', 'leave', 'kick', 'ban', 'invite'] as const;
    const requests = Array.from({ length: REQUESTS }, () => {
      const op = pick(ops);
      const actor = op === 'kick' || op === 'ban' || op === 'invite' ? pick(moderators) : pick(users);
      const target = pick(users.filter((u) => u !== actor));
      switch (op) {
        case 'join': return { op, send: () => s.request('POST', `${r}/join`, { token: actor.accessToken, body: {} }) };
        case 'leave': return { op, send: () => s.request('POST', `${r}/leave`, { token: actor.accessToken, body: { reason: 'racing' } }) };
        default: return { op, send: () => s.request('POST', `${r}/${op}`, { token: actor.accessToken, body: { user_id: target.userId, reason: 'racing' } }) };
      }
    });
    const started = Date.now();
    const replies = await Promise.all(requests.map((q) => q.send()));
    const elapsed = Date.now() - started;

    const counts: Record<string, Record<string, number>> = {};
    replies.forEach((res, i) => {
      const op = requests[i]!.op;
      const outcome = res.statusCode === 200 ? '200' : `${res.statusCode} ${String((res.json() as { errcode?: string }).errcode)}`;
      counts[op] ??= {};
      counts[op][outcome] = (counts[op][outcome] ?? 0) + 1;
      // Refusals are fine (a ban can beat a join); server errors are not.
      assert.ok(res.statusCode < 500, `${op}: ${res.statusCode} ${res.body}`);
    });
    const accepted = replies.filter((res) => res.statusCode === 200).length;

    const [dump] = await dumpRooms(s.database, [roomId]);
    assert.ok(dump);
    assert.deepEqual(lineProblems(dump), [], 'the room is not one line, or state_entries/memberships differ from the replay');
    assert.deepEqual(authProblems(dump), [], 'events fail the auth rules against the state before them');

    const replay = replayState(dump.events.map((e) => e.event));
    const apiState = await s.request('GET', `${r}/state`, { token: owner.accessToken });
    assert.equal(apiState.statusCode, 200);
    const apiIds = new Map((apiState.json() as Array<{ type: string; state_key: string; event_id: string }>).map((e) => [stateKey(e.type, e.state_key), e.event_id]));
    assert.deepEqual(apiIds, new Map([...replay].map(([k, e]) => [k, e.event_id as string])), 'GET /state differs from the replay');

    // An accepted request writes at most one event (a repeated join or a leave of someone already
    // gone may be acknowledged without one).
    const memberEventsDuringRace = dump.events.filter((e) => e.event.type === 'm.room.member').length - (USERS / 2 + 1);
    assert.ok(memberEventsDuringRace <= accepted, `${memberEventsDuringRace} member events for ${accepted} accepted requests`);

    const finalMemberships: Record<string, number> = {};
    for (const [key, e] of replay) {
      if (!key.startsWith('m.room.member\u0000')) continue;
      const m = (e.content as { membership: string }).membership;
      finalMemberships[m] = (finalMemberships[m] ?? 0) + 1;
    }
    console.log(`membership-line [${backend}]: ${REQUESTS} requests in ${elapsed} ms; replies ${JSON.stringify(counts)}; ` +
      `${accepted} accepted, ${memberEventsDuringRace} member events written; ${dump.events.length} events in the line, all authorised; ` +
      `final memberships ${JSON.stringify(finalMemberships)}`);
  });
}, describe);
