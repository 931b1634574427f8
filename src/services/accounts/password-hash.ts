import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

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
