import { BenchClient, pool, summarize, type BenchUser } from '../client.js';
import { ResourceMonitor, type RunningServer } from '../hearth-process.js';

export interface ChurnOptions {
  users: number;
  rooms: number;
  concurrency: number;
  /**
   * With several servers (processes on one database), how the clients spread their requests:
   * `request`: round-robin per request, as a load balancer without sticky sessions would (each
   * client's join, leave and forget alternate between the processes); `client`: each client and its
   * users stay on one process (sticky sessions).
   */
  split: 'request' | 'client';
  /** Called when the measured phase starts and when it ends (after the setup, before the figures). */
  onPhase?: (phase: 'start' | 'end') => void;
}

/** A non-200 answer (or a failed request), with an example of its error body. */
export interface ChurnError {
  count: number;
  /** Which server (index in `servers`) answered the example. */
  server: number;
  example: string;
}

/**
 * 200 users, 50 rooms, 32 concurrent clients for `seconds`, each looping join -> leave (with a
 * reason) -> forget on random rooms. Each client acts for its own users, so one user never races
 * itself. With several servers (processes sharing one database), the users and rooms are set up
 * through the first and the clients' requests are split between them (`o.split`).
 */
export async function churn(target: RunningServer | RunningServer[], seconds: number, options: Partial<ChurnOptions> = {}) {
  const o: ChurnOptions = { users: 200, rooms: 50, concurrency: 32, split: 'request', ...options };
  const servers = Array.isArray(target) ? target : [target];
  const clients = servers.map((s) => new BenchClient(s.baseUrl));
  const c = clients[0]!;
  const stamp = Date.now();
  const owner = await c.register(`churn-owner-${stamp}`);
  const rooms: string[] = [];
  for (let i = 0; i < o.rooms; i++) rooms.push(await c.createRoom(owner));
  const users: BenchUser[] = [];
  await pool(Array.from({ length: o.users }, (_, i) => i), 16, async (i) => {
    users[i] = await c.register(`churn-${stamp}-${i}`);
  });

  const latency: Record<'join' | 'leave' | 'forget', number[]> = { join: [], leave: [], forget: [] };
  const statuses: Record<string, number> = {};
  const errors: Record<string, ChurnError> = {};
  const perServer = servers.map(() => 0);
  const monitors = servers.map((s) => new ResourceMonitor(s.pid));
  const before = monitors.map((m) => m.start());
  o.onPhase?.('start');
  const started = performance.now();
  const end = started + seconds * 1000;
  let seed = 42;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const timed = async (op: keyof typeof latency, server: number, call: (c: BenchClient) => Promise<{ status: number; json: any }>) => {
    const t = performance.now();
    let status: string;
    let detail = '';
    try {
      const res = await call(clients[server]!);
      status = String(res.status);
      if (res.status !== 200) detail = `${res.json?.errcode ?? '-'} ${JSON.stringify(res.json).slice(0, 300)}`;
    } catch (err) {
      status = 'failed';
      detail = `- ${String((err as Error).cause ?? err).slice(0, 300)}`;
    }
    latency[op].push(performance.now() - t);
    perServer[server]!++;
    const key = `${op} ${status}`;
    statuses[key] = (statuses[key] ?? 0) + 1;
    if (detail) {
      const errKey = `${key} ${detail.slice(0, detail.indexOf(' '))}`;
      errors[errKey] ??= { count: 0, server, example: detail.slice(detail.indexOf(' ') + 1) };
      errors[errKey].count++;
    }
  };
  await Promise.all(Array.from({ length: o.concurrency }, async (_, client) => {
    const mine = users.filter((_, i) => i % o.concurrency === client);
    let request = client;
    const next = () => (o.split === 'request' ? request++ : client) % servers.length;
    for (let n = 0; performance.now() < end; n++) {
      const user = mine[n % mine.length]!;
      const room = rooms[Math.floor(random() * rooms.length)]!;
      await timed('join', next(), (k) => k.join(user, room));
      await timed('leave', next(), (k) => k.leave(user, room, 'churn'));
      await timed('forget', next(), (k) => k.forget(user, room));
    }
  }));
  const elapsed = (performance.now() - started) / 1000;
  o.onPhase?.('end');
  const after = monitors.map((m) => m.stop());
  const ops = latency.join.length + latency.leave.length + latency.forget.length;
  const processes = servers.map((s, i) => {
    const cpuSeconds = after[i]!.cpuSeconds - before[i]!.cpuSeconds;
    return {
      pid: s.pid,
      requests: perServer[i]!,
      peakRssMb: monitors[i]!.peakRss / 2 ** 20,
      finalRssMb: after[i]!.rssBytes / 2 ** 20,
      cpuSeconds,
      /** CPU time over wall time: 1.0 is one core busy throughout. */
      cpuUtilization: cpuSeconds / elapsed,
    };
  });
  return {
    processCount: servers.length,
    split: o.split,
    opsPerSecond: ops / seconds,
    all: summarize([...latency.join, ...latency.leave, ...latency.forget]),
    join: summarize(latency.join),
    leave: summarize(latency.leave),
    forget: summarize(latency.forget),
    statuses,
    errors,
    // With several processes: the largest peak and final RSS, and the CPU of all of them per operation.
    peakRssMb: Math.max(...processes.map((p) => p.peakRssMb)),
    finalRssMb: Math.max(...processes.map((p) => p.finalRssMb)),
    cpuSecondsPerOp: processes.reduce((a, p) => a + p.cpuSeconds, 0) / ops,
    processes,
    samples: { join: latency.join, leave: latency.leave, forget: latency.forget },
  };
}
