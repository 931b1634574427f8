/**
 * Delivers a SEND_PDUS outbox item (events of a Hearth room for a server none of whose users is
 * joined, e.g. rescinding its user's invite): one `PUT /_matrix/federation/v1/send/{txnId}` to the
 * item's first destination. The transaction ID is the item's own, the same at every retry, so a
 * receiver that processed a transaction whose answer was lost recognises the repeat.
 */
import type { RoomEvent } from '../../core/events/types.js';
import { federationPdu } from '../../core/federation/pdu.js';
import { isJsonObject } from '../../core/json.js';
import type { OutboxItem } from '../../storage/outbox-store.js';
import type { DeliveryDeps, OutboxHandler, OutboxLogger } from './outbox-worker.js';

/** Longest per-PDU error text logged from a receiver's answer. */
const MAX_LOGGED_ERROR = 200;

export function sendPdusHandler(deps: DeliveryDeps & { logger: OutboxLogger }): OutboxHandler {
  return async (item) => {
    const pdus = item.payload['pdus'];
    const destination = item.destinations[0];
    if (destination === undefined || !Array.isArray(pdus) || !pdus.every(isJsonObject)) {
      return { result: 'unusable', reason: 'malformed send-pdus item' };
    }
    const body = { origin: deps.serverName, origin_server_ts: deps.clock.now(), pdus: pdus.map((e) => federationPdu(e as unknown as RoomEvent)) };
    try {
      const answer = await deps.requester.request({ destination, method: 'PUT', path: `/_matrix/federation/v1/send/${encodeURIComponent(outboxTxnId(item))}`, body });
      // The receiver took the transaction; a PDU it refused would be refused again: logged, not retried.
      for (const [eventId, error] of refusedPdus(answer)) {
        deps.logger.warn({ destination, kind: item.kind, eventId, error }, 'federation outbox: a PDU was refused by its receiver');
      }
      return { result: 'delivered', destination, failures: [] };
    } catch (error) {
      return { result: 'failed', failures: [{ destination, error }] };
    }
  };
}

/** Stable for the item (its id and creation time), different for a newer item with the same key. */
export function outboxTxnId(item: Pick<OutboxItem, 'id' | 'createdTs'>): string {
  return `outbox.${item.createdTs}.${item.id}`;
}

/** The `pdus` results of a `/send` answer that carry an error. */
function refusedPdus(answer: Record<string, unknown>): [string, string][] {
  const results = answer['pdus'];
  if (!isJsonObject(results)) return [];
  return Object.entries(results).flatMap(([eventId, result]) => {
    const error = isJsonObject(result) ? result['error'] : undefined;
    return typeof error === 'string' ? [[eventId.slice(0, MAX_LOGGED_ERROR), error.slice(0, MAX_LOGGED_ERROR)] as [string, string]] : [];
  });
}
