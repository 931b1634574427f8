import { BenchClient, pool, summarize, type BenchUser } from '../client.js';
import { ResourceMonitor, type RunningServer } from '../hearth-process.js';

/**
 * 200 users, 50 rooms, 32 concurrent clients for `seconds`, each looping join -> leave (with a
 * reason) -> forget on random rooms. Each client acts for its own users, so one user never races
 * itself.
 */
export async function churn(server: RunningServer, seconds: number, o = { users: 200, rooms: 50, concurrency: 32 }) {
  const c = new BenchClient(server.baseUrl);
  const owner = await c.register(`churn-owner-${Date.now()}`);
  const rooms: string[] = [];
  for (let i = 0; i < o.rooms; i++) rooms.push(await c.createRoom(owner));
  const users: BenchUser[] = [];
  await pool(Array.from({ length: o.users }, (_, i) => i), 16, async (i) => {
    users[i] = await c.register(`churn-${Date.now()}-${i}`);
  });

  const latency: Record<'join' | 'leave' | 'forget', number[]> = { join: [], leave: [], forget: [] };
  const statuses: Record<string, number> = {};
  const monitor = new ResourceMonitor(server.pid);
  const before = monitor.start();
  const end = performance.now() + seconds * 1000;
  let seed = 42;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const timed = async (op: keyof typeof latency, call: () => Promise<{ status: number }>) => {
    const t = performance.now();
    const res = await call();
    latency[op].push(performance.now() - t);
    const key = `${op} ${res.status}`;
    statuses[key] = (statuses[key] ?? 0) + 1;
  };
  await Promise.all(Array.from({ length: o.concurrency }, async (_, client) => {
    const mine = users.filter((_, i) => i % o.concurrency === client);
    for (let n = 0; performance.now() < end; n++) {
      const user = mine[n % mine.length]!;
      const room = rooms[Math.floor(random() * rooms.length)]!;
      await timed('join', () => c.join(user, room));
      await timed('leave', () => c.leave(user, room, 'churn'));
      await timed('forget', () => c.forget(user, room));
    }
  }));
  const after = monitor.stop();
  const ops = latency.join.length + latency.leave.length + latency.forget.length;
  return {
    opsPerSecond: ops / seconds,
    all: summarize([...latency.join, ...latency.leave, ...latency.forget]),
    join: summarize(latency.join),
    leave: summarize(latency.leave),
    forget: summarize(latency.forget),
    statuses,
    peakRssMb: monitor.peakRss / 2 ** 20,
    finalRssMb: after.rssBytes / 2 ** 20,
    cpuSecondsPerOp: (after.cpuSeconds - before.cpuSeconds) / ops,
    samples: { join: latency.join, leave: latency.leave, forget: latency.forget },
  };
}
