/** A minimal Matrix client for load generation: fetch over loopback with keep-alive. */
export interface BenchUser {
  userId: string;
  token: string;
}

export class BenchClient {
  private txn = 0;
  constructor(readonly baseUrl: string) {}

  async call(method: string, path: string, token?: string, body?: unknown): Promise<{ status: number; json: any }> {
    const res = await fetch(`${this.baseUrl}/_matrix/client/v3${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : {} };
  }

  /** A call that must succeed; a 429 (a scenario with rate limits on) is waited out and retried. */
  async ok(method: string, path: string, token?: string, body?: unknown): Promise<any> {
    let res = await this.call(method, path, token, body);
    // Bounded by time, not tries: several setup calls of one user compete for the same bucket.
    for (const giveUp = performance.now() + 120_000; res.status === 429 && performance.now() < giveUp;) {
      await new Promise((r) => setTimeout(r, Number(res.json.retry_after_ms ?? 100)));
      res = await this.call(method, path, token, body);
    }
    if (res.status !== 200) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.json)}`);
    return res.json;
  }

  /** Registers, without a password unless given (no password hashing: the benchmark measures rooms, not scrypt). */
  async register(username: string, password?: string): Promise<BenchUser> {
    const first = await this.call('POST', '/register', undefined, { username, password });
    const done = await this.ok('POST', '/register', undefined, { username, password, auth: { type: 'm.login.dummy', session: first.json.session } });
    return { userId: done.user_id, token: done.access_token };
  }

  createRoom(user: BenchUser, body: object = { preset: 'public_chat' }): Promise<string> {
    return this.ok('POST', '/createRoom', user.token, body).then((r) => r.room_id);
  }

  join = (user: BenchUser, roomId: string) => this.call('POST', `/rooms/${encodeURIComponent(roomId)}/join`, user.token, {});
  leave = (user: BenchUser, roomId: string, reason?: string) => this.call('POST', `/rooms/${encodeURIComponent(roomId)}/leave`, user.token, reason ? { reason } : {});
  forget = (user: BenchUser, roomId: string) => this.call('POST', `/rooms/${encodeURIComponent(roomId)}/forget`, user.token, {});
  send = (user: BenchUser, roomId: string, body: string) =>
    this.call('PUT', `/rooms/${encodeURIComponent(roomId)}/send/m.room.message/b${++this.txn}`, user.token, { msgtype: 'm.text', body });
}

/** Runs `task` over `items` with at most `concurrency` in flight. */
export async function pool<T>(items: T[], concurrency: number, task: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) await task(items[next++]!);
  }));
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export function summarize(latencies: number[]) {
  const sorted = [...latencies].sort((a, b) => a - b);
  return { count: sorted.length, p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99), max: sorted.at(-1) ?? 0 };
}
