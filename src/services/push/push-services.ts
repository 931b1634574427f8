/**
 * The push services as the app wires them: the pusher and notification APIs, the recorder, and
 * delivery through one keep-alive agent per scheme over Node's DNS, under the deny-list of
 * `federation.allow_private_addresses` (which covers push gateways too).
 */
import { Agent as PlainAgent } from 'node:http';
import { Agent } from 'node:https';
import type { Clock } from '../../core/clock.js';
import type { Config } from '../../config/schema.js';
import type { Store } from '../../storage/store.js';
import { nodeDns } from '../federation/node-network.js';
import type { Quotas } from '../quotas.js';
import type { ClientEvents } from '../rooms/client-events.js';
import type { PushRules } from '../user-data/push-rules.js';
import { pushGateway } from './gateway-client.js';
import { NotificationRecorder } from './notification-recorder.js';
import { Notifications } from './notifications.js';
import { PushDelivery } from './push-delivery.js';
import { Pushers } from './pushers.js';

export interface PushServices {
  readonly pushers: Pushers;
  readonly notifications: Notifications;
  readonly recorder: NotificationRecorder;
  readonly delivery: PushDelivery;
  /** Closes the agents' idle connections. */
  close(): void;
}

export function createPushServices(deps: { store: Store; clock: Clock; config: Config; quotas: Quotas; pushRules: PushRules; events: ClientEvents }): PushServices {
  const { store, clock, config } = deps;
  const httpsAgent = new Agent({ keepAlive: true });
  const httpAgent = new PlainAgent({ keepAlive: true });
  const gateway = pushGateway({ dns: nodeDns(), allowPrivate: config.federation.allowPrivateAddresses, httpsAgent, httpAgent });
  const recorder = new NotificationRecorder({ store, pushRules: deps.pushRules, serverName: config.serverName });
  return {
    pushers: new Pushers({ store, clock, quotas: deps.quotas }),
    notifications: new Notifications({ store, recorder, events: deps.events }),
    recorder,
    delivery: new PushDelivery({ store, clock, gateway, random: Math.random }),
    close: () => {
      httpsAgent.destroy();
      httpAgent.destroy();
    },
  };
}
