import { BenchClient, pool, summarize, type BenchUser } from '../client.js';
import type { RunningServer } from '../hearth-process.js';

/** The latency of one leave (then a rejoin, untimed) in rooms of the given sizes. */
export async function leaveScaling(server: RunningServer, sizes: number[], iterations = 50) {
  const c = new BenchClient(server.baseUrl);
  const stamp = Date.now();
  const largest = Math.max(...sizes);
  const users: BenchUser[] = [];
  await pool(Array.from({ length: largest }, (_, i) => i), 16, async (i) => {
    users[i] = await c.register(`ls-${stamp}-${i}`);
  });
  const results: Record<string, ReturnType<typeof summarize> & { samples: number[] }> = {};
  for (const size of sizes) {
    const roomId = await c.createRoom(users[0]!);
    await pool(users.slice(1, size), 16, async (u) => {
      const res = await c.join(u, roomId);
      if (res.status !== 200) throw new Error(`join failed: ${res.status}`);
    });
    const leaver = users[size - 1]!;
    const samples: number[] = [];
    for (let i = 0; i < iterations; i++) {
      const t = performance.now();
      const res = await c.leave(leaver, roomId, 'scaling');
      samples.push(performance.now() - t);
      if (res.status !== 200) throw new Error(`leave failed: ${res.status}`);
      await c.join(leaver, roomId);
    }
    results[String(size)] = { ...summarize(samples), samples };
  }
  return results;
}
