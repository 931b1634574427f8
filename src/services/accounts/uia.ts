import type { Clock } from '../../core/clock.js';
import { MatrixError, UiaRequired, badJson, forbidden, unknownError, unrecognized } from '../../core/errors.js';
import type { UserId } from '../../core/ids.js';
import { isJsonObject, type JsonObject } from '../../core/json.js';
import type { Store } from '../../storage/store.js';
import { newOpaqueId } from './access-tokens.js';
import type { PasswordChecks } from './password-checks.js';

export interface UiaFlow {
  stages: string[];
}

/** Checks one submitted stage; returns an error to report in the 401, or undefined if the stage passed. */
export type StageChecker = (type: string, auth: JsonObject) => Promise<MatrixError | undefined>;

export interface UiaRequest {
  /** What is being authorised; a session started for one purpose cannot complete another. */
  purpose: string;
  flows: UiaFlow[];
  params?: Record<string, unknown>;
  /** The request body's `auth` dict, if any. */
  auth: unknown;
  userId: UserId | null;
  checkStage: StageChecker;
}

/** Sessions older than this are forgotten. */
const SESSION_LIFETIME_MS = 30 * 60_000;

/**
 * User-interactive authentication (spec: "User-Interactive Authentication API"). Resolves when a
 * flow is complete; otherwise throws a 401 UiaRequired carrying flows, params, session and completed.
 */
export class UserInteractiveAuth {
  constructor(private readonly store: Store, private readonly clock: Clock, private readonly passwords: PasswordChecks) {}

  /** The `m.login.password` stage for an authenticated user, under the account's password limits. */
  passwordStage(userId: UserId): StageChecker {
    return this.passwords.stage(userId);
  }

  async require(req: UiaRequest): Promise<void> {
    if (req.auth === undefined || req.auth === null) {
      const sessionId = await this.startSession(req);
      throw new UiaRequired(this.body(req, sessionId, []));
    }
    if (!isJsonObject(req.auth)) throw badJson('`auth` must be an object');
    const auth = req.auth;
    const sessionId = typeof auth.session === 'string' ? auth.session : await this.startSession(req);
    const session = await this.store.uia.get(sessionId);
    if (!session || session.createdTs < this.clock.now() - SESSION_LIFETIME_MS) {
      throw unknownError(400, 'Unknown or expired user-interactive authentication session');
    }
    if (session.purpose !== req.purpose || session.userId !== req.userId) {
      throw forbidden('This authentication session was started for another request');
    }
    const type = auth.type;
    if (typeof type !== 'string') throw new UiaRequired(this.body(req, sessionId, session.completed));
    if (!req.flows.some((f) => f.stages.includes(type))) {
      const err = unrecognized(401, `Authentication type ${JSON.stringify(type)} is not offered`);
      throw new UiaRequired(this.body(req, sessionId, session.completed), { errcode: err.errcode, error: err.message });
    }
    const failure = await req.checkStage(type, auth);
    if (failure) throw new UiaRequired(this.body(req, sessionId, session.completed), { errcode: failure.errcode, error: failure.message });

    const completed = session.completed.includes(type) ? session.completed : [...session.completed, type];
    if (req.flows.some((f) => f.stages.every((s) => completed.includes(s)))) {
      await this.store.uia.delete(sessionId);
      return;
    }
    await this.store.uia.setCompleted(sessionId, completed);
    throw new UiaRequired(this.body(req, sessionId, completed));
  }

  private async startSession(req: UiaRequest): Promise<string> {
    const now = this.clock.now();
    await this.store.uia.deleteOlderThan(now - SESSION_LIFETIME_MS);
    const sessionId = newOpaqueId();
    await this.store.uia.create({ sessionId, purpose: req.purpose, userId: req.userId, completed: [], createdTs: now });
    return sessionId;
  }

  private body(req: UiaRequest, session: string, completed: string[]): Record<string, unknown> {
    return { flows: req.flows, params: req.params ?? {}, session, completed };
  }
}
