import { createHash, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../../core/clock.js';
import { forbidden, guestAccessForbidden, invalidUsername, unknownError, userInUse } from '../../core/errors.js';
import { checkNewLocalpart, makeUserId, parseDeviceId, type UserId } from '../../core/ids.js';
import type { JsonObject } from '../../core/json.js';
import { isTokenUsable, isWellFormedToken } from '../../core/registration-tokens.js';
import { ConflictError } from '../../storage/errors.js';
import type { Store } from '../../storage/store.js';
import { newOpaqueId } from './access-tokens.js';
import type { PasswordHashing } from './password-hash.js';
import { requireAcceptablePassword } from './password-policy.js';
import type { LoginResult, Sessions } from './sessions.js';
import type { UserInteractiveAuth } from './uia.js';

export interface RegistrationDeps {
  store: Store;
  clock: Clock;
  uia: UserInteractiveAuth;
  sessions: Sessions;
  serverName: string;
  enabled: boolean;
  registrationTokens: readonly string[];
  /** A token is needed even when `registrationTokens` is empty (those created through the admin API). */
  requiresToken: boolean;
  hashing: PasswordHashing;
  passwordMinLength: number;
}

export interface RegisterInput {
  body: JsonObject;
  kind: 'user' | 'guest';
}

export type RegisterResult = Partial<LoginResult> & { user_id: UserId };

/** Account creation: `POST /register` (with user-interactive auth) and the offline CLI path. */
export class Registration {
  constructor(private readonly deps: RegistrationDeps) {}

  async register({ body, kind }: RegisterInput): Promise<RegisterResult> {
    if (kind === 'guest') throw guestAccessForbidden();
    if (!this.deps.enabled) throw forbidden('Registration is disabled on this server');
    const localpart = typeof body.username === 'string' ? body.username : undefined;
    // Name checks come first, so a client learns of a taken name before going through auth.
    const userId = localpart === undefined ? undefined : await this.checkAvailable(localpart);
    // Before auth too: a client learns of a too-short password without completing the stages first.
    if (typeof body.password === 'string') this.checkPassword(body.password);
    // A database token whose use the token stage reserved: the use completes with the account, or is given back.
    let reserved: string | undefined;
    await this.deps.uia.require({
      purpose: 'register',
      flows: this.flows(),
      auth: body.auth,
      userId: null,
      checkStage: async (type, auth) => this.checkStage(type, auth, (token) => (reserved = token)),
    });
    let created: UserId;
    try {
      created = await this.createAccount({
        userId: userId ?? (await this.generateUserId()),
        password: typeof body.password === 'string' ? body.password : undefined,
        admin: false,
      });
    } catch (err) {
      if (reserved !== undefined) await this.deps.store.registrationTokens.finish(reserved, 'released');
      throw err;
    }
    if (reserved !== undefined) await this.deps.store.registrationTokens.finish(reserved, 'completed');
    if (body.inhibit_login === true) return { user_id: created };
    const deviceId = typeof body.device_id === 'string' ? parseDeviceId(body.device_id) : undefined;
    const name = typeof body.initial_device_display_name === 'string' ? body.initial_device_display_name : null;
    const login = await this.deps.sessions.issue(created, deviceId, name, null, body.refresh_token === true);
    const { well_known: _wk, home_server: _hs, ...rest } = login;
    return rest;
  }

  /** `GET /register/available`: throws M_INVALID_USERNAME / M_USER_IN_USE, or returns. */
  async checkAvailable(localpart: string): Promise<UserId> {
    const why = checkNewLocalpart(localpart, this.deps.serverName);
    if (why) throw invalidUsername(why);
    const userId = makeUserId(localpart, this.deps.serverName);
    if (await this.deps.store.accounts.exists(userId)) throw userInUse();
    return userId;
  }

  /** Throws M_WEAK_PASSWORD when the password breaks the configured rule (also used by the CLI). */
  checkPassword(password: string): void {
    requireAcceptablePassword(password, this.deps.passwordMinLength);
  }

  /**
   * `GET /register/m.login.registration_token/validity`: a configured token, or one created through
   * the admin API that is neither expired nor used up (pending registrations count as uses).
   */
  async isTokenAccepted(token: string): Promise<boolean> {
    if (this.isTokenValid(token)) return true;
    if (!isWellFormedToken(token)) return false;
    const stored = await this.deps.store.registrationTokens.get(token);
    return stored !== undefined && isTokenUsable(stored, this.deps.clock.now());
  }

  /** Whether `token` is a configured one. Compares digests (equal lengths) in constant time: neither a token nor its length leaks. */
  isTokenValid(token: string): boolean {
    const given = createHash('sha256').update(token).digest();
    return this.deps.registrationTokens.some((t) => timingSafeEqual(createHash('sha256').update(t).digest(), given));
  }

  /** Creates an account directly (CLI, tests, and the end of a successful registration). */
  async createAccount(input: { userId: UserId; password?: string | undefined; admin: boolean }): Promise<UserId> {
    const passwordHash = input.password === undefined ? null : await this.deps.hashing.hash(input.password);
    try {
      await this.deps.store.accounts.create({
        userId: input.userId,
        passwordHash,
        isAdmin: input.admin,
        deactivated: false,
        displayname: input.userId.slice(1, input.userId.indexOf(':')),
        avatarUrl: null,
        createdTs: this.deps.clock.now(),
      });
    } catch (err) {
      if (err instanceof ConflictError) throw userInUse();
      throw err;
    }
    return input.userId;
  }

  private flows() {
    return this.deps.registrationTokens.length > 0 || this.deps.requiresToken
      ? [{ stages: ['m.login.registration_token'] }]
      : [{ stages: ['m.login.dummy'] }];
  }

  /** `reserve` is told of a database token whose use the stage took (store `reserve`). */
  private async checkStage(type: string, auth: JsonObject, reserve: (token: string) => void) {
    if (type === 'm.login.dummy') return undefined;
    if (type === 'm.login.registration_token') {
      const token = auth.token;
      if (typeof token !== 'string') return forbidden('Invalid registration token');
      if (this.isTokenValid(token)) return undefined;
      if (isWellFormedToken(token) && (await this.deps.store.registrationTokens.reserve(token, this.deps.clock.now()))) {
        reserve(token);
        return undefined;
      }
      return forbidden('Invalid registration token');
    }
    return unknownError(401, 'Unsupported stage');
  }

  private async generateUserId(): Promise<UserId> {
    for (let i = 0; i < 5; i++) {
      const userId = makeUserId(`u${newOpaqueId(6).toLowerCase().replace(/[^a-z0-9]/g, '')}`, this.deps.serverName);
      if (!(await this.deps.store.accounts.exists(userId))) return userId;
    }
    throw unknownError(500, 'Could not allocate a user ID');
  }
}
