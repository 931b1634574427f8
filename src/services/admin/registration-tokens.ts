import { randomInt } from 'node:crypto';
import type { Clock } from '../../core/clock.js';
import { invalidParam, notFound, unknownError } from '../../core/errors.js';
import type { JsonObject } from '../../core/json.js';
import { isTokenUsable, isWellFormedToken, parseNewToken, parseTokenChanges, TOKEN_CHARS } from '../../core/registration-tokens.js';
import { ConflictError } from '../../storage/errors.js';
import type { RegistrationToken, Store } from '../../storage/store.js';
import type { Requester } from '../requester.js';
import { requireAdmin } from './admin-access.js';

function view(t: RegistrationToken) {
  return { token: t.token, uses_allowed: t.usesAllowed, pending: t.pending, completed: t.completed, expiry_time: t.expiryTime };
}

/** Synapse's registration token admin API: tokens kept in the database, used by registration besides the configured ones. */
export class AdminRegistrationTokens {
  constructor(private readonly deps: { store: Store; clock: Clock }) {}

  /** `valid`: only usable tokens (true), only used-up or expired ones (false), or all (undefined). */
  async list(requester: Requester, valid: boolean | undefined) {
    requireAdmin(requester);
    const now = this.deps.clock.now();
    const tokens = await this.deps.store.registrationTokens.list();
    return { registration_tokens: tokens.filter((t) => valid === undefined || isTokenUsable(t, now) === valid).map(view) };
  }

  async get(requester: Requester, token: string) {
    requireAdmin(requester);
    return view(await this.existing(token));
  }

  async create(requester: Requester, body: JsonObject) {
    requireAdmin(requester);
    const req = parseNewToken(body, this.deps.clock.now());
    // A made-up token that happens to exist already is made again (a few times: 64^16 makes it rare).
    for (let attempt = 0; attempt < 5; attempt++) {
      const token = req.token ?? Array.from({ length: req.length }, () => TOKEN_CHARS[randomInt(TOKEN_CHARS.length)]).join('');
      try {
        await this.deps.store.registrationTokens.create({ token, usesAllowed: req.usesAllowed, expiryTime: req.expiryTime });
        return view((await this.deps.store.registrationTokens.get(token))!);
      } catch (err) {
        if (!(err instanceof ConflictError)) throw err;
        if (req.token !== undefined) throw invalidParam('Token already in use');
      }
    }
    throw unknownError(500, 'Could not make a new token');
  }

  async update(requester: Requester, token: string, body: JsonObject) {
    requireAdmin(requester);
    this.checkShape(token);
    const updated = await this.deps.store.registrationTokens.update(token, parseTokenChanges(body, this.deps.clock.now()));
    if (!updated) throw notFound('No such registration token');
    return view(updated);
  }

  async delete(requester: Requester, token: string): Promise<Record<string, never>> {
    requireAdmin(requester);
    this.checkShape(token);
    if (!(await this.deps.store.registrationTokens.delete(token))) throw notFound('No such registration token');
    return {};
  }

  private async existing(token: string): Promise<RegistrationToken> {
    this.checkShape(token);
    const found = await this.deps.store.registrationTokens.get(token);
    if (!found) throw notFound('No such registration token');
    return found;
  }

  private checkShape(token: string): void {
    if (!isWellFormedToken(token)) throw invalidParam('Malformed registration token');
  }
}
