// A large SQLite database for the start-up benchmark, seeded in-process with the built Hearth
// (dist/): the same services and RoomWriter the server uses, so every event is built, hashed,
// signed with the data directory's key, auth-checked against the room's state and stored with its
// state entries and memberships. Only the transport is skipped (and fsync while seeding: the
// finished file is the same). Seeded once and cached under bench/results/, keyed by the schema's
// migrations and the sizes; a run copies the cached directory and starts Hearth on the copy.
import { createHash, randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { DeviceId, RoomId, UserId } from '../src/core/ids.js';
import type { Requester } from '../src/services/requester.js';
import { seededRandom } from '../test/helpers/seeded-random.js';

const root = path.resolve(import.meta.dirname, '..');
/** Bump when the seeded content changes: the cache key includes it. */
const SEED_VERSION = 3;

export interface LargeDbSize {
  users: number;
  rooms: number;
  events: number;
}

export interface LargeDbInfo extends LargeDbSize {
  key: string;
  /** The cached data directory (hearth.db, signing.key); copy it before starting a server on it. */
  dir: string;
  /** Seconds the seeding took, when this run seeded (undefined: taken from the cache). */
  seededSeconds: number | undefined;
  /** Seconds of the seeding that produced the cached copy. */
  originalSeedSeconds: number;
  /** A user of the largest room (in other rooms too) and an access token of theirs, for probes after start-up. */
  probe: { userId: string; accessToken: string; rooms: number };
  /** Members (joined at some point) of the largest room. */
  largestRoom: number;
  joins: number;
  invites: number;
  leaves: number;
  messages: number;
  /** The events of createRoom (create, creator's join, power levels, join rules, ...). */
  creationEvents: number;
  totalEvents: number;
  dbBytes: number;
}

/** Imports a module of the built server; the type comes from its source. */
const dist = async <T>(file: string): Promise<T> => (await import(pathToFileURL(path.join(root, 'dist', file)).href)) as T;

async function migrationNames(): Promise<string[]> {
  const { migrationProvider } = await dist<typeof import('../src/storage/migrations/list.js')>('storage/migrations/list.js');
  return Object.keys(await migrationProvider.getMigrations()).sort();
}

/**
 * Returns the cached large database of `size`, seeding it first when there is none for the current
 * schema (the key holds the number of migrations and a hash of their names).
 */
export async function largeDatabase(size: LargeDbSize, log: (line: string) => void = console.log): Promise<LargeDbInfo> {
  const names = await migrationNames();
  const schema = createHash('sha256').update(names.join('\n')).digest('hex').slice(0, 8);
  const key = `m${names.length}-${schema}-s${SEED_VERSION}-u${size.users}-r${size.rooms}-e${size.events}`;
  const cacheRoot = path.join(root, 'bench', 'results');
  const dir = path.join(cacheRoot, `large-db-${key}`);
  const meta = path.join(dir, 'seed.json');
  if (existsSync(meta)) {
    const info = JSON.parse(readFileSync(meta, 'utf8')) as LargeDbInfo;
    return { ...info, dir, seededSeconds: undefined };
  }
  mkdirSync(cacheRoot, { recursive: true });
  removeStale(cacheRoot, key, size);
  const work = `${dir}.tmp-${process.pid}`;
  rmSync(work, { recursive: true, force: true });
  log(`seeding a large database (${size.users} users, ${size.rooms} rooms, ${size.events} events) into ${path.relative(process.cwd(), dir)} ...`);
  try {
    const t = performance.now();
    const counts = await seed(work, size, log);
    const seconds = (performance.now() - t) / 1000;
    const info: LargeDbInfo = {
      ...size, ...counts, key, dir, seededSeconds: seconds, originalSeedSeconds: seconds,
      dbBytes: statSync(path.join(work, 'hearth.db')).size,
    };
    writeFileSync(path.join(work, 'seed.json'), JSON.stringify({ ...info, dir: undefined, seededSeconds: undefined }, null, 1));
    rmSync(dir, { recursive: true, force: true });
    renameSync(work, dir);
    return { ...info, dir };
  } catch (err) {
    rmSync(work, { recursive: true, force: true });
    throw err;
  }
}

/**
 * Removes what earlier runs left: databases of the same size for other schemas or seed versions,
 * and half-seeded directories of runs that are no longer alive.
 */
function removeStale(cacheRoot: string, key: string, size: LargeDbSize) {
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  const suffix = `-u${size.users}-r${size.rooms}-e${size.events}`;
  for (const name of readdirSync(cacheRoot)) {
    if (!name.startsWith('large-db-')) continue;
    const tmp = /\.tmp-(\d+)$/.exec(name);
    const stale = tmp ? !alive(Number(tmp[1])) : name.endsWith(suffix) && name !== `large-db-${key}`;
    if (stale) rmSync(path.join(cacheRoot, name), { recursive: true, force: true });
  }
}

/** A copy of the cached directory in the system's temporary directory, for a server to run on. */
export function copyOfLargeDatabase(info: LargeDbInfo): { dir: string; remove(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'hearth-bench-large-'));
  for (const name of ['hearth.db', 'signing.key']) cpSync(path.join(info.dir, name), path.join(dir, name));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

type Action = { kind: 'join' | 'leave' | 'message'; user: number };

/**
 * Users with a device and an access token each; rooms created by the createRoom service (public
 * and private presets, names, topics, some aliases); room sizes skewed (a few large rooms, many
 * small ones, about 4 rooms per user on average); members joining over time, messages from joined
 * members between the joins, and about 5% of members leaving. Rooms take turns, so the rooms'
 * lines interleave in the event stream as they would on a live server.
 */
async function seed(dataDir: string, size: LargeDbSize, log: (line: string) => void) {
  const { buildCore } = await dist<typeof import('../src/app.js')>('app.js');
  const { buildConfig } = await dist<typeof import('../src/config/load.js')>('config/load.js');
  const { RoomWriter } = await dist<typeof import('../src/services/events/room-writer.js')>('services/events/room-writer.js');
  const { memberContent } = await dist<typeof import('../src/services/membership/member-content.js')>('services/membership/member-content.js');
  const { hashAccessToken, newAccessToken } = await dist<typeof import('../src/services/accounts/access-tokens.js')>('services/accounts/access-tokens.js');

  const config = buildConfig({ data_dir: dataDir, sqlite_synchronous: 'off', log_level: 'silent' }, dataDir);
  // Events carry timestamps spread over the last 30 days, in stream order.
  const span = 30 * 24 * 3600 * 1000;
  const start = Date.now() - span;
  let now = start;
  const clock = { now: () => now };
  const core = await buildCore(config, { clock });
  const { store, services, signingKey } = core;
  const serverName = config.serverName;
  const writer = new RoomWriter({ store, clock, serverName, signingKey, notifier: services.notifier });
  const random = seededRandom(20261127);
  const userId = (i: number) => `@user${i}:${serverName}` as UserId;
  const requester = (i: number): Requester => ({ userId: userId(i), deviceId: `DEV${i}` as DeviceId, isAdmin: false, tokenHash: '' });
  let lastLog = performance.now();
  const progress = (what: string) => {
    if (performance.now() - lastLog < 10_000) return;
    lastLog = performance.now();
    log(`  ... ${what}`);
  };

  // The probe user (a member of the largest room, room 0) keeps the plaintext of its access token;
  // the others' tokens are thrown away, as the server stores only hashes.
  const probeIndex = 1;
  const probeToken = newAccessToken();
  try {
    // Accounts, each with one device and one access token, 500 to a transaction.
    for (let first = 0; first < size.users; first += 500) {
      await store.transaction(async (tx) => {
        for (let i = first; i < Math.min(size.users, first + 500); i++) {
          await tx.accounts.create({ userId: userId(i), passwordHash: null, isAdmin: false, deactivated: false, displayname: `User ${i}`, avatarUrl: null, createdTs: now });
          await tx.devices.upsert({ userId: userId(i), deviceId: `DEV${i}` as DeviceId, displayName: 'bench', createdTs: now });
          await tx.tokens.create(hashAccessToken(i === probeIndex ? probeToken : newAccessToken()), userId(i), `DEV${i}` as DeviceId, now);
        }
      });
    }

    // Rooms and their planned members: room r's size is proportional to 1/(r+1)^0.9 (with 10,000
    // users and 1,000 rooms: from about 3,800 members down to 8), at least 3; members are distinct
    // random users, the creator first.
    const weights = Array.from({ length: size.rooms }, (_, r) => 1 / (r + 1) ** 0.9);
    const totalWeight = weights.reduce((a, b) => a + b, 0);
    const targetJoins = size.users * 4;
    const roomIds: RoomId[] = [];
    const members: number[][] = [];
    let creationEvents = 0;
    for (let r = 0; r < size.rooms; r++) {
      const want = Math.min(size.users, Math.max(3, Math.round((targetJoins * weights[r]!) / totalWeight)));
      const chosen = new Set<number>();
      while (chosen.size < want) chosen.add(Math.floor(random() * size.users));
      let list = [...chosen];
      if (r === 0) {
        // The probe user joins the largest room first after its creator (so never leaves it).
        const others = list.filter((u) => u !== probeIndex);
        list = [others[0]!, probeIndex, ...others.slice(1)].slice(0, want);
      }
      members.push(list);
      const isPublic = r % 5 !== 4;
      const { room_id } = await services.rooms.create(requester(list[0]!), {
        preset: isPublic ? 'public_chat' : 'private_chat',
        visibility: isPublic ? 'public' : 'private',
        name: `Room ${r}`,
        topic: `Benchmark room number ${r}, ${want} members`,
        ...(r % 10 === 0 ? { room_alias_name: `bench-room-${r}` } : {}),
      });
      roomIds.push(room_id);
      creationEvents += (await store.events.head(room_id))!.depth;
      now += Math.floor(span * 0.01 / size.rooms);
    }
    // Private rooms (every fifth) are invite-only: there, each join follows an invite from the creator.
    const joinsPlanned = members.reduce((a, m) => a + m.length - 1, 0);
    const invitesPlanned = members.reduce((a, m, r) => a + (r % 5 === 4 ? m.length - 1 : 0), 0);
    const leavesPlanned = Math.round(joinsPlanned * 0.05);
    const messages = Math.max(0, size.events - creationEvents - joinsPlanned - invitesPlanned - leavesPlanned);

    // Per room, an ordered plan: members join in order, messages from members already joined are
    // spread between the joins (a room's share of messages follows its size), some members leave.
    const plans: Action[][] = members.map((list, r) => {
      const share = Math.round((messages * (list.length - 1)) / joinsPlanned);
      const plan: Action[] = [];
      const joins = list.slice(1);
      const perJoin = joins.length ? share / joins.length : 0;
      let owed = 0;
      const joined = [list[0]!];
      for (const u of joins) {
        plan.push({ kind: 'join', user: u });
        joined.push(u);
        owed += perJoin;
        for (; owed >= 1; owed--) plan.push({ kind: 'message', user: joined[Math.floor(random() * joined.length)]! });
      }
      const leaving = Math.round((joins.length * leavesPlanned) / joinsPlanned);
      for (let k = 0; k < leaving; k++) plan.push({ kind: 'leave', user: joins[joins.length - 1 - k]! });
      if (r === 0 && plan.length === 0) plan.push({ kind: 'message', user: list[0]! });
      return plan;
    });
    // Top up rounding differences with messages from the creators of the largest rooms.
    let planned = creationEvents + invitesPlanned + plans.reduce((a, p) => a + p.length, 0);
    for (let r = 0; planned < size.events; r = (r + 1) % Math.min(size.rooms, 10), planned++) plans[r]!.push({ kind: 'message', user: members[r]![0]! });

    // Rounds: each room in turn gets its next slice, one transaction per slice.
    const rounds = 20;
    const cursor = plans.map(() => 0);
    const totalActions = plans.reduce((a, p) => a + p.length, 0);
    let done = 0;
    let joins = 0, invites = 0, leaves = 0, sent = 0;
    for (let round = 0; round < rounds; round++) {
      for (let r = 0; r < size.rooms; r++) {
        const plan = plans[r]!;
        const end = round === rounds - 1 ? plan.length : Math.min(plan.length, Math.ceil((plan.length * (round + 1)) / rounds));
        if (cursor[r]! >= end) continue;
        const slice = plan.slice(cursor[r], end);
        cursor[r] = end;
        const creator = members[r]![0]!;
        await writer.write(roomIds[r]!, async (room) => {
          for (const action of slice) {
            now = Math.min(Date.now(), start + Math.floor(span * (0.01 + (0.99 * done++) / totalActions)));
            const user = userId(action.user);
            if (action.kind === 'join') {
              if (r % 5 === 4) {
                await room.append({ type: 'm.room.member', stateKey: user, sender: userId(creator), content: await memberContent(room.tx, user, 'invite') });
                invites++;
              }
              await room.append({ type: 'm.room.member', stateKey: user, sender: user, content: await memberContent(room.tx, user, 'join') });
              joins++;
            } else if (action.kind === 'leave') {
              await room.append({ type: 'm.room.member', stateKey: user, sender: user, content: await memberContent(room.tx, user, 'leave', done % 3 === 0 ? { reason: 'bye' } : {}) });
              leaves++;
            } else {
              await room.append({ type: 'm.room.message', sender: user, content: { msgtype: 'm.text', body: `message ${sent++} ${randomBytes(12).toString('base64url')}` } });
            }
          }
        });
        progress(`${done} of ${totalActions} room events written`);
      }
    }
    const probeRooms = members.filter((m) => m.includes(probeIndex)).length;
    return {
      probe: { userId: userId(probeIndex), accessToken: probeToken, rooms: probeRooms },
      largestRoom: Math.max(...members.map((m) => m.length)), joins, invites, leaves, messages: sent, creationEvents, totalEvents: creationEvents + invites + joins + leaves + sent };
  } finally {
    await store.close();
  }
}
