import { BenchClient, percentile, pool, summarize, type BenchUser } from '../client.js';
import { sampleProcess, type RunningServer } from '../hearth-process.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A message to a room whose members are all online: `members` users each hold a /sync long-poll
 * (set_presence=offline, a filter for the room's messages) while one sender posts `messages`
 * messages one after another with a `pauseMs` pause. Delivery = from the start of the send to the
 * moment a member's /sync returns the message; a member still waiting 30 s after the last send
 * counts as not delivered.
 */
export async function fanout(server: RunningServer, members: number, messages: number, pauseMs = 50) {
  const c = new BenchClient(server.baseUrl);
  const stamp = Date.now();
  const sender = await c.register(`fan-s-${stamp}-${members}`);
  const roomId = await c.createRoom(sender);
  const users: BenchUser[] = [];
  await pool(Array.from({ length: members }, (_, i) => i), 16, async (i) => {
    const u = await c.register(`fan-${stamp}-${members}-${i}`);
    await c.ok('POST', `/rooms/${encodeURIComponent(roomId)}/join`, u.token, {});
    users.push(u);
  });
  const filter = encodeURIComponent(JSON.stringify({ room: { rooms: [roomId], timeline: { types: ['m.room.message'], limit: 100 }, state: { lazy_load_members: true } }, presence: { types: [] }, account_data: { types: [] } }));

  const sentAt: number[] = [];
  const deliveries: number[] = [];
  let delivered = 0;
  // Long-polls that failed (connection refused or reset, or not 200): reported, then retried.
  let failedPolls = 0;
  let stop = false;
  const member = async (u: BenchUser) => {
    let since = (await c.ok('GET', `/sync?timeout=0&set_presence=offline&filter=${filter}`, u.token)).next_batch as string;
    ready++;
    const seen = new Set<number>();
    while (!stop && seen.size < messages) {
      const res = await c.call('GET', `/sync?timeout=30000&set_presence=offline&filter=${filter}&since=${since}`, u.token).catch(() => undefined);
      if (!res || res.status !== 200) {
        failedPolls++;
        await sleep(100);
        continue;
      }
      const now = performance.now();
      since = res.json.next_batch;
      for (const ev of res.json.rooms?.join?.[roomId]?.timeline?.events ?? []) {
        const k = Number(/^fanout-(\d+)$/.exec(ev.content?.body ?? '')?.[1] ?? NaN);
        if (Number.isNaN(k) || seen.has(k) || sentAt[k] === undefined) continue;
        seen.add(k);
        delivered++;
        deliveries.push(now - sentAt[k]!);
      }
    }
  };
  let ready = 0;
  const waiting = users.map(member);
  // Every member has its first token (bounded wait), then a moment to park its long-poll.
  for (let i = 0; i < 1200 && ready < members; i++) await sleep(50);
  if (ready < members) throw new Error(`only ${ready} of ${members} members finished their first /sync`);
  await sleep(500);
  const cpuBefore = sampleProcess(server.pid).cpuSeconds;
  const sends: number[] = [];
  for (let k = 0; k < messages; k++) {
    sentAt[k] = performance.now();
    const res = await c.send(sender, roomId, `fanout-${k}`);
    if (res.status !== 200) throw new Error(`send: ${res.status}`);
    sends.push(performance.now() - sentAt[k]!);
    await sleep(pauseMs);
  }
  const lastSend = performance.now();
  const expected = members * messages;
  while (delivered < expected && performance.now() - lastSend < 30_000) await sleep(50);
  const deliveredIn30s = delivered;
  const seconds = (performance.now() - sentAt[0]!) / 1000;
  const cpuSeconds = sampleProcess(server.pid).cpuSeconds - cpuBefore;
  stop = true;
  // The members still parked answer at their timeout; a message ends them sooner.
  await c.send(sender, roomId, 'fanout-end');
  await Promise.race([Promise.all(waiting), sleep(35_000)]);
  return {
    members, messages, pauseMs,
    delivery: summarize(deliveries),
    p90: percentile([...deliveries].sort((a, b) => a - b), 90),
    send: summarize(sends),
    expected, deliveredIn30s, failedPolls,
    deliveriesPerSecond: deliveredIn30s / seconds,
    cpuMsPerDelivery: deliveredIn30s ? (cpuSeconds * 1000) / deliveredIn30s : 0,
  };
}
