import { forbidden, type MatrixError } from '../../core/errors.js';
import { makeUserId, parseUserId, type UserId } from '../../core/ids.js';
import { isJsonObject, type JsonObject } from '../../core/json.js';
import type { Store } from '../../storage/store.js';
import { randomBytes } from 'node:crypto';
import { hashPassword, verifyPassword } from './password-hash.js';

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

/** Checks a user's password; the same answer for an unknown user, a deactivated one and a wrong password. */
export async function checkPassword(store: Store, userId: UserId | undefined, password: unknown): Promise<boolean> {
  if (typeof password !== 'string') return false;
  const account = userId === undefined ? undefined : await store.accounts.get(userId);
  if (!account || account.passwordHash === null) {
    // Spend the same time as a real check, so the answer's timing does not tell whether the user exists.
    await verifyPassword(password, await dummyHash());
    return false;
  }
  return verifyPassword(password, account.passwordHash);
}

let dummy: Promise<string> | undefined;
function dummyHash(): Promise<string> {
  dummy ??= hashPassword(randomBytes(16).toString('hex'), { cost: 32768, blockSize: 8, parallelization: 1 });
  return dummy;
}

/** The `m.login.password` UIA stage for an already authenticated user. */
export function passwordStage(store: Store, serverName: string, userId: UserId) {
  return async (type: string, auth: JsonObject): Promise<MatrixError | undefined> => {
    if (type !== 'm.login.password') return forbidden('Unsupported authentication stage');
    const named = userFromIdentifier(auth, serverName) ?? userId;
    if (named !== userId) return forbidden('You can only authenticate as yourself');
    return (await checkPassword(store, userId, auth.password)) ? undefined : forbidden('Invalid password');
  };
}
