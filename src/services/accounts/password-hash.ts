import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { limitExceeded } from '../../core/errors.js';

/** scrypt parameters; N (cost) must be a power of two. */
export interface PasswordHashParams {
  cost: number;
  blockSize: number;
  parallelization: number;
}

const KEY_LENGTH = 32;

function scryptAsync(password: string, salt: Buffer, opts: ScryptOptions): Promise<Buffer> {
  // node runs scrypt on the libuv thread pool: hashing never blocks the event loop.
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFKC'), salt, KEY_LENGTH, opts, (err, key) => (err ? reject(err) : resolve(key))));
}

function options(p: PasswordHashParams): ScryptOptions {
  return { N: p.cost, r: p.blockSize, p: p.parallelization, maxmem: 256 * p.cost * p.blockSize + 1024 * 1024 };
}

/** Hashes a password as `scrypt$N$r$p$salt$hash` (base64): self-describing, so parameters can be raised later. */
export async function hashPassword(password: string, params: PasswordHashParams): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, options(params));
  return ['scrypt', params.cost, params.blockSize, params.parallelization, salt.toString('base64'), key.toString('base64')].join('$');
}

/** Checks a password against a stored hash in constant time. Unknown formats never match. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [cost, blockSize, parallelization] = parts.slice(1, 4).map(Number) as [number, number, number];
  const salt = Buffer.from(parts[4]!, 'base64');
  const expected = Buffer.from(parts[5]!, 'base64');
  const key = await scryptAsync(password, salt, options({ cost, blockSize, parallelization }));
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** What the bound on hashing has done, for metrics and tests. */
export interface HashingStats {
  /** scrypt computations running now, the most there ever were at once, and how many finished. */
  inFlight: number;
  peakInFlight: number;
  computed: number;
  /** Password checks waiting for a place. */
  queued: number;
  /** Password checks refused because `maxQueued` were already waiting. */
  refused: number;
}

/** What a client refused by a full queue is told to wait: about the time the queue takes to drain at the default cost. */
const QUEUE_FULL_RETRY_MS = 1000;

/**
 * All scrypt work of one server, bounded: at most `maxConcurrent` hashes at once, so that hashing
 * never takes every thread of libuv's pool, which the SQLite write-ahead log's fdatasync also needs
 * (a flood of wrong passwords must not hold back everyone's durable writes). Password checks
 * beyond `maxQueued` waiting are refused at once with 429; hashing a new password (registration,
 * password change, both rate-limited by their routes) always waits its turn.
 */
export class PasswordHashing {
  readonly stats: HashingStats = { inFlight: 0, peakInFlight: 0, computed: 0, queued: 0, refused: 0 };
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  private dummy: Promise<string> | undefined;

  constructor(private readonly opts: PasswordHashParams & { maxConcurrent: number; maxQueued: number }) {}

  /** Hashes a new password with the configured parameters. */
  hash(password: string): Promise<string> {
    return this.inTurn(() => this.counted(() => hashPassword(password, this.opts)));
  }

  /**
   * Checks a password against the hash `stored` resolves to. Whether the check may wait is decided
   * synchronously, before `stored` is read: a refused check costs no query. With no stored hash
   * (unknown user, no password) a dummy hash of the same parameters is checked, so the answer's
   * timing does not tell whether the account exists.
   */
  verify(password: string, stored: () => Promise<string | null>): Promise<boolean> {
    if (this.running >= this.opts.maxConcurrent && this.waiting.length >= this.opts.maxQueued) {
      this.stats.refused++;
      return Promise.reject(limitExceeded(QUEUE_FULL_RETRY_MS));
    }
    return this.inTurn(async () => {
      const hash = await stored();
      const against = hash ?? (await this.dummyHash());
      const matches = await this.counted(() => verifyPassword(password, against));
      return matches && hash !== null;
    });
  }

  /** Runs `work` once one of the `maxConcurrent` places is free, first come first served. */
  private async inTurn<T>(work: () => Promise<T>): Promise<T> {
    if (this.running < this.opts.maxConcurrent) this.running++;
    else {
      this.stats.queued++;
      // The place is handed over by the one leaving it (below): `running` stays the same.
      await new Promise<void>((resolve) => this.waiting.push(resolve));
      this.stats.queued--;
    }
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }

  private async counted<T>(scryptWork: () => Promise<T>): Promise<T> {
    this.stats.inFlight++;
    this.stats.peakInFlight = Math.max(this.stats.peakInFlight, this.stats.inFlight);
    try {
      return await scryptWork();
    } finally {
      this.stats.inFlight--;
      this.stats.computed++;
    }
  }

  /** Computed once, when a check first needs it, within that check's place (one scrypt at a time). */
  private dummyHash(): Promise<string> {
    this.dummy ??= this.counted(() => hashPassword(randomBytes(16).toString('hex'), this.opts));
    return this.dummy;
  }
}
