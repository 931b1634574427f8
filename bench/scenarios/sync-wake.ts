import { BenchClient, summarize } from '../client.js';
import type { RunningServer } from '../hearth-process.js';

/** Time from bob's leave request to alice's pending long-poll /sync returning it. */
export async function syncWake(server: RunningServer, iterations = 50) {
  const c = new BenchClient(server.baseUrl);
  const stamp = Date.now();
  const alice = await c.register(`wake-a-${stamp}`);
  const bob = await c.register(`wake-b-${stamp}`);
  const roomId = await c.createRoom(alice);
  await c.join(bob, roomId);
  let since = (await c.ok('GET', '/sync?timeout=0', alice.token)).next_batch as string;
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const pending = c.ok('GET', `/sync?timeout=30000&since=${since}`, alice.token);
    await new Promise((r) => setTimeout(r, 20));
    const t = performance.now();
    void c.leave(bob, roomId, 'wake');
    const res = await pending;
    samples.push(performance.now() - t);
    since = res.next_batch;
    await c.join(bob, roomId);
    since = (await c.ok('GET', `/sync?timeout=0&since=${since}`, alice.token)).next_batch;
  }
  return { ...summarize(samples), samples };
}
