import type { Config } from '../../config/schema.js';
import { forbidden, limitExceeded, type MatrixError } from '../../core/errors.js';
import { makeUserId, parseUserId, type UserId } from '../../core/ids.js';
import { isJsonObject, type JsonObject } from '../../core/json.js';
import type { Store } from '../../storage/store.js';
import type { RateLimiter } from '../rate-limiter.js';
import type { PasswordHashing } from './password-hash.js';

/**
 * Resolves the user named by a login/UIA identifier (`m.id.user` with a localpart or a full
 * user ID, or the deprecated top-level `user`). Returns undefined for anything else.
 */
export function userFromIdentifier(body: JsonObject, serverName: string): UserId | undefined {
  let user: unknown = body.user;
  if (isJsonObject(body.identifier)) {
    if (body.identifier.type !== 'm.id.user') return undefined;
    user = body.identifier.user;
  }
  if (typeof user !== 'string' || user.length === 0) return undefined;
  if (user.startsWith('@')) return parseUserId(user);
  // Parsed like a full user ID: a localpart no account can have (a NUL, say) never reaches the store.
  return parseUserId(makeUserId(user.toLowerCase(), serverName));
}

export interface PasswordChecksDeps {
  store: Store;
  serverName: string;
  hashing: PasswordHashing;
  limiter: RateLimiter;
  limits: Config['rateLimits'];
}

/**
 * Every password check of the server: `/login` and the `m.login.password` stage of
 * user-interactive auth. Per account, whatever the address or token the guesses come from:
 * `login_account` counts every `/login` attempt, `failed_password` every wrong password (shared by
 * `/login` and UIA). Both are taken before the hash (a refused guess costs no scrypt) and the
 * failure token is given back on success, so concurrent guesses cannot all pass before the first
 * fails. The price: someone guessing keeps the owner waiting too, until the buckets refill (one
 * attempt per ~6 s at the defaults), as on other homeservers.
 */
export class PasswordChecks {
  constructor(private readonly deps: PasswordChecksDeps) {}

  /** `/login`: true when `password` is the account's. Throws 429 when the account's limits are spent. */
  async login(userId: UserId | undefined, password: unknown): Promise<boolean> {
    this.take('login_account', userId);
    return this.check(userId, password);
  }

  /** The `m.login.password` UIA stage for an already authenticated user. */
  stage(userId: UserId) {
    return async (type: string, auth: JsonObject): Promise<MatrixError | undefined> => {
      if (type !== 'm.login.password') return forbidden('Unsupported authentication stage');
      const named = userFromIdentifier(auth, this.deps.serverName) ?? userId;
      if (named !== userId) return forbidden('You can only authenticate as yourself');
      return (await this.check(userId, auth.password)) ? undefined : forbidden('Invalid password');
    };
  }

  /** The same answer for an unknown user, a deactivated one and a wrong password. */
  private async check(userId: UserId | undefined, password: unknown): Promise<boolean> {
    if (typeof password !== 'string') return false;
    this.take('failed_password', userId);
    const { store, hashing } = this.deps;
    let wrong = false;
    try {
      wrong = !(await hashing.verify(password, async () => {
        const account = userId === undefined ? undefined : await store.accounts.get(userId);
        return account?.passwordHash ?? null;
      }));
      return !wrong;
    } finally {
      // Only a wrong password keeps the token: not a right one, nor a check that never ran (full queue).
      if (!wrong) this.refund('failed_password', userId);
    }
  }

  private take(name: 'login_account' | 'failed_password', userId: UserId | undefined): void {
    const { limits } = this.deps;
    if (!limits.enabled) return;
    const waitMs = this.deps.limiter.take(name, keyOf(userId), limits[name]);
    if (waitMs > 0) throw limitExceeded(waitMs);
  }

  private refund(name: 'failed_password', userId: UserId | undefined): void {
    if (this.deps.limits.enabled) this.deps.limiter.refund(name, keyOf(userId), this.deps.limits[name]);
  }
}

/** An identifier naming no possible account shares one bucket: it has no owner to protect. */
function keyOf(userId: UserId | undefined): string {
  return userId ?? '';
}
