import type { Clock } from '../../core/clock.js';
import { notFound } from '../../core/errors.js';
import { turnCredentials } from '../../core/turn.js';
import type { TurnConfig } from '../../config/schema.js';
import type { Requester } from '../requester.js';

/**
 * `GET /voip/turnServer`. Without a configured TURN server the answer is 404 M_NOT_FOUND: the spec's
 * 200 answer requires credentials, and clients (matrix-js-sdk) treat an error as "no TURN server".
 */
export class TurnServer {
  constructor(private readonly deps: { clock: Clock; turn: TurnConfig | null }) {}

  credentials(requester: Requester): { username: string; password: string; uris: string[]; ttl: number } {
    const turn = this.deps.turn;
    if (turn === null) throw notFound('No TURN server is configured');
    const expires = this.deps.clock.now() + turn.userLifetimeMs;
    return { ...turnCredentials(turn.sharedSecret, requester.userId, expires), uris: [...turn.uris], ttl: Math.floor(turn.userLifetimeMs / 1000) };
  }
}
