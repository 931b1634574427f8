import { BenchClient, pool, summarize, type BenchUser } from '../client.js';
import type { RunningServer } from '../hearth-process.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Needs Hearth WITH its default rate limits (startHearth({ rateLimits: true })). Other users keep a
 * steady, polite load (join -> send -> leave in their own room, then a pause) for a quiet phase,
 * then for `seconds` while one user floods join/leave on a room with `floodConcurrency` requests in
 * flight. Reports the other users' latency in both phases and the flooder's statuses.
 */
export async function flood(server: RunningServer, seconds: number, o = { others: 16, floodConcurrency: 16, quietSeconds: 3, pauseMs: 150 }) {
  const c = new BenchClient(server.baseUrl);
  const owner = await c.register(`flood-owner-${Date.now()}`);
  const flooder = await c.register(`flood-flooder-${Date.now()}`);
  const floodRoom = await c.createRoom(owner);
  const others: Array<{ user: BenchUser; room: string }> = [];
  await pool(Array.from({ length: o.others }, (_, i) => i), 8, async (i) => {
    const user = await c.register(`flood-other-${Date.now()}-${i}`);
    others[i] = { user, room: await c.createRoom(user) };
  });

  const run = async (phaseSeconds: number, withFlood: boolean) => {
    const latency: number[] = [];
    const statuses: Record<string, number> = {};
    const count = (key: string) => { statuses[key] = (statuses[key] ?? 0) + 1; };
    const end = performance.now() + phaseSeconds * 1000;
    const timed = async (call: () => Promise<{ status: number }>) => {
      const t = performance.now();
      const res = await call();
      latency.push(performance.now() - t);
      count(`other ${res.status}`);
    };
    const polite = Promise.all(others.map(async ({ user, room }, i) => {
      // The owner of `room` leaving it would lose it: these users join and leave the flood room's
      // neighbour, their own room stays joined; send there.
      for (let n = 0; performance.now() < end; n++) {
        await timed(() => c.send(user, room, `m${n}`));
        await timed(() => c.join(user, others[(i + 1) % others.length]!.room));
        await timed(() => c.leave(user, others[(i + 1) % others.length]!.room));
        await sleep(o.pauseMs);
      }
    }));
    const floods = withFlood ? Array.from({ length: o.floodConcurrency }, async (_, k) => {
      for (let n = 0; performance.now() < end; n++) {
        const res = await (n % 2 === k % 2 ? c.join(flooder, floodRoom) : c.leave(flooder, floodRoom));
        count(`flooder ${res.status}`);
      }
    }) : [];
    await Promise.all([polite, ...floods]);
    return { others: summarize(latency), statuses };
  };

  const quiet = await run(o.quietSeconds, false);
  const flooded = await run(seconds, true);
  const floodRequests = Object.entries(flooded.statuses).filter(([k]) => k.startsWith('flooder')).reduce((a, [, v]) => a + v, 0);
  return { quiet, flood: flooded, floodRequestsPerSecond: floodRequests / seconds };
}
