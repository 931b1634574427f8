/**
 * Requests to push gateways (Push Gateway API `POST /_matrix/push/v1/notify`). The URL is the
 * user's, so it is an outbound request like federation's: every address is checked against the
 * deny-list (private and loopback ranges refused unless `federation.allow_private_addresses`),
 * the connection goes to the checked address, and time and answer size are bounded.
 */
import type { Agent as PlainAgent } from 'node:http';
import type { Agent } from 'node:https';
import { parseIp } from '../../core/federation/ip-address.js';
import { isAddressAllowed } from '../../core/federation/ip-deny-list.js';
import type { JsonObject } from '../../core/json.js';
import { rejectedPushkeys } from '../../core/push/gateway-notification.js';
import { httpsExchange } from '../federation/https-transport.js';
import type { FederationDns } from '../federation/server-resolver.js';

/** One notification to a gateway may take this long, connect to last byte. */
export const PUSH_GATEWAY_TIMEOUT_MS = 10_000;
/** A gateway answers `{"rejected": [...]}`: anything larger is refused. */
export const PUSH_GATEWAY_MAX_RESPONSE_BYTES = 64 * 1024;

export interface PushGateway {
  /** Sends `body`; resolves to the pushkeys the gateway rejected, or throws when it did not accept it. */
  notify(url: string, body: JsonObject): Promise<string[]>;
}

/** The gateway did not take the notification: unreachable, refused address, or a non-2xx answer. */
export class GatewayError extends Error {
  override readonly name = 'GatewayError';
}

export function pushGateway(o: { dns: FederationDns; allowPrivate: boolean; httpsAgent: Agent; httpAgent: PlainAgent }): PushGateway {
  return {
    async notify(raw, body) {
      const url = new URL(raw);
      const host = url.hostname.replace(/^\[|\]$/g, '');
      const found = parseIp(host) !== undefined ? [host] : await o.dns.lookup(host);
      const address = found.find((a) => isAddressAllowed(a, o.allowPrivate));
      if (address === undefined) throw new GatewayError('the gateway has no allowed address');
      const plain = url.protocol === 'http:';
      const answer = await httpsExchange({
        address,
        port: url.port === '' ? (plain ? 80 : 443) : Number(url.port),
        tlsServerName: host,
        hostHeader: url.host,
        method: 'POST',
        target: url.pathname + url.search,
        headers: { 'Content-Type': 'application/json' },
        body: Buffer.from(JSON.stringify(body)),
        agent: plain ? o.httpAgent : o.httpsAgent,
        plain,
        timeoutMs: PUSH_GATEWAY_TIMEOUT_MS,
        maxResponseBytes: PUSH_GATEWAY_MAX_RESPONSE_BYTES,
      });
      if (answer.status < 200 || answer.status >= 300) throw new GatewayError(`the gateway answered ${answer.status}`);
      try {
        return rejectedPushkeys(JSON.parse(answer.body.toString('utf8')));
      } catch {
        return [];
      }
    },
  };
}
