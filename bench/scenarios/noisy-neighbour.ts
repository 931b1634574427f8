import { connect } from 'node:net';
import { BenchClient, pool, summarize, type BenchUser } from '../client.js';
import type { RunningServer } from '../hearth-process.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const enc = encodeURIComponent;

/** What the abuser and its victim account bring to each route. */
interface Setting {
  c: BenchClient;
  server: RunningServer;
  abuser: BenchUser;
  /** An account with a password and several devices: the target of guesses and to-device floods. */
  victim: BenchUser & { name: string };
  abuserRoom: string;
  invitees: string[];
  n: () => number;
}

/**
 * One abusive request per call, for each route of the hardening review: each returns the status
 * (or a word for what happened) so that the report shows how the limits answered.
 */
const ROUTES: Record<string, (s: Setting) => Promise<string | number>> = {
  // A 60,000-character message in a room whose member has a content rule of 150,000 characters.
  'push-rule pattern': async ({ c, abuser, abuserRoom }) => (await c.send(abuser, abuserRoom, 'a'.repeat(60_000))).status,
  // /sync?set_presence toggles while everyone else holds a parked long-poll.
  'presence toggles': async ({ c, abuser, n }) =>
    (await c.call('GET', `/sync?timeout=0&set_presence=${n() % 2 ? 'online' : 'unavailable'}`, abuser.token)).status,
  'login guesses': async ({ c, victim }) =>
    (await c.call('POST', '/login', undefined, { type: 'm.login.password', identifier: { type: 'm.id.user', user: victim.name }, password: 'wrong' })).status,
  // Wrong passwords inside user-interactive auth, with the victim's stolen token.
  'UIA password guesses': async ({ c, victim }) =>
    (await c.call('POST', '/delete_devices', victim.token, { devices: ['NOPE'], auth: { type: 'm.login.password', identifier: { type: 'm.id.user', user: victim.name }, password: 'wrong' } })).status,
  'to-device fan-out': async ({ c, abuser, victim, n }) =>
    (await c.call('PUT', `/sendToDevice/m.bench.noise/t${n()}`, abuser.token, { messages: { [victim.userId]: { '*': { blob: 'x'.repeat(60_000) } } } })).status,
  // A stored filter of 900 KB, then an incremental /sync through it.
  'huge filter': async ({ c, abuser }) => {
    const filter = { room: { rooms: Array.from({ length: 20_000 }, (_, i) => `!r${i}:x.test`) } };
    const made = await c.call('POST', `/user/${enc(abuser.userId)}/filter`, abuser.token, filter);
    if (made.status !== 200) return made.status;
    return (await c.call('GET', `/sync?timeout=0&filter=${made.json.filter_id}`, abuser.token)).status;
  },
  'anonymous publicRooms': async ({ c }) => (await c.call('GET', '/publicRooms?limit=1000')).status,
  'account data growth': async ({ c, abuser, n }) =>
    (await c.call('PUT', `/user/${enc(abuser.userId)}/account_data/m.bench.${n()}`, abuser.token, { blob: 'x'.repeat(500_000) })).status,
  // A new room inviting every other user (and the victim) at once, again and again.
  'invites': async ({ c, abuser, invitees }) => (await c.call('POST', '/createRoom', abuser.token, { invite: invitees })).status,
  // A request whose body trickles in a byte a second: held until the server's body timeout.
  'slow body': ({ server }) => new Promise((resolve) => {
    const { hostname, port } = new URL(server.baseUrl);
    // From an address of its own, as an attacker's would be (per-address limits must not hit the others).
    const socket = connect({ port: Number(port), host: hostname, localAddress: '127.0.0.2' });
    const done = (what: string) => { clearInterval(drip); socket.destroy(); resolve(what); };
    socket.write('POST /_matrix/client/v3/login HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n');
    const drip = setInterval(() => socket.write('{'), 1000);
    socket.once('data', (d) => done(/^HTTP\/1\.1 (\d+)/.exec(d.toString())?.[1] ?? 'answered'));
    socket.once('close', () => done('closed'));
    socket.once('error', () => done('error'));
    // The bench's own bound: never wait longer than 15 s for one socket.
    setTimeout(() => done('still open after 15 s'), 15_000).unref();
  }),
};

/**
 * Needs Hearth WITH its default rate limits. Other users keep a polite load (send -> join -> leave,
 * a pause, each with a /sync long-poll parked) through a quiet phase, then through one phase per
 * route while one abuser hammers that route with `concurrency` requests in flight. Reports the
 * others' latency per phase and its ratio to the quiet phase.
 */
export async function noisyNeighbour(server: RunningServer, seconds: number, o = { others: 12, concurrency: 8, pauseMs: 150, publicRooms: 300 }) {
  const c = new BenchClient(server.baseUrl);
  const stamp = Date.now();
  const abuser = await c.register(`noisy-${stamp}`);
  const name = `noisy-victim-${stamp}`;
  const victim = { ...(await c.register(name, 'victim password')), name };
  for (let i = 0; i < 3; i++) await c.ok('POST', '/login', undefined, { type: 'm.login.password', identifier: { type: 'm.id.user', user: name }, password: 'victim password' });
  const abuserRoom = await c.createRoom(abuser);
  // The push-rule route's rule (a later fix may refuse it: then the messages are merely long).
  await c.call('PUT', '/pushrules/global/content/noisy', abuser.token, { pattern: 'a'.repeat(150_000), actions: ['notify'] });
  await pool(Array.from({ length: o.publicRooms }, (_, i) => i), 8, () => c.createRoom(abuser, { preset: 'public_chat', visibility: 'public' }));
  const others: Array<{ user: BenchUser; room: string }> = [];
  await pool(Array.from({ length: o.others }, (_, i) => i), 8, async (i) => {
    const user = await c.register(`noisy-other-${stamp}-${i}`);
    others[i] = { user, room: await c.createRoom(user) };
  });
  let counter = 0;
  const setting: Setting = { c, server, abuser, victim, abuserRoom, invitees: [victim.userId, ...others.map((x) => x.user.userId)], n: () => ++counter };

  const phase = async (route: string | undefined) => {
    const latency: number[] = [];
    const abuse: Record<string, number> = {};
    // The others' answers too: a refused request is fast, so latency alone would hide it.
    const otherStatuses: Record<string, number> = {};
    const end = performance.now() + seconds * 1000;
    const timed = async (call: () => Promise<{ status: number }>) => {
      const t = performance.now();
      const { status } = await call();
      latency.push(performance.now() - t);
      otherStatuses[status] = (otherStatuses[status] ?? 0) + 1;
    };
    const polite = others.map(async ({ user, room }, i) => {
      const next = others[(i + 1) % others.length]!.room;
      let since = (await c.ok('GET', `/sync?timeout=0&filter=${enc('{"room":{"timeline":{"limit":1}}}')}`, user.token)).next_batch as string;
      let parked = true;
      const poll = (async () => {
        while (parked) {
          const res = await c.call('GET', `/sync?timeout=5000&since=${since}`, user.token);
          if (res.status === 200) since = res.json.next_batch;
          else await sleep(100);
        }
      })();
      for (let n = 0; performance.now() < end; n++) {
        await timed(() => c.send(user, room, `m${n}`));
        await timed(() => c.join(user, next));
        await timed(() => c.leave(user, next));
        await sleep(o.pauseMs);
      }
      parked = false;
      await poll;
    });
    const abusers = route ? Array.from({ length: o.concurrency }, async () => {
      while (performance.now() < end) {
        const what = String(await ROUTES[route]!(setting).catch((e: Error) => e.message));
        abuse[what] = (abuse[what] ?? 0) + 1;
      }
    }) : [];
    await Promise.all([...polite, ...abusers]);
    return { others: summarize(latency), otherStatuses, abuse };
  };

  const quiet = await phase(undefined);
  const routes: Record<string, Awaited<ReturnType<typeof phase>> & { p50Ratio: number; p99Ratio: number }> = {};
  for (const route of Object.keys(ROUTES)) {
    const r = await phase(route);
    routes[route] = { ...r, p50Ratio: r.others.p50 / quiet.others.p50, p99Ratio: r.others.p99 / quiet.others.p99 };
  }
  return { quiet, routes, settings: { ...o, seconds } };
}
