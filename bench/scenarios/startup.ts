import { sampleProcess, startHearth } from '../hearth-process.js';
import { copyOfLargeDatabase, type LargeDbInfo } from '../large-db.js';

export interface StartupFigures {
  /** Milliseconds from spawning `hearth serve` to its first answered request, one per start. */
  samplesMs: number[];
  medianMs: number;
  maxMs: number;
  /** RSS right after the first answer, median over the starts. */
  rssMb: number;
  /** RSS one second after the first answer (the last start; on the large database, after the probes). */
  settledRssMb: number;
  /**
   * Large database only: right after the first answer, the probe user's first authenticated request
   * (`GET /account/whoami`) and then first `/sync` (initial, lazy-loaded members, timeline limit 10),
   * medians over the starts, with the number of rooms the sync returned.
   */
  firstWhoamiMs?: number;
  firstSyncMs?: number;
  firstSyncRooms?: number;
  firstWhoamiSamplesMs?: number[];
  firstSyncSamplesMs?: number[];
}

type Probe = LargeDbInfo['probe'];
const SYNC_FILTER = encodeURIComponent(JSON.stringify({ room: { state: { lazy_load_members: true }, timeline: { limit: 10 } } }));

async function timedGet(url: string, token: string): Promise<{ ms: number; json: any }> {
  const t = performance.now();
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  const json = await res.json();
  if (res.status !== 200) throw new Error(`GET ${url}: ${res.status} ${JSON.stringify(json).slice(0, 200)}`);
  return { ms: performance.now() - t, json };
}

const median = (values: number[]) => {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** Collects the starts of one kind of database. */
class Series {
  readonly samplesMs: number[] = [];
  readonly rss: number[] = [];
  readonly whoami: number[] = [];
  readonly sync: number[] = [];
  syncRooms = 0;
  settledRssMb = 0;
  figures(): StartupFigures {
    return {
      samplesMs: this.samplesMs, medianMs: median(this.samplesMs), maxMs: Math.max(...this.samplesMs), rssMb: median(this.rss), settledRssMb: this.settledRssMb,
      ...(this.sync.length ? {
        firstWhoamiMs: median(this.whoami), firstSyncMs: median(this.sync), firstSyncRooms: this.syncRooms,
        firstWhoamiSamplesMs: this.whoami, firstSyncSamplesMs: this.sync,
      } : {}),
    };
  }
}

/** One start until the first answer (then the probes, if any); on the last start, also the RSS a second later. */
async function startOnce(port: number, series: Series, dataDir: string | undefined, last: boolean, probe?: Probe): Promise<void> {
  const server = await startHearth({ port, ...(dataDir ? { dataDir } : {}) });
  try {
    series.samplesMs.push(server.startupMs);
    series.rss.push(sampleProcess(server.pid).rssBytes / 2 ** 20);
    if (probe) {
      series.whoami.push((await timedGet(`${server.baseUrl}/_matrix/client/v3/account/whoami`, probe.accessToken)).ms);
      const sync = await timedGet(`${server.baseUrl}/_matrix/client/v3/sync?timeout=0&filter=${SYNC_FILTER}`, probe.accessToken);
      series.sync.push(sync.ms);
      series.syncRooms = Object.keys(sync.json.rooms?.join ?? {}).length;
    }
    if (last) {
      await new Promise((r) => setTimeout(r, 1000));
      series.settledRssMb = sampleProcess(server.pid).rssBytes / 2 ** 20;
    }
  } finally {
    await server.stop();
  }
}

/**
 * Start-up to the first answered request (`GET /_matrix/client/versions`), default configuration
 * (SQLite, synchronous=FULL), `starts` times each, empty and large alternating (so that a change
 * in the machine's other load touches both alike):
 * - empty: a new data directory every time (the database is created and migrated, a signing key generated);
 * - large: the seeded large database (a copy of the cache, the same copy for every start), so the
 *   file is in the page cache as on a server restarting: this measures Hearth's start-up work, not
 *   the disk. After the first answer, a user of the largest room makes their first authenticated
 *   request and first /sync (work a server may defer from start-up to first use).
 */
export async function startup(port: number, starts: number, large: LargeDbInfo | undefined) {
  const empty = new Series();
  const big = new Series();
  const copy = large ? copyOfLargeDatabase(large) : undefined;
  try {
    for (let i = 0; i < starts; i++) {
      await startOnce(port, empty, undefined, i === starts - 1);
      if (copy) await startOnce(port, big, copy.dir, i === starts - 1, large!.probe);
    }
  } finally {
    copy?.remove();
  }
  return { empty: empty.figures(), ...(copy ? { large: big.figures() } : {}) };
}
