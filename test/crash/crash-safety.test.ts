// Crash safety: Hearth runs as a child process while several users change their memberships
// concurrently over HTTP; it is SIGKILLed at seeded random moments and restarted on the same data.
// After each restart every acknowledged request must be reflected, no event may be half-written,
// each room must still be one line, and replaying a room's events must give its current state.
// CRASH_SEED=<n> replays a run.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { POSTGRES_SKIP_REASON, type BackendName } from '../helpers/backends.js';
import { ConnectionLost, crashableServer, type Reply } from '../helpers/crash-server.js';
import { V3 } from '../helpers/rest.js';
import { authProblems, dumpRooms, lineProblems, stateKey } from '../helpers/room-replay.js';
import { seededRandom } from '../helpers/seeded-random.js';

const SEED = Number(process.env.CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31));
console.log(`crash-safety seed: ${SEED} (rerun with CRASH_SEED=${SEED})`);

const USERS = 5;
const ROOMS = 3;

type Membership = 'none' | 'join' | 'invite' | 'leave';
interface Cell {
  membership: Membership;
  forgotten: boolean;
  /** The outcome of a request that was in flight at the kill: it may or may not have happened. */
  pending?: { membership: Membership; forgotten: boolean; op: string };
  history: string[];
}

interface Stats { kills: number; acknowledged: number; unacknowledged: number; sendsVerified: number; membershipChecks: number; forgetChecks: number; events: number }

async function runScenario(backend: BackendName, kills: number, seed: number): Promise<Stats> {
  const rng = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!;
  const server = await crashableServer(backend);
  const { raw, call, ok, register, start } = server;
  const stats: Stats = { kills: 0, acknowledged: 0, unacknowledged: 0, sendsVerified: 0, membershipChecks: 0, forgetChecks: 0, events: 0 };
  const unexpected: string[] = [];

  try {
    await start();
    const owner = await register('owner');
    const users = await Promise.all(Array.from({ length: USERS }, (_, i) => register(`user${i}`)));
    const rooms: string[] = [];
    for (let i = 0; i < ROOMS; i++) rooms.push(String((await ok('POST', `${V3}/createRoom`, owner.token, { preset: 'public_chat', name: `crash ${i}` })).room_id));
    const enc = encodeURIComponent;
    const cells = new Map<string, Cell>();
    const cellOf = (room: string, user: string): Cell => {
      const key = `${room}|${user}`;
      let cell = cells.get(key);
      if (!cell) cells.set(key, (cell = { membership: 'none', forgotten: false, history: [] }));
      return cell;
    };
    const sends: Array<{ room: string; eventId: string; verified: boolean }> = [];
    let txn = 0;

    /** One user's lane: its memberships change only through it, one request at a time, so acknowledgements are ordered. */
    const worker = async (user: { userId: string; token: string }): Promise<void> => {
      for (;;) {
        const room = pick(rooms);
        const cell = cellOf(room, user.userId);
        const m = cell.membership;
        const ops: string[] = [];
        if (m !== 'join') ops.push('join');
        if (m === 'join' || m === 'invite') ops.push('leave', 'kick');
        if (m === 'join') ops.push('send', 'send');
        if (m === 'leave') ops.push('forget');
        if (m === 'leave' || m === 'none') ops.push('invite');
        const op = pick(ops);
        const r = `${V3}/rooms/${enc(room)}`;
        let request: () => Promise<Reply>;
        let outcome: { membership: Membership; forgotten: boolean };
        switch (op) {
          case 'join': request = () => call('POST', `${r}/join`, user.token, {}); outcome = { membership: 'join', forgotten: false }; break;
          case 'leave': request = () => call('POST', `${r}/leave`, user.token, { reason: `leaving ${txn}` }); outcome = { membership: 'leave', forgotten: cell.forgotten }; break;
          case 'kick': request = () => call('POST', `${r}/kick`, owner.token, { user_id: user.userId, reason: 'crash test' }); outcome = { membership: 'leave', forgotten: cell.forgotten }; break;
          case 'invite': request = () => call('POST', `${r}/invite`, owner.token, { user_id: user.userId }); outcome = { membership: 'invite', forgotten: false }; break;
          case 'forget': request = () => call('POST', `${r}/forget`, user.token, {}); outcome = { membership: 'leave', forgotten: true }; break;
          default: {
            const t = `c${++txn}`;
            request = () => call('PUT', `${r}/send/m.room.message/${t}`, user.token, { msgtype: 'm.text', body: t });
            outcome = { membership: m, forgotten: cell.forgotten };
          }
        }
        cell.pending = { ...outcome, op };
        let res: Reply;
        try {
          res = await request();
        } catch (err) {
          if (err instanceof ConnectionLost) {
            stats.unacknowledged++;
            return; // the server is gone; the outcome is unknown until the restart
          }
          throw err;
        }
        cell.pending = undefined;
        if (res.status !== 200) {
          unexpected.push(`${op} ${user.userId} in ${room} (model ${m}): ${res.status} ${JSON.stringify(res.body)}`);
          continue;
        }
        stats.acknowledged++;
        cell.history.push(op);
        cell.membership = outcome.membership;
        cell.forgotten = outcome.forgotten;
        if (op === 'send') sends.push({ room, eventId: String(res.body.event_id), verified: false });
      }
    };

    const verify = async (final: boolean): Promise<void> => {
      const dumps = await dumpRooms(raw, rooms);
      assert.equal(dumps.length, ROOMS);
      let events = 0;
      for (const dump of dumps) {
        events += dump.events.length;
        assert.deepEqual(lineProblems(dump), [], `room ${dump.roomId} is not a consistent line`);
        assert.deepEqual(authProblems(dump), [], `room ${dump.roomId} has unauthorised events`);
        // The API's current state is the replay too.
        const apiState = (await call('GET', `${V3}/rooms/${enc(dump.roomId)}/state`, owner.token));
        assert.equal(apiState.status, 200);
        const apiIds = new Map((apiState.body as unknown as Array<{ type: string; state_key: string; event_id: string }>).map((e) => [stateKey(e.type, e.state_key), e.event_id]));
        assert.deepEqual(apiIds, dump.current, `GET /state of ${dump.roomId} differs from state_entries`);
        for (const user of users) {
          const cell = cellOf(dump.roomId, user.userId);
          const memberEventId = dump.current.get(stateKey('m.room.member', user.userId));
          const memberEvent = dump.events.find((e) => e.eventId === memberEventId)?.event;
          const actual: Membership = memberEvent ? ((memberEvent.content as { membership: Membership }).membership) : 'none';
          const forgotten = dump.memberships.get(user.userId)?.forgotten ?? false;
          const allowed = [{ membership: cell.membership, forgotten: cell.forgotten }, ...(cell.pending ? [cell.pending] : [])];
          const context = `${user.userId} in ${dump.roomId}: acknowledged ${cell.history.slice(-4).join(',')}; in flight ${cell.pending?.op ?? 'nothing'}`;
          assert.ok(allowed.some((a) => a.membership === actual), `${context}: membership is ${actual}, expected ${allowed.map((a) => a.membership).join(' or ')}`);
          assert.ok(allowed.some((a) => a.membership === actual && a.forgotten === forgotten), `${context}: forgotten is ${forgotten}`);
          if (!cell.pending) {
            // Over HTTP too.
            const viaApi = await call('GET', `${V3}/rooms/${enc(dump.roomId)}/state/m.room.member/${enc(user.userId)}`, owner.token);
            assert.equal(viaApi.status === 404 ? 'none' : viaApi.body.membership, actual, context);
            stats.membershipChecks++;
            if (cell.forgotten) {
              const joined = await ok('GET', `${V3}/joined_rooms`, user.token);
              assert.ok(!(joined.joined_rooms as string[]).includes(dump.roomId), `${context}: a forgotten room is listed as joined`);
              const history = await call('GET', `${V3}/rooms/${enc(dump.roomId)}/messages?dir=b&limit=5`, user.token);
              assert.equal(history.status, 403, `${context}: /messages of a forgotten room answered ${history.status}`);
              stats.forgetChecks++;
            }
          }
          cell.membership = actual;
          cell.forgotten = forgotten;
          cell.pending = undefined;
        }
      }
      stats.events = events;
      for (const send of sends) {
        if (send.verified && !final) continue;
        const res = await call('GET', `${V3}/rooms/${enc(send.room)}/event/${enc(send.eventId)}`, owner.token);
        assert.equal(res.status, 200, `acknowledged event ${send.eventId} in ${send.room}: ${res.status}`);
        assert.equal(res.body.event_id, send.eventId);
        if (!send.verified) stats.sendsVerified++;
        send.verified = true;
      }
      assert.deepEqual(unexpected, [], 'requests refused although the model allowed them');
    };

    for (let round = 0; round < kills; round++) {
      const workers = users.map((u) => worker(u));
      await new Promise((r) => setTimeout(r, 80 + Math.floor(rng() * 600)));
      await server.kill();
      stats.kills++;
      await Promise.all(workers);
      await start();
      await verify(false);
    }
    await verify(true);
    return stats;
  } finally {
    await server.close();
  }
}

describe('crash safety: SIGKILL during concurrent membership work', () => {
  const withPostgres = Boolean(process.env.TEST_POSTGRES_URL);
  for (const backend of ['sqlite', 'postgres'] as const) {
    const kills = backend === 'sqlite' ? (withPostgres ? 12 : 20) : 8;
    const skip = backend === 'postgres' && !withPostgres ? POSTGRES_SKIP_REASON : false;
    it(`every acknowledged request survives ${kills} kills [${backend}]`, { skip, timeout: 85_000 }, async () => {
      const started = Date.now();
      const stats = await runScenario(backend, kills, SEED + (backend === 'sqlite' ? 0 : 1));
      console.log(`crash-safety [${backend}] seed ${SEED}: ${JSON.stringify(stats)} in ${Date.now() - started} ms`);
      assert.equal(stats.kills, kills);
      assert.ok(stats.acknowledged > kills, 'work was acknowledged between the kills');
    });
  }
});
