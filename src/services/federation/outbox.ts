/**
 * The federation outbox's worker as the services wire it: one handler per item kind of
 * core/federation/outbox-items.ts, each delivering through the app's federation client.
 */
import type { Clock } from '../../core/clock.js';
import type { SigningKey } from '../../core/events/signing-key.js';
import { REMOTE_LEAVE, SEND_PDUS } from '../../core/federation/outbox-items.js';
import type { OutboxStore } from '../../storage/outbox-store.js';
import type { FederationRequester } from './federation-client.js';
import { OutboxWorker, type OutboxLogger } from './outbox-worker.js';
import { remoteLeaveHandler } from './remote-leave-delivery.js';
import { sendPdusHandler } from './send-pdus-delivery.js';

export function createOutboxWorker(deps: {
  store: { outbox: OutboxStore };
  clock: Clock;
  requester: FederationRequester;
  serverName: string;
  signingKey: SigningKey;
  logger: OutboxLogger;
}): OutboxWorker {
  const { store, clock, logger } = deps;
  return new OutboxWorker({
    store, clock, logger, random: Math.random,
    handlers: { [REMOTE_LEAVE]: remoteLeaveHandler(deps), [SEND_PDUS]: sendPdusHandler(deps) },
  });
}
