/**
 * Delivers a REMOTE_LEAVE outbox item (a local user rejects the invite to a room Hearth is not in):
 * asks each destination in turn for a `make_leave` template, checks it
 * (core/federation/membership-template.ts), signs the leave as this server and `send_leave`s it,
 * v2 first and v1 where v2 is not served. The first server that accepts it ends the attempt.
 */
import { hashAndSignEvent } from '../../core/events/signing.js';
import { checkMembershipTemplate, leaveEventFromTemplate } from '../../core/federation/membership-template.js';
import type { RemoteLeavePayload } from '../../core/federation/outbox-items.js';
import { domainOf, parseRoomId, parseUserId } from '../../core/ids.js';
import type { JsonObject } from '../../core/json.js';
import { getRoomVersion } from '../../core/room-versions.js';
import { isUnrecognisedEndpoint } from './federation-client.js';
import { DeliveryError, type DeliveryDeps, type DestinationFailure, type OutboxHandler } from './outbox-worker.js';

export function remoteLeaveHandler(deps: DeliveryDeps): OutboxHandler {
  return async (item, deadline) => {
    const payload = remoteLeavePayload(item.payload);
    // Hearth signs only for its own users.
    if (!payload || domainOf(payload.userId) !== deps.serverName) return { result: 'unusable', reason: 'malformed remote leave payload' };
    const failures: DestinationFailure[] = [];
    for (const destination of item.destinations) {
      // At least one server is asked; the rest only while the lease lasts.
      if (failures.length > 0 && deps.clock.now() >= deadline) break;
      try {
        await leaveThrough(deps, destination, payload);
        return { result: 'delivered', destination, failures };
      } catch (error) {
        failures.push({ destination, error });
      }
    }
    return { result: 'failed', failures };
  };
}

async function leaveThrough(deps: DeliveryDeps, destination: string, p: RemoteLeavePayload): Promise<void> {
  const { requester, serverName, signingKey } = deps;
  const room = encodeURIComponent(p.roomId);
  const answer = await requester.request({ destination, method: 'GET', path: `/_matrix/federation/v1/make_leave/${room}/${encodeURIComponent(p.userId)}` });
  const checked = checkMembershipTemplate(answer, { roomId: p.roomId, userId: p.userId, membership: 'leave', roomVersion: p.roomVersion });
  if (!checked.ok) throw new DeliveryError(`bad template: ${checked.reason}`);
  const unsigned = leaveEventFromTemplate(checked.template, {
    roomId: p.roomId, userId: p.userId, origin: serverName, originServerTs: deps.clock.now(),
    ...(p.reason === undefined ? {} : { reason: p.reason }),
  });
  const { pdu, eventId } = hashAndSignEvent(unsigned, serverName, signingKey, checked.template.version);
  const tail = `${room}/${encodeURIComponent(eventId)}`;
  try {
    await requester.request({ destination, method: 'PUT', path: `/_matrix/federation/v2/send_leave/${tail}`, body: pdu });
  } catch (err) {
    if (!isUnrecognisedEndpoint(err)) throw err;
    await requester.request({ destination, method: 'PUT', path: `/_matrix/federation/v1/send_leave/${tail}`, body: pdu, v1Envelope: true });
  }
}

function remoteLeavePayload(payload: JsonObject): RemoteLeavePayload | undefined {
  const { roomId, userId, roomVersion, reason } = payload;
  const room = typeof roomId === 'string' ? parseRoomId(roomId) : undefined;
  const user = typeof userId === 'string' ? parseUserId(userId) : undefined;
  if (!room || !user || typeof roomVersion !== 'string' || !getRoomVersion(roomVersion)) return undefined;
  if (reason !== undefined && typeof reason !== 'string') return undefined;
  return { roomId: room, userId: user, roomVersion, ...(reason === undefined ? {} : { reason }) };
}
