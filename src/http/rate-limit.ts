import type { FastifyInstance } from 'fastify';
import type { Config } from '../config/schema.js';
import { limitExceeded, tooManyInvites } from '../core/errors.js';
import type { RateLimiter } from '../services/rate-limiter.js';

/**
 * Applies the route's named limiter after authentication: keyed by user when authenticated,
 * else by client IP. Writes (any method but GET, HEAD and OPTIONS) without a limiter of their own
 * take from `default`. Server admins are exempt; `rate_limits.enabled: false` turns all off.
 */
const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function installRateLimits(app: FastifyInstance, limiter: RateLimiter, limits: Config['rateLimits']): void {
  if (!limits.enabled) return;
  app.addHook('preHandler', async (request) => {
    const { config } = request.routeOptions;
    const name = config.rateLimit ?? (READS.has(request.method) ? undefined : 'default');
    if (!name) return;
    if (request.requester?.isAdmin) return;
    const key = request.requester?.userId ?? `ip:${request.ip}`;
    const waitMs = limiter.take(name, key, limits[name]);
    if (waitMs > 0) throw limitExceeded(waitMs);
    const invites = config.invites?.(request) ?? 0;
    if (invites === 0) return;
    // A request inviting more users than the bucket can ever hold is refused outright, not told to wait.
    if (invites > limits.invite.burst) throw tooManyInvites(limits.invite.burst);
    const inviteWaitMs = limiter.take('invite', key, limits.invite, invites);
    if (inviteWaitMs > 0) throw limitExceeded(inviteWaitMs);
    // `/invite` to an existing room also takes from that room's bucket (createRoom's room is new).
    const roomId = (request.params as { roomId?: unknown } | undefined)?.roomId;
    if (typeof roomId !== 'string') return;
    const roomWaitMs = limiter.take('invite_room', roomId, limits.invite_room, invites);
    if (roomWaitMs > 0) {
      limiter.refund('invite', key, limits.invite, invites);
      throw limitExceeded(roomWaitMs);
    }
  });
}
